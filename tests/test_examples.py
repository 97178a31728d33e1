"""The example notebooks (jupytext percent scripts) run from start to end, so they cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


LONG = {
    "02_two_layer_net_solver",
    "03_fc_net_batchnorm_dropout",
    "04_optimizers",
    "05_hyperparameter_search",
}  # several seconds each: in the full run only


@pytest.mark.parametrize(
    "example",
    [pytest.param(p, marks=pytest.mark.slow) if p.stem in LONG else p for p in EXAMPLES],
    ids=[p.stem for p in EXAMPLES],
)
def test_example_runs(example, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "FCNET_DATA": str(tmp_path / "data-home")}
    result = subprocess.run(
        [sys.executable, str(example)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (
        list(tmp_path.glob("*.png"))
        or list(tmp_path.glob("*/*.png"))
        or example.stem == "01_modular_layers"
    )
