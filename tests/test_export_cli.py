"""`fcnet export` and `fcnet predict/evaluate` on an exported .onnx, through the real command."""

import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "fcnet", *map(str, args)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    done = run(
        "train",
        "--epochs",
        2,
        "--hidden",
        20,
        "--normalization",
        "batchnorm",
        "--out",
        "run",
        "--quiet",
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.slow
def test_export_each_format_and_check_it_on_the_same_data(run_dir):
    import fcnet as library
    from fcnet.data import load_dataset
    from fcnet.export import from_safetensors

    model = library.load(run_dir / "run" / "model.npz")
    X = load_dataset("digits", seed=0)["X_test"]
    for fmt, name in [("onnx", "m.onnx"), ("torch", "m.pt2"), ("safetensors", "m.safetensors")]:
        done = run("export", "run", "--format", fmt, "--out", name, cwd=run_dir)
        assert done.returncode == 0 and f"Wrote {name} ({fmt})" in done.stdout, done.stderr
    program = torch.export.load(str(run_dir / "m.pt2")).module()
    with torch.no_grad():
        np.testing.assert_allclose(
            program(torch.from_numpy(X)).numpy(), model.loss(X), rtol=1e-4, atol=1e-5
        )
    np.testing.assert_array_equal(
        from_safetensors(run_dir / "m.safetensors").loss(X), model.loss(X)
    )
    ours = run("evaluate", "run", cwd=run_dir)
    theirs = run("evaluate", "m.onnx", "--dataset", "digits", cwd=run_dir)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout.splitlines()[0] == theirs.stdout.splitlines()[0]  # the same accuracy line
    np.save(run_dir / "x.npy", X[:3])
    assert (
        run("predict", "m.onnx", "x.npy", cwd=run_dir).stdout
        == run("predict", "run", "x.npy", cwd=run_dir).stdout
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "run", "--out", "m.onx"], "--out m.onx must end in .onnx for format onnx"),
        (
            ["export", "run", "--format", "torch", "--out", "m.onnx"],
            "must end in .pt2 for format torch",
        ),
        (["export", "missing", "--out", "m.onnx"], "missing: no such file"),
        (
            ["export", "run", "--out", "m.onnx", "--opset", "12"],
            "argument --opset: expected an integer >= 17, got 12",
        ),
        (["export", "run", "--format", "keras", "--out", "m.keras"], "invalid choice: 'keras'"),
    ],
)
def test_export_errors_are_one_line_naming_the_argument(run_dir, args, message):
    done = run(*args, cwd=run_dir)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, (
        done.stderr
    )


@pytest.mark.slow
def test_a_damaged_onnx_file_is_refused_by_name(run_dir):
    (run_dir / "bad.onnx").write_bytes(b"not a graph")
    done = run("predict", "bad.onnx", "x.npy", cwd=run_dir)
    assert (
        done.returncode == 2 and "bad.onnx is not an ONNX model onnxruntime can run" in done.stderr
    ), done.stderr
