"""The second bad-input trial (2026-12-01) through the installed `fcnet` command: runs that are not lost, resume
that trusts the checkpoint, bounded sizes, options checked before anything is written (cases N7-N12, N24, N25,
N43-N50, N74-N81, N83-N86, N91-N93, #85). Each case: one line on stderr naming the option or file, no traceback."""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from test_bad_files import rewrite

FCNET = shutil.which("fcnet")
pytestmark = pytest.mark.slow  # a process per case


def fcnet(*args, cwd, wait=True):
    command = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    if not wait:
        return subprocess.Popen(
            [*command, *map(str, args)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    return subprocess.run(
        [*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def one_line_error(result, *fragments):
    lines = result.stderr.strip().splitlines()
    assert result.returncode in (1, 2) and lines and lines[-1].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[-1], (fragment, lines[-1])
    return lines[-1]


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory):
    """B: a digits run of 6 epochs stopped after epoch 3 (as if killed), kept pristine; copy it per case."""
    root = tmp_path_factory.mktemp("runs")
    result = fcnet(
        "train",
        "--epochs",
        "3",
        "--hidden",
        "20",
        "--quiet",
        "--keep-checkpoints",
        "5",
        "--out",
        "B",
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((root / "B" / "config.json").read_text())
    (root / "B" / "config.json").write_text(json.dumps({**config, "num_epochs": 6}))
    return root / "B"


def copy_run(stopped_run, tmp_path, name="K"):
    target = tmp_path / name
    shutil.copytree(stopped_run, target)
    return target


def newest_checkpoint(run):
    return max(run.glob("checkpoint_epoch_*.npz"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))


# ---- no run lost ----------------------------------------------------------------------------------------------
def test_two_trainings_into_one_directory_cannot_both_write_it(tmp_path):
    """N7, N25: started together, both used to exit 0, leaving one run's model beside the other's config."""
    first = fcnet(
        "train",
        "--epochs",
        "20",
        "--hidden",
        "10",
        "--quiet",
        "--out",
        "X",
        cwd=tmp_path,
        wait=False,
    )
    second = fcnet(
        "train",
        "--epochs",
        "2",
        "--hidden",
        "50",
        "--activation",
        "tanh",
        "--quiet",
        "--out",
        "X",
        cwd=tmp_path,
        wait=False,
    )
    results = [(p, *p.communicate(timeout=300)) for p in (first, second)]
    succeeded = [p for p, _, _ in results if p.returncode == 0]
    assert len(succeeded) == 1, [(p.returncode, err) for p, _, err in results]
    for p, _, err in results:
        if p.returncode != 0:
            assert err.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in err
            assert "being written by process" in err or "exists" in err
    config = json.loads((tmp_path / "X" / "config.json").read_text())
    summary = json.loads((tmp_path / "X" / "summary.json").read_text())
    assert (config["hidden_dims"], summary["epochs"]) in (([10], 20), ([50], 2))  # one run, whole
    info = fcnet("info", tmp_path / "X", cwd=tmp_path)
    assert f"[{config['hidden_dims'][0]}]" in info.stdout


def test_a_locked_run_directory_names_the_process_that_holds_it(tmp_path):
    import fcntl

    (tmp_path / "L").mkdir()
    with open(tmp_path / "L" / ".fcnet.lock", "w") as lock:
        lock.write("4242")
        lock.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = fcnet("train", "--epochs", "1", "--quiet", "--out", "L", cwd=tmp_path)
    one_line_error(result, "run directory L is being written by process 4242")


def test_force_replaces_only_an_fcnet_run(tmp_path):
    """N8: --force deleted a user's config.json and weights.png."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "config.json").write_text('{"my": "app settings"}')
    (proj / "README").write_text("notes")
    result = fcnet("train", "--epochs", "1", "--quiet", "--force", "--out", "proj", cwd=tmp_path)
    one_line_error(result, "--force replaces only an fcnet run directory", "README")
    assert (proj / "config.json").read_text() == '{"my": "app settings"}'
    run = fcnet("train", "--epochs", "1", "--hidden", "8", "--quiet", "--out", "run", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    again = fcnet(
        "train",
        "--epochs",
        "1",
        "--hidden",
        "9",
        "--quiet",
        "--force",
        "--out",
        "run",
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "run" / "config.json").read_text())["hidden_dims"] == [9]


def test_compare_optimizers_checks_every_rule_and_the_output_before_training(tmp_path):
    """N9 (adam trained, then sgd refused beta1) and N10 (a read-only --out after all the training)."""
    result = fcnet(
        "compare-optimizers",
        "--beta1",
        "0.5",
        "--rules",
        "adam",
        "sgd",
        "--epochs",
        "1",
        "--out",
        "cmp",
        cwd=tmp_path,
    )
    one_line_error(result, "rule sgd", "beta1")
    assert "best val" not in result.stdout and not (tmp_path / "cmp").exists()
    (tmp_path / "a_file").write_text(
        "not a directory"
    )  # an --out that cannot be created, even by root
    result = fcnet(
        "compare-optimizers",
        "--rules",
        "sgd",
        "--epochs",
        "1",
        "--out",
        tmp_path / "a_file" / "C",
        cwd=tmp_path,
    )
    one_line_error(result, "not writable")
    assert "best val" not in result.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--optimizer", "sgd", "--momentum", "0.9"], "momentum"),  # N80
        (["--schedule", "cosine", "--lr-decay", "0.5"], "lr_decay=0.5"),  # N81
    ],
)
def test_search_checks_its_options_before_creating_the_directory(tmp_path, args, fragment):
    result = fcnet("search", *args, "--trials", "2", "--epochs", "1", "--out", "S", cwd=tmp_path)
    one_line_error(result, fragment)
    assert not (tmp_path / "S").exists()


# ---- resume trusts the checkpoint -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "edit, fragment",
    [
        ({"seed": 7}, "seed 0 in the checkpoint, 7 now"),  # N11
        ({"limit": 600}, "limit None in the checkpoint, 600 now"),  # N12
    ],
)
def test_resume_refuses_a_config_that_would_change_the_data(stopped_run, tmp_path, edit, fragment):
    run = copy_run(stopped_run, tmp_path)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, **edit}))
    before = files_of(run)
    result = fcnet("train", "--resume", run, "--quiet", cwd=tmp_path)
    one_line_error(result, fragment)
    assert files_of(run) == before  # nothing in the run was changed


def files_of(run):
    """Every file of a run directory and its bytes (the lock file aside: a command may create it)."""
    return {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.name != ".fcnet.lock"}


def damage(run, **changes):
    """The run's newest checkpoint rewritten with `changes` (rewrite's meta, arrays, drop); the others removed, so
    that a resume has only the damaged one to go on from."""
    path = newest_checkpoint(run)
    for other in run.glob("checkpoint_*.npz"):
        if other != path:
            other.unlink()
    rewrite(path, path.with_suffix(".tmp.npz"), **changes)
    path.with_suffix(".tmp.npz").replace(path)
    return path


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            lambda m: {**m, "trainer": {**m["trainer"], "epoch": 10**9, "t": 10**10}},
            "epoch is 1000000000",
        ),  # N24
        (
            lambda m: {**m, "trainer": {k: v for k, v in m["trainer"].items() if k != "settings"}},
            "'settings'",
        ),  # N43
        (
            lambda m: {
                **m,
                "trainer": {k: v for k, v in m["trainer"].items() if k != "best_val_acc"},
            },
            "'best_val_acc'",
        ),  # N45
        (
            lambda m: {**m, "trainer": {k: v for k, v in m["trainer"].items() if k != "epoch"}},
            "'epoch'",
        ),  # N46
        (
            lambda m: {**m, "trainer": {**m["trainer"], "settings": "x"}},
            "settings is a str",
        ),  # N47
        (lambda m: {**m, "trainer": {**m["trainer"], "t": "75"}}, "iteration t is '75'"),  # N74
        (
            lambda m: {**m, "trainer": {**m["trainer"], "rng_state": {"state": "x"}}},
            "rng_state",
        ),  # N75
    ],
)
def test_resume_refuses_a_damaged_checkpoint_naming_it(stopped_run, tmp_path, change, fragment):
    run = copy_run(stopped_run, tmp_path)
    path = damage(run, meta=change)
    result = fcnet("train", "--resume", run, "--quiet", cwd=tmp_path)
    line = one_line_error(result, fragment)
    assert path.name in line or "no readable checkpoint" in line


def test_resume_refuses_a_checkpoint_without_history(stopped_run, tmp_path):
    """N44: KeyError: 'loss_history'."""
    run = copy_run(stopped_run, tmp_path)
    with np.load(newest_checkpoint(run)) as data:
        history = [name for name in data.files if name.startswith("history/")]
    damage(run, drop=history)
    line = one_line_error(fcnet("train", "--resume", run, "--quiet", cwd=tmp_path))
    assert "damaged" in line or "loss_history" in line


def test_resume_refuses_a_negative_adam_step_and_nan_parameters(stopped_run, tmp_path):
    """N76 (math domain error) and N77 (blamed the learning rate)."""
    run = copy_run(stopped_run, tmp_path)
    damage(run, arrays={"optim/W1/t": np.array(-5)})
    one_line_error(fcnet("train", "--resume", run, "--quiet", cwd=tmp_path), "W1/t")
    run2 = copy_run(stopped_run, tmp_path, "K2")
    with np.load(newest_checkpoint(run2)) as data:
        w = data["param/W1"].copy()
    w[0, 0] = np.nan
    damage(run2, arrays={"param/W1": w})
    one_line_error(
        fcnet("train", "--resume", run2, "--quiet", cwd=tmp_path), "param/W1", "non-finite"
    )


def test_resume_with_fewer_epochs_than_trained_is_an_error(stopped_run, tmp_path):
    """N78: the smaller --epochs was ignored."""
    run = copy_run(stopped_run, tmp_path)
    result = fcnet("train", "--resume", run, "--epochs", "2", "--quiet", cwd=tmp_path)
    one_line_error(result, "--epochs 2 is fewer than the 3 epochs")


# ---- bounded sizes ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "--hidden", "1000000", "1000000", "--out", "o"], "--hidden"),  # N48
        (
            ["compare-optimizers", "--hidden", "100000", "100000", "--rules", "sgd", "--out", "o"],
            "GiB",
        ),  # N49
        (["gradcheck", "--samples", "100000000"], "--samples"),  # N50
        (["search", "--trials", "100000000", "--out", "S"], "--trials"),  # N83
        (
            ["search", "--heartbeat", "99999999999", "--trials", "1", "--out", "S"],
            "--heartbeat",
        ),  # N32
        (["train", "--seed", "99999999999", "--out", "o"], "--seed"),  # N92
        (["gradcheck", "--samples", "1", "--normalization", "batchnorm"], "--samples 1"),  # #85
    ],
)
def test_sizes_are_bounded_and_named(tmp_path, args, fragment):
    result = (
        fcnet(*args, "--epochs", "1", cwd=tmp_path)
        if args[0] != "gradcheck"
        else fcnet(*args, cwd=tmp_path)
    )
    one_line_error(result, fragment)
    assert not (tmp_path / "o").exists() and not (tmp_path / "S").exists()


def test_a_config_with_an_absurd_width_is_refused(tmp_path):
    """N91: 'Maximum allowed dimension exceeded'."""
    (tmp_path / "c.json").write_text('{"hidden_dims": [100000000000000000000]}')
    one_line_error(fcnet("train", "--config", "c.json", cwd=tmp_path), "c.json", "hidden_dims")


def test_search_jobs_are_bounded_by_the_machine(tmp_path):
    """N84: 64 workers on 2 cores, no warning."""
    cores = os.cpu_count() or 1
    result = fcnet(
        "search",
        "--trials",
        "2",
        "--epochs",
        "1",
        "--jobs",
        4 * cores + 1,
        "--out",
        "S",
        cwd=tmp_path,
    )
    one_line_error(result, f"--jobs {4 * cores + 1}", f"{cores} cores")


# ---- files beside a model, inputs, and what a message blames ------------------------------------------------------
@pytest.fixture(scope="module")
def digits_run(stopped_run):
    return stopped_run  # a finished 3-epoch digits run: model.npz, config.json, summary.json


def test_predict_refuses_a_npy_header_declaring_a_huge_array(digits_run, tmp_path):
    """N51: 640 bytes declaring (10^9, 64) float64."""
    with open(tmp_path / "hugehdr.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (10**9, 64)}
        )
    one_line_error(
        fcnet("predict", digits_run, "hugehdr.npy", cwd=tmp_path), "hugehdr.npy", "declares shape"
    )
    with open(tmp_path / "short.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (1000, 64)}
        )
    one_line_error(
        fcnet("predict", digits_run, "short.npy", cwd=tmp_path), "short.npy", "but holds"
    )


@pytest.mark.parametrize("side", [20000, 10000])
def test_predict_refuses_an_image_of_too_many_pixels_before_decoding_it(
    digits_run, tmp_path, side
):
    """N52 (PIL's DecompressionBombError traceback) and N85 (2.8 GB to read a 97 KB PNG)."""
    from PIL import Image

    Image.new("L", (side, side)).save(tmp_path / "bomb.png")
    result = fcnet("predict", digits_run, "bomb.png", "--resize", cwd=tmp_path)
    one_line_error(result, "bomb.png")
    assert "DecompressionBombWarning" not in result.stderr


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"dataset": "digits", "limit": "abc"}, "limit"),  # N88
        ({"dataset": ["digits"]}, "dataset"),  # N89
        ({"dataset": "digits", "seed": -3}, "seed"),  # N90
    ],
)
def test_a_bad_config_beside_a_model_is_named(digits_run, tmp_path, config, fragment):
    run = tmp_path / "R"
    run.mkdir()
    shutil.copy(digits_run / "model.npz", run / "model.npz")
    (run / "config.json").write_text(json.dumps(config))
    np.save(tmp_path / "x.npy", np.zeros((2, 64), np.float32))
    for args in (["evaluate", run], ["predict", run, "x.npy"]):
        one_line_error(fcnet(*args, cwd=tmp_path), "config.json", fragment)


def test_a_summary_of_wrong_types_is_named(digits_run, tmp_path):
    """N87: 'Unknown format code 'f' for object of type 'str''."""
    run = copy_run(digits_run, tmp_path)
    (run / "summary.json").write_text(
        '{"epochs": "x", "stop_reason": "completed", "best_val_acc": "high"}'
    )
    one_line_error(fcnet("info", run, cwd=tmp_path), "summary.json")


def test_a_fifo_config_is_named_as_not_a_regular_file(tmp_path):
    """N93: 'no such file' for a FIFO."""
    os.mkfifo(tmp_path / "f.json")
    one_line_error(
        fcnet("train", "--config", "f.json", cwd=tmp_path), "f.json", "not a regular file"
    )


def test_evaluate_never_downloads_unless_asked(digits_run, tmp_path):
    """Notes of the trial: an edited config.json naming cifar10 started a 170 MB download."""
    run = tmp_path / "R"
    run.mkdir()
    shutil.copy(digits_run / "model.npz", run / "model.npz")
    config = json.loads((digits_run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "dataset": "cifar10"}))
    env_home = tmp_path / "home"
    result = subprocess.run(
        [FCNET or "fcnet", "evaluate", str(run)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FCNET_DATA": str(env_home)},
    )
    one_line_error(result, "CIFAR-10 is not in", "--download")
    assert (
        "Downloading" not in result.stderr + result.stdout
        and not (env_home / "cifar-10-python.tar.gz").exists()
    )


def test_divergence_from_weight_decay_blames_the_weight_decay(tmp_path):
    """N79: it blamed the learning rate."""
    result = fcnet(
        "train", "--weight-decay", "1e6", "--epochs", "2", "--quiet", "--out", "o", cwd=tmp_path
    )
    assert "weight_decay (1e+06) times the learning rate" in result.stderr, result.stderr


def test_a_grid_search_at_learning_rate_zero_plots_without_warnings(tmp_path):
    """N82: divide by zero encountered in log."""
    result = fcnet(
        "search",
        "--mode",
        "grid",
        "--lr",
        "0",
        "--reg",
        "0",
        "--trials",
        "1",
        "--epochs",
        "1",
        "--out",
        "S",
        cwd=tmp_path,
    )
    assert result.returncode == 0 and "RuntimeWarning" not in result.stderr, result.stderr
    assert (tmp_path / "S" / "search.png").is_file()


def test_an_interrupted_training_says_how_to_resume(tmp_path):
    """N86: Ctrl-C just after model.npz appears (while the plots are drawn) said only 'error: interrupted'."""
    process = fcnet(
        "train",
        "--epochs",
        "3",
        "--hidden",
        "20",
        "--quiet",
        "--out",
        "o",
        cwd=tmp_path,
        wait=False,
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "o" / "model.npz").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(2)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("the run ended before the signal arrived")
    assert process.returncode == 130, err
    assert "fcnet train --resume o" in err
    assert fcnet("train", "--resume", "o", "--quiet", cwd=tmp_path).returncode == 0
