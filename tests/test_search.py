"""fcnet.search on Optuna, on one machine: pruning through the Solver's epoch callback, TPE, the study's queue."""

import csv

import pytest

pytest.importorskip("optuna")

from fcnet.runs import TrainConfig  # noqa: E402
from fcnet.search import run_search  # noqa: E402


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_median_pruner_stops_poor_trials_after_an_epoch_and_they_are_not_ranked(tmp_path):
    base = TrainConfig.from_dict({"num_epochs": 5, "limit": 600}, "test")
    ranked = run_search(
        base,
        tmp_path / "s",
        {"learning_rate": (1e-6, 1e-1), "hidden_dims": [[32]]},
        num_trials=8,
        seed=4,
        pruner="median",
    )
    results = rows(tmp_path / "s" / "results.csv")
    pruned = [r for r in results if r["stop_reason"] == "pruned"]
    assert len(results) == 8 and pruned, results
    assert all(int(r["epochs"]) < 5 for r in pruned)
    assert {r["trial"] for r in ranked} == {
        int(r["trial"]) for r in results if r["stop_reason"] == "completed"
    }
    history = rows(tmp_path / "s" / "pruning.csv")
    assert {r["state"] for r in history} == {"complete", "pruned"}
    assert (tmp_path / "s" / "best_model.npz").is_file()


def test_tpe_mode_runs_the_number_of_trials_asked(tmp_path):
    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    run_search(
        base, tmp_path / "t", {"hidden_dims": [[16], [32]]}, mode="tpe", num_trials=3, seed=0
    )
    results = rows(tmp_path / "t" / "results.csv")
    assert len(results) == 3 and len({r["trial"] for r in results}) == 3
    assert {r["hidden_dims"] for r in results} <= {"[16]", "[32]"}
    # resumed with more trials, it runs only the new ones
    run_search(
        base, tmp_path / "t", {"hidden_dims": [[16], [32]]}, mode="tpe", num_trials=4, seed=0
    )
    again = rows(tmp_path / "t" / "results.csv")
    assert len(again) == 4 and again[:3] == results


def test_a_local_search_killed_mid_trial_resumes_with_that_trial_run_again(tmp_path):
    import optuna

    from fcnet import study_engine, study_storage

    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    run_search(base, tmp_path / "k", {"hidden_dims": [[16]]}, num_trials=2, seed=0)
    study = study_engine.open_study(
        study_storage.local_storage(tmp_path / "k"), study_engine.LOCAL_STUDY
    )
    study.enqueue_trial({}, user_attrs={study_engine.INDEX: 2})
    study.ask()  # a worker took trial 2, then the machine died (SIGKILL): it stays RUNNING in the journal
    ranked = run_search(base, tmp_path / "k", {"hidden_dims": [[16]]}, num_trials=3, seed=0)
    assert sorted(r["trial"] for r in ranked) == [0, 1, 2]
    states = [(t.user_attrs.get(study_engine.INDEX), t.state) for t in study.get_trials()]
    assert states.count((2, optuna.trial.TrialState.COMPLETE)) == 1
    assert (2, optuna.trial.TrialState.FAIL) in states and (
        0,
        optuna.trial.TrialState.COMPLETE,
    ) in states


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    import os

    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.slow
def test_local_workers_end_when_their_coordinator_is_killed(tmp_path):
    """Trial 2026-12-01, N23: after a SIGKILL of `fcnet search --jobs 2`, its workers went on training every trial
    and waited for a parent that was gone."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    command = [shutil.which("fcnet")] if shutil.which("fcnet") else [sys.executable, "-m", "fcnet"]
    coordinator = subprocess.Popen(
        [
            *command,
            "search",
            "--trials",
            "6",
            "--epochs",
            "40",
            "--hidden",
            "256,256",
            "--jobs",
            "2",
            "--out",
            "S",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = [
            pid
            for pid in _children(coordinator.pid)
            if "fcnet" in open(f"/proc/{pid}/cmdline").read()
            or "python" in open(f"/proc/{pid}/cmdline").read()
        ]
        time.sleep(0.2)
    assert workers, "the search started no worker process"
    time.sleep(2)  # the workers are training
    coordinator.send_signal(signal.SIGKILL)
    coordinator.wait()
    deadline = time.monotonic() + 20
    while (
        any(
            os.path.exists(f"/proc/{pid}")
            and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
            for pid in workers
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    alive = [
        pid
        for pid in workers
        if os.path.exists(f"/proc/{pid}")
        and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    ]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived their coordinator"
