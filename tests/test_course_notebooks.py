"""The course notebooks in examples/courses: each jupytext script and its .ipynb hold the same cells, and the
notebooks run from start to end in a real Jupyter kernel (their own asserts check the courses' numbers)."""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

COURSES = Path(__file__).resolve().parent.parent / "examples" / "courses"
SCRIPTS = sorted(COURSES.glob("*.py"))


def cell_sources(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_and_notebook_are_paired(script):
    paired = script.with_suffix(".ipynb")
    assert paired.is_file(), f"{paired.name} is missing: run `jupytext --to ipynb {script.name}`"
    assert cell_sources(jupytext.read(script)) == cell_sources(
        nbformat.read(paired, as_version=4)
    ), f"{paired.name} is out of date: run `jupytext --sync {script.name}`"


@pytest.mark.slow  # about 20 s for the four quick ones; CI runs them
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_notebook_runs(script, tmp_path, monkeypatch):
    if (
        script.stem in ("mnist_mlp_optimizers", "dlfs_ch05_ch06")
        and not Path("/usr/share/datasets/fashion-mnist").is_dir()
    ):
        pytest.skip("needs the Debian package dataset-fashion-mnist")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(
            variable, "1"
        )  # a kernel fighting the test process for 2 cores took minutes
    monkeypatch.setenv("FCNET_DATA", str(tmp_path / "data-home"))
    notebook = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    ]
    assert not [out for out in outputs if out.get("output_type") == "error"]
    assert any(out.get("output_type") == "display_data" for out in outputs), (
        "the notebook drew no figure"
    )
