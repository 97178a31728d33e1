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
from test_cli_bad_inputs_second_trial import one_line_error

optuna = pytest.importorskip("optuna")
pytest.importorskip("psycopg")
pytestmark = pytest.mark.slow

FCNET = shutil.which("fcnet")
COMMAND = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]
ENV = {**os.environ, "MPLBACKEND": "Agg"}
SEARCH = [
    "--trials",
    "8",
    "--epochs",
    "6",
    "--hidden",
    "256,256",
    "--batch-size",
    "16",
    "--search-seed",
    "3",
]
# Trials of about 1.5 s (16 epochs of about 0.1 s): long enough that a worker seen in its trial's first half is
# still in that trial when the SIGKILL lands (SEARCH's trials take 0.25 s, shorter than a look at the study).
LONG_SEARCH = [
    "--trials",
    "8",
    "--epochs",
    "16",
    "--hidden",
    "256,256",
    "--batch-size",
    "4",
    "--search-seed",
    "3",
]


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every URL the tests give carries this password (the server trusts 127.0.0.1 and ignores it); no output of any
# command may show it (the last test of this module reads them all).
PASSWORD = "SECRETPW-fcnet-test"
OUTPUTS: list[str] = []


class PostgresServer:
    """Debian's PostgreSQL in a temporary directory, on 127.0.0.1 and a free port, as PostgreSQL's test helpers
    start it (initdb + pg_ctl; as the postgres user when root)."""

    def __init__(self) -> None:
        self.bin_dir = _postgres_bin()
        if self.bin_dir is None:
            pytest.skip(
                "PostgreSQL server binaries are absent (Debian package postgresql; .ci/run installs it)"
            )
        self.root = Path(
            tempfile.mkdtemp(prefix="fcnet-postgres-")
        )  # pytest's tree is closed to other users
        self.data, self.port = self.root / "data", _free_port()
        self.as_postgres: list[str] = []
        if (
            os.geteuid() == 0
        ):  # initdb refuses to run as root: run the server as Debian's postgres user
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.root, 0o777)
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "fcnet",
                "--auth=trust",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://fcnet:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_url():
    server = PostgresServer()
    try:
        yield server.url
    finally:
        server.remove()


class _Recorded(subprocess.Popen):
    def communicate(self, *args, **kwargs):
        out, err = super().communicate(*args, **kwargs)
        OUTPUTS.extend([out or "", err or ""])
        return out, err


def start(args, cwd):
    return _Recorded(
        [*COMMAND, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def run(args, cwd, timeout=600):
    """A command run to its end; its output is recorded for the password check."""
    result = subprocess.run(
        [*COMMAND, *args], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=timeout
    )
    OUTPUTS.extend([result.stdout, result.stderr])
    return result


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
        if (
            trial.user_attrs.get("fcnet_worker", "").endswith(f":{pid}")
            and trial.intermediate_values
            and (before_epoch is None or max(trial.intermediate_values) < before_epoch)
        ):
            return True
    return False


def wait_until_training(
    url: str, name: str, pids: list[int], before_epoch: int | None = None, timeout: float = 120
) -> int:
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
    return [
        (int(r["trial"]), r["val_acc"])
        for r in sorted(rows, key=lambda r: (-float(r["val_acc"]), int(r["trial"])))
    ]


def test_a_worker_killed_mid_trial_loses_nothing_and_the_ranking_equals_one_worker(
    postgres_url, tmp_path
):
    coordinator = start(
        [
            "search",
            *LONG_SEARCH,
            "--storage",
            postgres_url,
            "--study",
            "killed",
            "--heartbeat",
            "1",
            "--out",
            "coordinator",
        ],
        tmp_path,
    )
    wait_for_study(postgres_url, "killed")
    workers = [
        start(
            [
                "search-worker",
                "--storage",
                postgres_url,
                "--study",
                "killed",
                "--heartbeat",
                "1",
                "--out",
                f"worker{i}",
            ],
            tmp_path,
        )
        for i in range(2)
    ]
    victim = wait_until_training(
        postgres_url, "killed", [worker.pid for worker in workers], before_epoch=8
    )
    os.kill(victim, signal.SIGKILL)  # mid-trial: its trial must come back to the queue
    assert training(postgres_url, "killed", victim), (
        "the victim was no longer training when killed"
    )
    next(worker for worker in workers if worker.pid == victim).communicate(timeout=60)
    workers = [worker for worker in workers if worker.pid != victim]
    out, err = coordinator.communicate(timeout=600)
    assert coordinator.returncode == 0, err
    for worker in workers:
        worker.communicate(timeout=300)
        assert worker.returncode == 0
    states = ended_trials(postgres_url, "killed")
    assert sorted(states) == list(range(8))
    for (
        index,
        ran,
    ) in states.items():  # every trial ends exactly once as complete; a killed run ends FAIL
        assert ran.count("COMPLETE") == 1 and set(ran) <= {"COMPLETE", "FAIL"}, (index, ran)
    assert (
        sum(ran.count("FAIL") for ran in states.values()) == 1
    )  # the killed run, and it was run again
    assert (tmp_path / "coordinator" / "best_model.npz").is_file()

    single = run(["search", *LONG_SEARCH, "--out", "single"], tmp_path)
    assert single.returncode == 0, single.stderr
    assert ranking(tmp_path / "coordinator" / "results.csv") == ranking(
        tmp_path / "single" / "results.csv"
    )
    evaluate = run(
        ["evaluate", "coordinator/best_model.npz", "--dataset", "digits"], tmp_path, timeout=300
    )
    assert evaluate.returncode == 0, evaluate.stderr


def test_a_study_resumed_after_every_worker_died_runs_only_the_remaining_trials(
    postgres_url, tmp_path
):
    first = start(
        [
            "search",
            *SEARCH,
            "--storage",
            postgres_url,
            "--study",
            "resumed",
            "--heartbeat",
            "1",
            "--out",
            "first",
        ],
        tmp_path,
    )
    wait_for_study(postgres_url, "resumed")
    deadline = time.monotonic() + 300
    while "COMPLETE" not in sum(ended_trials(postgres_url, "resumed").values(), []):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    before = ended_trials(postgres_url, "resumed")
    done_before = {i for i, ran in before.items() if "COMPLETE" in ran}
    worker = run(
        [
            "search-worker",
            "--storage",
            postgres_url,
            "--study",
            "resumed",
            "--heartbeat",
            "1",
            "--out",
            "late",
        ],
        tmp_path,
    )
    assert worker.returncode == 0, worker.stderr
    after = ended_trials(postgres_url, "resumed")
    assert all(ran.count("COMPLETE") == 1 for ran in after.values()) and sorted(after) == list(
        range(8)
    )
    rerun = {
        int(name.stem.split("_")[1]) for name in (tmp_path / "late" / "trials").glob("trial_*.npz")
    }
    assert rerun == set(range(8)) - done_before  # the finished trials were not run again


def test_search_worker_needs_an_existing_study(postgres_url, tmp_path):
    result = run(
        ["search-worker", "--storage", postgres_url, "--study", "nothing"], tmp_path, timeout=120
    )
    assert result.returncode == 2 and "there is no study 'nothing'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ctrl_c_stops_a_worker_cleanly_and_queues_its_trial_again(postgres_url, tmp_path):
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description, trial_configs
    from fcnet.study_engine import open_study, prepare

    base = TrainConfig.from_dict(
        {"num_epochs": 40, "hidden_dims": [256, 256], "batch_size": 8}, "test"
    )
    description = search_description(base, {}, "random", 0)
    study = open_study(
        postgres_url, "interrupted", heartbeat=1, create=True, description=description
    )
    prepare(study, description, len(trial_configs(base, {}, "random", 2, 0)), local=False)
    worker = start(
        [
            "search-worker",
            "--storage",
            postgres_url,
            "--study",
            "interrupted",
            "--heartbeat",
            "1",
            "--out",
            "w",
        ],
        tmp_path,
    )
    wait_until_training(postgres_url, "interrupted", [worker.pid])
    worker.send_signal(signal.SIGINT)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 130 and "Traceback" not in err and "queued again" in err
    states = ended_trials(postgres_url, "interrupted")
    assert sorted(states[0]) == ["FAIL", "WAITING"], (
        states
    )  # cut short, and queued for the next worker
    assert "interrupted, not ranked" in out


@pytest.mark.filterwarnings(
    "ignore:Heartbeat of storage is supposed to be used with Study.optimize"
)
def test_a_trial_popped_by_a_worker_killed_before_its_first_heartbeat_is_run_again(
    postgres_url, tmp_path
):
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description
    from fcnet.study_engine import open_study, prepare

    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    description = search_description(base, {}, "random", 0)
    study = open_study(postgres_url, "orphan", heartbeat=1, create=True, description=description)
    prepare(study, description, 2, local=False)
    study.ask()  # a worker popped trial 0 and died at once: RUNNING, no heartbeat, no worker named
    worker = run(
        [
            "search-worker",
            "--storage",
            postgres_url,
            "--study",
            "orphan",
            "--heartbeat",
            "1",
            "--out",
            "w",
        ],
        tmp_path,
        timeout=300,
    )
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
    code = f"from fcnet import study_storage; study_storage._storage({url!r}, 1)"
    workers = [
        _Recorded([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    errors = [worker.communicate(timeout=120)[1] for worker in workers]  # recorded too
    assert [worker.returncode for worker in workers] == [0] * 6, errors


# ---- the second bad-input trial (2026-12-01): the shared search speaks in one line -------------------------------
def test_bad_storages_end_in_one_line_and_write_nothing(postgres_url, tmp_path):
    """N26 (not a URL), N27 (server down), N28 (no such database), N29, N30 (no such role), N31 (a study name too
    long for Optuna), N66 (a database without its driver)."""
    base = postgres_url.rsplit("/", 1)[0]
    nobody = postgres_url.replace("//fcnet:", "//nobody:")
    down = f"postgresql://fcnet:{PASSWORD}@127.0.0.1:{_free_port()}/postgres"
    cases = [
        (["search", "--storage", "not a url", "--study", "s1"], "is not a database URL"),
        (["search", "--storage", down, "--study", "s1"], "Connection refused"),
        (
            ["search", "--storage", f"{base}/nosuchdb", "--study", "s1"],
            'database "nosuchdb" does not exist',
        ),
        (["search", "--storage", nobody, "--study", "s1"], 'role "nobody" does not exist'),
        (
            ["search-worker", "--storage", nobody, "--study", "nosuch"],
            'role "nobody" does not exist',
        ),
        (
            ["search", "--storage", postgres_url, "--study", "x" * 600],
            "--study must be 1 to 512 characters",
        ),
        (
            ["search", "--storage", f"mysql://u:{PASSWORD}@127.0.0.1/db", "--study", "s1"],
            "no database driver",
        ),
    ]
    for args, fragment in cases:
        extra = ["--trials", "1", "--epochs", "1"] if args[0] == "search" else []
        result = run([*args, *extra, "--out", "S"], tmp_path, timeout=120)
        line = one_line_error(result, fragment)
        assert PASSWORD not in result.stdout + result.stderr and (
            "***" in line or "not a database" in line or "characters" in line
        ), line
        assert not (tmp_path / "S").exists(), args


def test_a_server_that_stops_mid_search_ends_in_one_line_and_the_search_resumes(tmp_path):
    """N33: a 150-line traceback ending in 'exceeding max length', and no word on resuming."""
    server = PostgresServer()
    try:
        search = [
            "search",
            *LONG_SEARCH,
            "--trials",
            "3",
            "--storage",
            server.url,
            "--study",
            "down",
            "--heartbeat",
            "2",
            "--out",
            "S",
        ]
        coordinator = start(search, tmp_path)
        wait_for_study(server.url, "down")
        wait_until_training(server.url, "down", [coordinator.pid])
        server.stop()
        out, err = coordinator.communicate(timeout=300)
        assert coordinator.returncode in (1, 2), err
        line = err.strip().splitlines()[-1]
        assert line.startswith("error: ") and "run the same command again to resume" in line, err
        assert "Traceback" not in err and PASSWORD not in out + err
        server.start()
        again = run(search, tmp_path)
        assert again.returncode == 0, again.stderr
        assert sorted(ended_trials(server.url, "down")) == [0, 1, 2]
    finally:
        server.remove()


@pytest.mark.parametrize(
    "craft, fragment",
    [
        ({"fcnet_index": -1}, "fcnet_index -1"),  # N34
        ({"fcnet_index": 10**6}, "fcnet_index 1000000"),  # N34
        ({"fcnet_index": 0, "fcnet_row": {"trial": "../../pwned"}}, "result row"),  # N67
    ],
)
def test_a_crafted_study_is_refused(postgres_url, tmp_path, craft, fragment):
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description
    from fcnet.study_engine import open_study, prepare

    name = f"craft{abs(hash(str(craft))) % 10**6}"
    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    description = search_description(base, {}, "random", 0)
    study = open_study(postgres_url, name, heartbeat=1, create=True, description=description)
    prepare(study, description, 2, local=False)
    study.enqueue_trial({}, user_attrs=craft)
    result = run(
        ["search-worker", "--storage", postgres_url, "--study", name, "--out", "W"],
        tmp_path,
        timeout=120,
    )
    one_line_error(result, "damaged or crafted", fragment)
    assert not list((tmp_path / "W").glob("trials/*.npz")) if (tmp_path / "W").exists() else True


def test_a_study_whose_space_declares_a_huge_network_is_refused(postgres_url, tmp_path):
    """N6: a worker built a (64, 3000000) layer because the study said so."""
    from fcnet.runs import TrainConfig
    from fcnet.search import search_description
    from fcnet.study_engine import SEARCH, open_study, prepare

    base = TrainConfig.from_dict({"num_epochs": 1, "limit": 300}, "test")
    description = search_description(base, {"hidden_dims": [[20]]}, "random", 0)
    study = open_study(postgres_url, "huge", heartbeat=1, create=True, description=description)
    prepare(study, description, 2, local=False)
    crafted = dict(study.user_attrs[SEARCH])
    crafted["space"] = {**crafted["space"], "hidden_dims": [[3000000]]}
    study.set_user_attr(SEARCH, crafted)
    result = run(
        ["search-worker", "--storage", postgres_url, "--study", "huge", "--out", "W"],
        tmp_path,
        timeout=120,
    )
    one_line_error(result, "hidden_dims")


def test_no_output_of_these_tests_shows_the_password():
    """N4: 'there is no study ... in postgresql://postgres:SECRETPW@...'. Runs last: it reads every output above."""
    assert OUTPUTS, "no command output was recorded"
    leaks = [text for text in OUTPUTS if PASSWORD in text]
    assert not leaks, leaks[0][:500]
