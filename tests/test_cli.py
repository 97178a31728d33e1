"""The fcnet command run as a new user would: in a subprocess, in a fresh directory."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def fcnet(*args, cwd, check=True, env_extra=None):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "FCNET_DATA": str(Path(cwd) / "data-home"),
        **(env_extra or {}),
    }
    result = subprocess.run(
        [sys.executable, "-m", "fcnet", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"fcnet {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def assert_real_png(path: Path):
    from PIL import Image

    assert path.is_file(), path
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 5, f"{path} looks blank"


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("train")
    result = fcnet("train", "--epochs", "8", "--out", "run", cwd=cwd)
    return cwd, result


def test_train_with_defaults_writes_a_run_directory(digits_run):
    cwd, result = digits_run
    run = cwd / "run"
    assert "Final validation accuracy:" in result.stdout and "test accuracy:" in result.stdout
    config = json.loads((run / "config.json").read_text())
    assert config["dataset"] == "digits" and config["num_epochs"] == 8
    with open(run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9 and set(rows[0]) >= {"epoch", "train_acc", "val_acc", "train_loss"}
    for name in ("loss.png", "accuracy.png", "weights.png", "history.png"):
        assert_real_png(run / name)
    import fcnet as library

    model = library.load(run / "model.npz")
    assert model.input_dim == 64 and model.num_classes == 10


@pytest.mark.slow
def test_train_with_no_arguments_at_all(tmp_path):
    result = fcnet("train", "--epochs", "2", cwd=tmp_path)  # the README's command, shortened
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "model.npz").is_file()
    accuracy = float(result.stdout.split("Final validation accuracy:")[1].split()[0])
    assert 0 <= accuracy <= 1


@pytest.mark.slow
def test_evaluate_prints_and_plots(digits_run):
    cwd, _ = digits_run
    result = fcnet("evaluate", "run", cwd=cwd)
    assert "digits, test split (270 samples): accuracy" in result.stdout
    assert "precision    recall  f1-score   support" in result.stdout
    assert "confusion matrix" in result.stdout
    assert_real_png(cwd / "run" / "confusion_test.png")


def test_predict_npy_and_png(digits_run):
    from PIL import Image

    cwd, _ = digits_run
    from fcnet.data import load_digits

    X, y = load_digits()
    np.save(cwd / "three.npy", X[:3])
    Image.fromarray((X[5].reshape(8, 8) * 255).astype(np.uint8)).save(cwd / "five.png")
    result = fcnet("predict", "run", "three.npy", "five.png", "--top", "2", cwd=cwd)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("three.npy[0]: ") and lines[3].startswith("five.png: ")
    assert lines[0].count(":") == 3  # label, then two classes with probabilities


def test_gradcheck_prints_per_parameter_errors(tmp_path):
    result = fcnet(
        "gradcheck",
        "--hidden",
        "6",
        "5",
        "--normalization",
        "layernorm",
        "--reg",
        "0.5",
        cwd=tmp_path,
    )
    lines = result.stdout.strip().splitlines()[1:]  # after the header line
    names = [line.split()[0] for line in lines[:-1]]
    assert names == ["W1", "W2", "W3", "b1", "b2", "b3", "beta1", "beta2", "gamma1", "gamma2"]
    assert all(float(line.split()[-1]) < 1e-5 for line in lines[:-1])


@pytest.mark.slow
def test_compare_optimizers(tmp_path):
    result = fcnet(
        "compare-optimizers",
        "--rules",
        "sgd",
        "adam",
        "--epochs",
        "2",
        "--out",
        "cmp",
        cwd=tmp_path,
    )
    assert "sgd" in result.stdout and "adam" in result.stdout
    assert_real_png(tmp_path / "cmp" / "optimizers.png")
    data = json.loads((tmp_path / "cmp" / "optimizers.json").read_text())
    assert set(data) == {"sgd", "adam"} and data["sgd"]["learning_rate"] == 0.1


@pytest.mark.slow
def test_search_gives_the_same_results_with_one_or_two_jobs(tmp_path):
    for jobs in (1, 2):
        fcnet(
            "search",
            "--trials",
            "3",
            "--epochs",
            "2",
            "--jobs",
            jobs,
            "--out",
            f"s{jobs}",
            cwd=tmp_path,
        )
    one = (tmp_path / "s1" / "results.csv").read_text()
    assert one == (tmp_path / "s2" / "results.csv").read_text()
    assert len(one.strip().splitlines()) == 4
    assert_real_png(tmp_path / "s1" / "search.png")
    assert (tmp_path / "s1" / "best_model.npz").is_file()


@pytest.mark.slow
def test_search_resumes_in_the_same_directory(tmp_path):
    fcnet("search", "--trials", "2", "--epochs", "1", "--out", "s", cwd=tmp_path)
    first = (tmp_path / "s" / "results.csv").read_text()
    result = fcnet("search", "--trials", "3", "--epochs", "1", "--out", "s", cwd=tmp_path)
    assert result.stdout.count("  trial ") == 1  # only the new trial ran
    rows = (tmp_path / "s" / "results.csv").read_text().strip().splitlines()
    assert len(rows) == 4 and rows[:3] == first.strip().splitlines()


@pytest.mark.slow
def test_grid_search(tmp_path):
    fcnet(
        "search",
        "--mode",
        "grid",
        "--lr",
        "1e-3",
        "3e-3",
        "--reg",
        "0",
        "1e-3",
        "--hidden",
        "32",
        "--epochs",
        "1",
        "--out",
        "g",
        cwd=tmp_path,
    )
    assert len((tmp_path / "g" / "results.csv").read_text().strip().splitlines()) == 5


@pytest.mark.slow
@pytest.mark.skipif(
    not FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is not installed"
)
def test_train_on_a_fashion_mnist_subset(tmp_path):
    result = fcnet(
        "train",
        "--dataset",
        "fashion-mnist",
        "--limit",
        "3000",
        "--hidden",
        "64",
        "--epochs",
        "2",
        "--out",
        "f",
        "--quiet",
        cwd=tmp_path,
    )
    accuracy = float(result.stdout.split("Final validation accuracy:")[1].split()[0])
    assert accuracy > 0.6
    assert_real_png(tmp_path / "f" / "weights.png")


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "--optimizer", "adamax"], "invalid choice: 'adamax'"),
        (["train", "--hidden", "0"], "argument --hidden: expected an integer >= 1, got 0"),
        (
            ["train", "--dropout", "1.5"],
            "argument --dropout: expected a finite number >= 0 and < 1, got 1.5",
        ),
        (["train", "--dataset", "mnist", "--data-dir", "nowhere"], "nowhere does not exist"),
        (["evaluate", "missing.npz", "--dataset", "digits"], "missing.npz: no such file"),
        (["train", "--config", "nope.json"], "--config nope.json: no such file"),
    ],
)
def test_bad_input_gives_one_line_and_a_nonzero_exit(tmp_path, args, message):
    result = fcnet(*args, cwd=tmp_path, check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert not (tmp_path / "runs").exists()


def test_every_command_has_help_with_examples(tmp_path):
    for command in ("train", "evaluate", "predict", "compare-optimizers", "search", "gradcheck"):
        result = fcnet(command, "--help", cwd=tmp_path)
        assert "examples:" in result.stdout and "fcnet " + command.split()[0] in result.stdout


def test_console_script_is_installed(tmp_path):
    import shutil

    exe = shutil.which("fcnet")
    if exe is None:
        pytest.skip("the console script is not on PATH")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("fcnet ")


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("dropout, reg", [(0.0, 0.0), (0.3, 3.14)])
def test_gradcheck_passes_its_default_tolerance_for_every_option(
    activation, normalization, dropout, reg
):
    from fcnet.experiments import gradient_check
    from fcnet.runs import TrainConfig

    config = TrainConfig(
        hidden_dims=[20, 30],
        activation=activation,
        normalization=normalization,
        dropout=dropout,
        reg=reg,
    )
    for seed in range(2):
        errors = gradient_check(config, num_samples=4, seed=seed)
        assert max(errors.values()) < 1e-7, errors  # the command's default --tolerance


@pytest.mark.parametrize("argv, expected", [([], 1), (["--threads", "2"], 2)])
def test_commands_run_with_one_blas_thread_unless_told(monkeypatch, argv, expected):
    from threadpoolctl import threadpool_info

    from fcnet import cli

    seen = []
    monkeypatch.setattr(
        cli,
        "cmd_train",
        lambda args: seen.extend(
            info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
        ),
    )
    assert cli.main(["train", *argv]) == 0
    assert seen and set(seen) == {expected}
