"""The `fcnet train` run directory as a user meets it: refused when it exists, resumed after SIGKILL, Ctrl-C or a
corrupt checkpoint, and ending as the uninterrupted run would. Every test runs the real command in a subprocess."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fcnet

# digits, slow enough per epoch (wide layers, small batches) to be killed in the middle of a run
RUN = [
    "--dataset",
    "digits",
    "--hidden",
    "256",
    "256",
    "--batch-size",
    "8",
    "--epochs",
    "8",
    "--seed",
    "3",
    "--keep-checkpoints",
    "2",
    "--quiet",
]


def fcnet_cli(*args, cwd, check=True, timeout=300):
    result = subprocess.run(
        [sys.executable, "-m", "fcnet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"fcnet {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def run_outputs(run_dir):
    """What a finished run leaves: the model's arrays, the history, the summary (without its wall time)."""
    model = fcnet.load(run_dir / "model.npz")
    arrays = {
        **{f"param/{k}": np.array(v) for k, v in model.params.items()},
        **{f"buffer/{k}": np.array(v) for k, v in model.buffers().items()},
    }
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in ("seconds", "run_dir"):
        summary.pop(key)
    return arrays, json.loads((run_dir / "history.json").read_text()), summary


def assert_same_run(a, b):
    arrays_a, history_a, summary_a = a
    arrays_b, history_b, summary_b = b
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        np.testing.assert_array_equal(arrays_a[key], arrays_b[key], err_msg=key)
    assert history_a == history_b
    assert summary_a == summary_b


def kill_after_checkpoint(cwd, run_dir, epoch, sig=signal.SIGKILL):
    """Start a run and send `sig` as soon as the checkpoint of `epoch` exists (so within the next epoch)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fcnet", "train", *RUN, "--out", str(run_dir)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    deadline = time.monotonic() + 240
    while not (run_dir / f"checkpoint_epoch_{epoch}.npz").exists():
        assert process.poll() is None, (
            f"the run ended before epoch {epoch}: {process.stderr.read()}"
        )
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.01)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run with RUN's settings."""
    cwd = tmp_path_factory.mktemp("reference")
    fcnet_cli("train", *RUN, "--out", "ref", cwd=cwd)
    return run_outputs(cwd / "ref")


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_ends_as_the_uninterrupted_run(tmp_path, reference):
    returncode, _ = kill_after_checkpoint(tmp_path, tmp_path / "r", epoch=3)
    assert returncode == -signal.SIGKILL
    assert not (tmp_path / "r" / "model.npz").exists()  # it really was cut short
    result = fcnet_cli("train", "--resume", "r", cwd=tmp_path)
    assert re.search(
        r"Resuming from checkpoint_epoch_[3-8]\.npz \(epoch [3-8], iteration \d+\)", result.stdout
    )
    assert_same_run(run_outputs(tmp_path / "r"), reference)
    kept = sorted(p.name for p in (tmp_path / "r").glob("checkpoint_*.npz"))
    assert "checkpoint_epoch_8.npz" in kept and "checkpoint_epoch_7.npz" in kept and len(kept) <= 3


@pytest.mark.slow
def test_corrupt_newest_checkpoint_falls_back_to_the_one_before(tmp_path, reference):
    kill_after_checkpoint(tmp_path, tmp_path / "r", epoch=3)
    newest = max(
        (tmp_path / "r").glob("checkpoint_epoch_*.npz"), key=lambda p: p.stat().st_mtime_ns
    )
    newest.write_bytes(
        newest.read_bytes()[:1000]
    )  # as a crash in the middle of a copy would leave it
    result = fcnet_cli("train", "--resume", "r", cwd=tmp_path)
    assert f"{newest.name} is unreadable" in result.stderr
    assert f"Resuming from {newest.name}" not in result.stdout
    assert_same_run(run_outputs(tmp_path / "r"), reference)


@pytest.mark.slow
def test_ctrl_c_keeps_the_best_state_and_resume_finishes_the_run(tmp_path, reference):
    returncode, stderr = kill_after_checkpoint(
        tmp_path, tmp_path / "r", epoch=2, sig=signal.SIGINT
    )
    assert returncode == 130
    assert "fcnet train --resume" in stderr and "Traceback" not in stderr
    assert (tmp_path / "r" / "model.npz").exists() and (
        tmp_path / "r" / "checkpoint_interrupted.npz"
    ).exists()
    fcnet_cli("train", "--resume", "r", cwd=tmp_path)
    arrays, history, summary = run_outputs(tmp_path / "r")
    ref_arrays, ref_history, ref_summary = reference
    for key in ref_arrays:
        np.testing.assert_array_equal(arrays[key], ref_arrays[key], err_msg=key)
    assert history["loss_history"] == ref_history["loss_history"]
    assert [e["event"] for e in history["events"]] == [
        "interrupted"
    ]  # the record says what happened
    assert summary == ref_summary


@pytest.mark.slow
def test_existing_run_directory_is_refused_without_resume_or_force(tmp_path):
    small = ["--epochs", "1", "--hidden", "10", "--quiet"]
    fcnet_cli("train", *small, "--out", "r", cwd=tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "r").iterdir()}
    result = fcnet_cli("train", *small, "--hidden", "50", "--out", "r", cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: run directory r exists; give --resume to continue it, --force to "
        "replace it, or another --out"
    )
    assert {
        p.name: p.read_bytes() for p in (tmp_path / "r").iterdir()
    } == before  # config.json still its model
    fcnet_cli(
        "train",
        "--epochs",
        "1",
        "--hidden",
        "50",
        "--quiet",
        "--out",
        "r",
        "--force",
        cwd=tmp_path,
    )
    assert json.loads((tmp_path / "r" / "config.json").read_text())["hidden_dims"] == [50]
    assert fcnet.load(tmp_path / "r" / "model.npz").hidden_dims == [50]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got 0"),
        (["--limit", "5"], "limit must be at least 20 training samples"),
        (
            ["--optimizer", "sgd", "--momentum", "0.9"],
            "unknown hyperparameter ['momentum'] for update rule 'sgd'",
        ),
        (
            ["--lr-decay", "-2"],
            "argument --lr-decay: expected a finite number > 0 and <= 1, got -2",
        ),
    ],
)
def test_nothing_is_created_before_every_argument_is_checked(tmp_path, args, message):
    result = fcnet_cli("train", *args, "--out", "r", cwd=tmp_path, check=False)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_resume_of_a_directory_without_a_run_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = fcnet_cli("train", "--resume", "empty", cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: --resume empty: no config.json there; it is not an fcnet run directory"
    )
    result = fcnet_cli("train", "--resume", "empty", "--hidden", "5", cwd=tmp_path, check=False)
    assert "do not give --hidden" in result.stderr
