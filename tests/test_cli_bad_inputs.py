"""Every bad input of the command-line report (2026-11-23), through the installed `fcnet` console script: exit
status 2 (usage) or 1 (runtime), one line on stderr naming the argument or file with the expected and the actual
value, no traceback, and nothing changed on disk."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

FCNET = shutil.which("fcnet")
pytestmark = pytest.mark.slow  # a process per case; the fast loop keeps test_cli.py's


def fcnet(*args, cwd, stdin=None):
    command = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


def snapshot(root):
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def assert_one_line_error(result, status, *fragments):
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A digits run directory (R in the report)."""
    cwd = tmp_path_factory.mktemp("cli")
    result = fcnet("train", "--epochs", "3", "--hidden", "20", "--quiet", "--out", "R", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd


@pytest.fixture
def workdir(tmp_path):
    if FCNET is None:
        pytest.fail("the fcnet console script is not on PATH: install fcnet (pip install -e .)")
    return tmp_path


def write_config(path, values):
    path.write_text(json.dumps(values))
    return path.name


TRAIN_CASES = [
    (
        ["--config", "list.json"],
        {"list.json": [1, 2]},
        2,
        ["--config list.json must hold a JSON object", "list"],
    ),
    (
        ["--config", "strnum.json"],
        {"strnum.json": {"learning_rate": "0.01"}},
        2,
        ["--config strnum.json: learning_rate must be a real number, got '0.01'"],
    ),
    (
        ["--config", "hidden.json"],
        {"hidden.json": {"hidden_dims": "100"}},
        2,
        ["--config hidden.json: hidden_dims must be a list of positive integers, got '100'"],
    ),
    (
        ["--config", "unknown.json"],
        {"unknown.json": {"lr": 0.1}},
        2,
        ["--config unknown.json: unknown key ['lr']"],
    ),
    (["--limit", "0"], {}, 2, ["argument --limit: expected an integer >= 1, got 0"]),
    (["--limit", "-1"], {}, 2, ["argument --limit: expected an integer >= 1, got -1"]),
    (["--limit", "5"], {}, 2, ["limit must be at least 20 training samples", "got 5"]),
    (["--seed", "-1"], {}, 2, ["argument --seed: expected an integer >= 0, got -1"]),
    (
        ["--schedule-options", "[1,2]"],
        {},
        2,
        ["argument --schedule-options: expected a JSON object", "'[1,2]'"],
    ),
    (
        ["--schedule", "step", "--schedule-options", '{"step_size": 0}'],
        {},
        2,
        ["step_size must be an integer >= 1, got 0"],
    ),
    (["--lr", "inf"], {}, 2, ["argument --lr: expected a finite number >= 0, got inf"]),
    (["--batch-size", "0"], {}, 2, ["argument --batch-size: expected an integer >= 1, got 0"]),
]


@pytest.mark.parametrize(
    "args, files, status, fragments", TRAIN_CASES, ids=[" ".join(c[0]) for c in TRAIN_CASES]
)
def test_train_bad_options(workdir, args, files, status, fragments):
    for name, values in files.items():
        write_config(workdir / name, values)
    before = snapshot(workdir)
    assert_one_line_error(fcnet("train", *args, "--out", "run", cwd=workdir), status, *fragments)
    assert snapshot(workdir) == before


def test_train_out_that_is_a_file(workdir):
    (workdir / "existing.txt").write_text("mine")
    before = snapshot(workdir)
    assert_one_line_error(
        fcnet("train", "--out", "existing.txt", cwd=workdir),
        2,
        "--out existing.txt is a file, not a directory",
    )
    assert snapshot(workdir) == before


@pytest.fixture
def mounted(tmp_path):
    """mount(options) -> a fresh tmpfs mounted with those options in tmp_path (unmounted afterwards)."""
    mounts = []

    def mount(options):
        target = tmp_path / f"mnt{len(mounts)}"
        target.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
        )
        if result.returncode != 0:
            pytest.skip(
                f"cannot mount a tmpfs here (needs root): {result.stderr.decode().strip()}"
            )
        mounts.append(target)
        return target

    yield mount
    for target in mounts:
        subprocess.run(["umount", str(target)], capture_output=True)


def test_train_out_on_a_read_only_filesystem(workdir, mounted):
    target = mounted("ro")
    result = fcnet("train", "--epochs", "1", "--out", target / "run", cwd=workdir)
    assert_one_line_error(result, 1, "Read-only file system", str(target / "run"))
    assert not (target / "run").exists()


def test_train_out_on_a_full_filesystem_keeps_the_last_good_checkpoint(workdir, mounted):
    target = mounted("size=256k")
    result = fcnet(
        "train",
        "--hidden",
        "60",
        "--epochs",
        "30",
        "--quiet",
        "--out",
        target / "run",
        cwd=workdir,
    )
    assert_one_line_error(result, 1, "No space left on device", str(target / "run"))
    assert not list((target / "run").glob(".*.tmp")), (
        "a half-written temporary file was left behind"
    )
    checkpoints = list((target / "run").glob("checkpoint_epoch_*.npz"))
    assert checkpoints and (target / "run" / "config.json").is_file()
    # and the run continues elsewhere once there is room: --resume reads what the full disk kept
    shutil.copytree(target / "run", workdir / "moved")
    resumed = fcnet("train", "--resume", "moved", cwd=workdir)
    assert resumed.returncode == 0, resumed.stderr
    assert (workdir / "moved" / "model.npz").is_file()


def test_predict_and_evaluate_bad_files(run_dir):
    from PIL import Image

    cwd = run_dir
    np.save(cwd / "object.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(cwd / "string.npy", np.array(["abc", "def"]))
    np.save(cwd / "empty.npy", np.zeros((0, 64), np.float32))
    np.save(cwd / "nan.npy", np.full((1, 64), np.nan, np.float32))
    (cwd / "fake.png").write_text("not an image")
    Image.fromarray(np.zeros((30, 50), np.uint8)).save(cwd / "wrong30x50.png")
    good = cwd / "good.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(good)
    (cwd / "truncated.png").write_bytes(good.read_bytes()[:40])
    before = snapshot(cwd)
    cases = [
        (
            ["predict", "R", "object.npy"],
            "object.npy cannot be read as a numeric array without pickle",
        ),
        (["predict", "R", "string.npy"], "string.npy holds <U3 values; expected numbers"),
        (["predict", "R", "empty.npy"], "empty.npy holds no samples (shape (0, 64))"),
        (["predict", "R", "nan.npy"], "nan.npy holds 64 non-finite values"),
        (["predict", "R", "fake.png"], "fake.png is not a readable image"),
        (["predict", "R", "truncated.png"], "truncated.png is not a readable image"),
        (
            ["predict", "R", "wrong30x50.png"],
            "wrong30x50.png is 50x30, but the model expects 64 values per sample; give --resize",
        ),
        (
            ["predict", "R", "good.png", "--top", "0"],
            "argument --top: expected an integer >= 1, got 0",
        ),
        (["predict", "object.npy", "good.png"], "object.npy is not a readable fcnet file"),
        (["evaluate", "R", "--limit", "0"], "argument --limit: expected an integer >= 1, got 0"),
        (
            ["gradcheck", "--tolerance", "-1"],
            "argument --tolerance: expected a finite number > 0, got -1",
        ),
        (["gradcheck", "--dtype", "float32"], "unrecognized arguments: --dtype float32"),
        (["gradcheck", "--samples", "0"], "argument --samples: expected an integer >= 1, got 0"),
        (
            ["gradcheck", "--samples", "1", "--normalization", "batchnorm"],
            "needs at least 2 samples per batch",
        ),
        (
            ["search", "--trials", "0", "--out", "S"],
            "argument --trials: expected an integer >= 1, got 0",
        ),
        (
            ["search", "--reg", "0", "1e-3", "--out", "S"],
            "the reg range of a random search is sampled log-uniformly",
        ),
        (
            ["search", "--lr", "-1", "1", "--out", "S"],
            "argument --lr: expected a finite number >= 0, got -1",
        ),
        (
            ["compare-optimizers", "--lrs", "adam", "--out", "C"],
            "argument --lrs: expected RULE=LR",
        ),
        (
            ["compare-optimizers", "--lrs", "sgdd=0.1", "--out", "C"],
            "argument --lrs: expected RULE=LR",
        ),
        (
            ["compare-optimizers", "--optimizer", "adam", "--out", "C"],
            "unrecognized arguments: --optimizer adam",
        ),
    ]
    for args, fragment in cases:
        result = fcnet(*args, cwd=cwd)
        assert_one_line_error(result, 2, fragment)
    assert snapshot(cwd) == before
    resized = fcnet("predict", "R", "wrong30x50.png", "--resize", cwd=cwd)
    assert resized.returncode == 0 and resized.stdout.startswith("wrong30x50.png: ")


def test_broken_config_beside_a_model_is_named(run_dir, tmp_path):
    shutil.copytree(run_dir / "R", tmp_path / "R")
    (tmp_path / "R" / "config.json").write_text("{broken")
    result = fcnet("evaluate", "R", cwd=tmp_path)
    assert_one_line_error(result, 2, "R/config.json (beside the model) is not valid JSON")


def test_search_resumed_with_another_space_is_refused(workdir):
    first = fcnet(
        "search",
        "--trials",
        "1",
        "--epochs",
        "1",
        "--lr",
        "1e-3",
        "1e-2",
        "--out",
        "S",
        cwd=workdir,
    )
    assert first.returncode == 0, first.stderr
    before = snapshot(workdir)
    result = fcnet(
        "search", "--trials", "2", "--epochs", "1", "--lr", "0.5", "1", "--out", "S", cwd=workdir
    )
    assert_one_line_error(result, 2, "S holds another search", "space")
    result = fcnet(
        "search", "--mode", "grid", "--epochs", "1", "--lr", "1e-3", "--out", "S", cwd=workdir
    )
    assert_one_line_error(result, 2, "S holds another search", "mode 'random' there, 'grid' now")
    assert snapshot(workdir) == before


def test_output_into_a_closed_pipe_exits_quietly(run_dir):
    command = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
    pipeline = subprocess.run(
        " ".join([*command, "evaluate", "R", "|", "head", "-1"]),
        shell=True,
        cwd=run_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pipeline.stdout.startswith("digits, test split")
    assert pipeline.stderr == ""


def test_evaluate_and_predict_show_class_names(tmp_path):
    result = fcnet(
        "train",
        "--dataset",
        "fashion-mnist",
        "--limit",
        "2000",
        "--hidden",
        "32",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        "F",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    result = fcnet("evaluate", "F", "--limit", "500", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "fashion-mnist, test split (500 samples)" in result.stdout
    assert "Ankle boot" in result.stdout and "T-shirt/top" in result.stdout
    np.save(tmp_path / "x.npy", np.zeros((1, 784), np.float32))
    result = fcnet("predict", "F", "x.npy", cwd=tmp_path)
    from fcnet.data import CLASS_NAMES

    assert result.stdout.split(": ", 1)[1].split("  (")[0] in CLASS_NAMES["fashion-mnist"]
    info = fcnet("info", "F", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert (
        "784 inputs -> [32] -> 10 classes" in info.stdout and "25,088" in info.stdout
    )  # W1: 784 x 32
    assert "trained on fashion-mnist with adam" in info.stdout


def test_compare_optimizers_uses_the_learning_rate_given(workdir):
    result = fcnet(
        "compare-optimizers",
        "--rules",
        "sgd",
        "adam",
        "--lr",
        "0.05",
        "--lrs",
        "adam=0.002",
        "--epochs",
        "1",
        "--out",
        "C",
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    rates = {
        rule: values["learning_rate"]
        for rule, values in json.loads((workdir / "C" / "optimizers.json").read_text()).items()
    }
    assert rates == {"sgd": 0.05, "adam": 0.002}
    assert "  sgd " in result.stdout and "best val" in result.stdout  # progress per rule


def test_evaluate_train_split_is_the_runs_own_training_subset(workdir):
    assert (
        fcnet(
            "train", "--limit", "300", "--epochs", "1", "--quiet", "--out", "L", cwd=workdir
        ).returncode
        == 0
    )
    result = fcnet("evaluate", "L", "--split", "train", cwd=workdir)
    assert "train split (300 samples)" in result.stdout


def test_huge_learning_rate_is_reported_as_divergence(workdir):
    result = fcnet("train", "--lr", "1e10", "--epochs", "3", "--quiet", "--out", "D", cwd=workdir)
    assert (
        "Training stopped at iteration" in result.stderr
        and "learning rate (1e+10) is too high" in result.stderr
    )
    assert "diverged" in result.stdout


@pytest.mark.parametrize(
    "given", [["--storage", "postgresql://fcnet@127.0.0.1/db"], ["--study", "fashion"]]
)
def test_search_storage_without_study_or_the_reverse_is_refused_before_anything_is_written(
    workdir, given
):
    result = fcnet("search", *given, "--out", "S", cwd=workdir)
    assert_one_line_error(result, 2, "(--storage and --study) go together")
    assert not (workdir / "S").exists()


def _second_trial_training(search_dir) -> bool:
    """Whether the local search in search_dir has finished trial 0 and trial 1 has reported an epoch."""
    optuna = pytest.importorskip("optuna")
    from fcnet import study_engine, study_storage

    if not (search_dir / "results.csv").exists():
        return False
    study = optuna.load_study(
        study_name=study_engine.LOCAL_STUDY,
        storage=study_storage._storage(study_storage.local_storage(search_dir), 10),
    )
    return any(
        t.user_attrs.get("fcnet_index") == 1 and t.intermediate_values
        for t in study.get_trials(states=(optuna.trial.TrialState.RUNNING,))
    )


@pytest.mark.slow
def test_ctrl_c_stops_a_search_and_the_cut_trial_is_never_ranked(workdir):
    import signal
    import time

    command = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
    process = subprocess.Popen(
        [
            *command,
            "search",
            "--trials",
            "6",
            "--epochs",
            "40",
            "--hidden",
            "256,256",
            "--batch-size",
            "8",
            "--out",
            "S",
        ],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    deadline = time.monotonic() + 120
    while not _second_trial_training(workdir / "S") and time.monotonic() < deadline:
        time.sleep(
            0.05
        )  # wait until the first trial is done and the second one trains (not in between)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "run the same command again to resume" in stderr
    rows = (workdir / "S" / "results.csv").read_text().strip().splitlines()[1:]
    assert len(rows) == 2 and rows[1].endswith(
        ",interrupted"
    )  # trial 0 finished, trial 1 cut short
    assert "interrupted, not ranked" in stdout
    assert not (workdir / "S" / "trials" / "trial_0001.npz").exists()
