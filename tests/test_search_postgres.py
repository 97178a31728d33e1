"""A search shared through a real PostgreSQL server: workers on the `fcnet` command, one killed with SIGKILL.

The fixture starts Debian's PostgreSQL (initdb + pg_ctl) on 127.0.0.1 in a temporary directory, as PostgreSQL's
own test helpers do; the tests are skipped, with that reason, only where the server binaries are absent.
"""

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")
pytest.importorskip("psycopg")
pytestmark = pytest.mark.slow

FCNET = shutil.which("fcnet")
COMMAND = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
ENV = {**os.environ, "MPLBACKEND": "Agg"}
SEARCH = ["--trials", "8", "--epochs", "6", "--hidden", "256,256", "--batch-size", "16", "--search-seed", "3"]
# Trials of about 1.5 s (16 epochs of about 0.1 s): long enough that a worker seen in its trial's first half is
# still in that trial when the SIGKILL lands (SEARCH's trials take 0.25 s, shorter than a look at the study).
LONG_SEARCH = ["--trials", "8", "--epochs", "16", "--hidden", "256,256", "--batch-size", "4", "--search-seed", "3"]


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are absent (Debian package postgresql; .ci/run installs it)")
    root = Path(tempfile.mkdtemp(prefix="fcnet-postgres-"))  # pytest's own temporary tree is closed to other users
    data, port = root / "data", _free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as Debian's postgres user
        as_postgres = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o777)
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "fcnet", "--auth=trust",
                    "--no-sync"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(root / "server.log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://fcnet@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def start(args, cwd):
    return subprocess.Popen([*COMMAND, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV)


def wait_for_study(url: str, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if name in optuna.get_all_study_names(storage=url):
                return
        except Exception:  # the tables may not exist yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"study {name} never appeared")


def training(url: str, name: str, pid: int, before_epoch: int | None = None) -> bool:
    """Whether process `pid` is training a trial (it has reported its epoch-0 accuracy) that has not yet reported
    epoch `before_epoch`."""
    study = optuna.load_study(study_name=name, storage=url)
    for trial in study.get_trials(states=(optuna.trial.TrialState.RUNNING,)):
        if trial.user_attrs.get("fcnet_worker", "").endswith(f":{pid}") and trial.intermediate_values and (
                before_epoch is None or max(trial.intermediate_values) < before_epoch):
            return True
    return False


def wait_until_training(url: str, name: str, pids: list[int], before_epoch: int | None = None,
                        timeout: float = 120) -> int:
    """Until one of processes `pids` is training a trial (see `training`); its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pids:
            if training(url, name, pid, before_epoch):
                return pid
        time.sleep(0.05)
    raise AssertionError(f"none of processes {pids} trained a trial")


def ended_trials(url: str, name: str) -> dict[int, list[str]]:
    """fcnet's trial index -> the states of the study's trials that ran it (spares left out)."""
    study = optuna.load_study(study_name=name, storage=url)
    by_index: dict[int, list[str]] = {}
    for trial in study.get_trials():
        if "fcnet_index" in trial.user_attrs:
            by_index.setdefault(trial.user_attrs["fcnet_index"], []).append(trial.state.name)
    return by_index


def ranking(results_csv: Path) -> list[tuple[int, str]]:
    with open(results_csv, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["stop_reason"] not in ("interrupted", "pruned")]
    return [(int(r["trial"]), r["val_acc"]) for r in sorted(rows, key=lambda r: (-float(r["val_acc"]),
                                                                                  int(r["trial"])))]


def test_a_worker_killed_mid_trial_loses_nothing_and_the_ranking_equals_one_worker(postgres_url, tmp_path):
    coordinator = start(["search", *LONG_SEARCH, "--storage", postgres_url, "--study", "killed", "--heartbeat", "1",
                         "--out", "coordinator"], tmp_path)
    wait_for_study(postgres_url, "killed")
    workers = [start(["search-worker", "--storage", postgres_url, "--study", "killed", "--heartbeat", "1", "--out",
                      f"worker{i}"], tmp_path) for i in range(2)]
    victim = wait_until_training(postgres_url, "killed", [worker.pid for worker in workers], before_epoch=8)
    os.kill(victim, signal.SIGKILL)  # mid-trial: its trial must come back to the queue
    assert training(postgres_url, "killed", victim), "the victim was no longer training when killed"
    next(worker for worker in workers if worker.pid == victim).communicate(timeout=60)
    workers = [worker for worker in workers if worker.pid != victim]
    out, err = coordinator.communicate(timeout=600)
    assert coordinator.returncode == 0, err
    for worker in workers:
        worker.communicate(timeout=300)
        assert worker.returncode == 0
    states = ended_trials(postgres_url, "killed")
    assert sorted(states) == list(range(8))
    for index, ran in states.items():  # every trial ends exactly once as complete; a killed run ends FAIL
        assert ran.count("COMPLETE") == 1 and set(ran) <= {"COMPLETE", "FAIL"}, (index, ran)
    assert sum(ran.count("FAIL") for ran in states.values()) == 1  # the killed run, and it was run again
    assert (tmp_path / "coordinator" / "best_model.npz").is_file()

    single = subprocess.run([*COMMAND, "search", *LONG_SEARCH, "--out", "single"], cwd=tmp_path, capture_output=True,
                            text=True, env=ENV, timeout=600)
    assert single.returncode == 0, single.stderr
    assert ranking(tmp_path / "coordinator" / "results.csv") == ranking(tmp_path / "single" / "results.csv")
    evaluate = subprocess.run([*COMMAND, "evaluate", "coordinator/best_model.npz", "--dataset", "digits"],
                              cwd=tmp_path, capture_output=True, text=True, env=ENV, timeout=300)
    assert evaluate.returncode == 0, evaluate.stderr


def test_a_study_resumed_after_every_worker_died_runs_only_the_remaining_trials(postgres_url, tmp_path):
    first = start(["search", *SEARCH, "--storage", postgres_url, "--study", "resumed", "--heartbeat", "1",
                   "--out", "first"], tmp_path)
    wait_for_study(postgres_url, "resumed")
    deadline = time.monotonic() + 300
    while "COMPLETE" not in sum(ended_trials(postgres_url, "resumed").values(), []):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    before = ended_trials(postgres_url, "resumed")
    done_before = {i for i, ran in before.items() if "COMPLETE" in ran}
    worker = subprocess.run([*COMMAND, "search-worker", "--storage", postgres_url, "--study", "resumed",
                             "--heartbeat", "1", "--out", "late"], cwd=tmp_path, capture_output=True, text=True,
                            env=ENV, timeout=600)
    assert worker.returncode == 0, worker.stderr
    after = ended_trials(postgres_url, "resumed")
    assert all(ran.count("COMPLETE") == 1 for ran in after.values()) and sorted(after) == list(range(8))
    rerun = {int(name.stem.split("_")[1]) for name in (tmp_path / "late" / "trials").glob("trial_*.npz")}
    assert rerun == set(range(8)) - done_before  # the finished trials were not run again


def test_search_worker_needs_an_existing_study(postgres_url, tmp_path):
    result = subprocess.run([*COMMAND, "search-worker", "--storage", postgres_url, "--study", "nothing"],
                            cwd=tmp_path, capture_output=True, text=True, env=ENV, timeout=120)
    assert result.returncode == 2 and "there is no study 'nothing'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ctrl_c_stops_a_worker_cleanly_and_queues_its_trial_again(postgres_url, tmp_path):
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description, trial_configs
    from fcnet.study_engine import open_study, prepare

    base = TrainConfig.from_dict({"num_epochs": 40, "hidden_dims": [256, 256], "batch_size": 8}, "test")
    description = search_description(base, {}, "random", 0)
    study = open_study(postgres_url, "interrupted", heartbeat=1, create=True, description=description)
    prepare(study, description, len(trial_configs(base, {}, "random", 2, 0)), local=False)
    worker = start(["search-worker", "--storage", postgres_url, "--study", "interrupted", "--heartbeat", "1",
                    "--out", "w"], tmp_path)
    wait_until_training(postgres_url, "interrupted", [worker.pid])
    worker.send_signal(signal.SIGINT)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 130 and "Traceback" not in err and "queued again" in err
    states = ended_trials(postgres_url, "interrupted")
    assert sorted(states[0]) == ["FAIL", "WAITING"], states  # cut short, and queued for the next worker
    assert "interrupted, not ranked" in out


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_a_trial_popped_by_a_worker_killed_before_its_first_heartbeat_is_run_again(postgres_url, tmp_path):
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description
    from fcnet.study_engine import open_study, prepare

    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    description = search_description(base, {}, "random", 0)
    study = open_study(postgres_url, "orphan", heartbeat=1, create=True, description=description)
    prepare(study, description, 2, local=False)
    study.ask()  # a worker popped trial 0 and died at once: RUNNING, no heartbeat, no worker named
    worker = subprocess.run([*COMMAND, "search-worker", "--storage", postgres_url, "--study", "orphan",
                             "--heartbeat", "1", "--out", "w"], cwd=tmp_path, capture_output=True, text=True,
                            env=ENV, timeout=300)
    assert worker.returncode == 0, worker.stderr
    states = ended_trials(postgres_url, "orphan")
    assert sorted(states[0]) == ["COMPLETE", "FAIL"] and states[1] == ["COMPLETE"]


def test_workers_started_together_on_an_empty_database_all_get_the_storage(postgres_url):
    """Optuna creates its tables at the first connection; six workers racing to create them used to lose with
    "duplicate key value violates unique constraint" (PostgreSQL's CREATE TYPE/TABLE are not idempotent under a
    race). The loser now retries."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE fresh")
    url = postgres_url.rsplit("/", 1)[0] + "/fresh"
    code = f"from fcnet import study_engine; study_engine._storage({url!r}, 1)"
    workers = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(6)]
    errors = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 6, errors
