"""A search's worker processes on one machine: each opens the study and works on its trials (fcnet.study_engine's
``work``) until none is left; the parent reports every finished trial, and a worker whose parent has gone (killed)
ends, so that its trial's heartbeat stops and the next run queues the trial again."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable

from fcnet.study_engine import TrialFunctions, configs_of, open_study, trial_rows, work


def _exit_when_orphaned(parent: int, poll: float = 1.0) -> None:
    """End this worker process when the process that started it has gone (killed, say): its trial's heartbeat
    stops and the next run queues the trial again."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fcnet-parent-watch").start()


def _worker_process(
    storage_url: str,
    study_name: str,
    out: str,
    heartbeat: int,
    parent: int,
    functions: TrialFunctions,
) -> None:
    _exit_when_orphaned(parent)
    study = open_study(storage_url, study_name, heartbeat)
    work(study, configs_of(study, functions), Path(out), functions)


def work_in_processes(
    jobs: int,
    storage_url: str,
    study_name: str,
    out: Path,
    heartbeat: int,
    functions: TrialFunctions,
    after_trial: Callable[[dict], None] | None = None,
    poll: float = 0.5,
) -> None:
    """`jobs` worker processes on this machine; after_trial is called here for every trial they finish."""
    study = open_study(storage_url, study_name, heartbeat)
    seen: set[int] = set()
    with ProcessPoolExecutor(max_workers=int(jobs)) as pool:
        futures = [
            pool.submit(
                _worker_process,
                storage_url,
                study_name,
                str(out),
                heartbeat,
                os.getpid(),
                functions,
            )
            for _ in range(jobs)
        ]
        try:
            while True:
                done, pending = wait(futures, timeout=poll, return_when=FIRST_EXCEPTION)
                for row, final in trial_rows(study):
                    if final and row["trial"] not in seen and after_trial:
                        seen.add(row["trial"])
                        after_trial(row)
                if not pending or any(f.exception() for f in done):
                    break
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    for future in futures:
        future.result()
