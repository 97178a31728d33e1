"""The Optuna side of fcnet's search: a study holds the trials, workers are plain processes that share it.

- Storage: an Optuna journal file in the search directory (one machine), or any database Optuna's RDB storage
  takes (``postgresql://user@host/db``) for workers on several machines.
- The trial list is enqueued once (trial k carries user attribute ``fcnet_index = k``); a worker pops waiting
  trials until none is waiting or running. A trial popped when the queue had just run dry is a spare: it fails at
  once and is never counted.
- Faults: workers send a heartbeat; a trial whose worker died (SIGKILL) goes stale and Optuna's
  RetryHeartbeatStaleTrialCallback queues it again for another worker. Ctrl-C stops a worker after the current
  step: the trial is recorded as interrupted and queued again.
- Pruning: the Solver reports the validation accuracy after each epoch; a pruner (median, ASHA, Hyperband) may
  stop the trial there.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import time
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from fcnet.runs import TrainConfig, check_network_fits
from fcnet.study_storage import (
    _optuna,
    _storage,
    check_study_options,
    fail_trial,
    masked_url,
    orphan_limit,
    stored_trial,
)

INDEX, ROW, SPARE, SEARCH, TRIALS = (
    "fcnet_index",
    "fcnet_row",
    "fcnet_spare",
    "fcnet_search",
    "fcnet_trials",
)
WORKER = "fcnet_worker"  # host:pid of the process running the trial
LOCAL_STUDY = "fcnet-search"
HEARTBEAT_SECONDS = 10
PRUNERS = ("none", "median", "asha", "hyperband")


def check_pruner(name: str) -> str:
    if name not in PRUNERS:
        raise ValueError(f"pruner must be one of {list(PRUNERS)}, got {name!r}")
    return name


def make_pruner(name: str):
    """The Optuna pruner named `name`; trials are compared on validation accuracy per epoch."""
    pruners = _optuna().pruners
    return {
        "none": pruners.NopPruner,
        "median": lambda: pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2),
        "asha": pruners.SuccessiveHalvingPruner,
        "hyperband": pruners.HyperbandPruner,
    }[check_pruner(name)]()


def _sampler(description: dict):
    """TPE (seeded with the search seed) for mode 'tpe'; otherwise trials come from the queue and the sampler
    only ever draws for a spare."""
    samplers = _optuna().samplers
    return (
        samplers.TPESampler(seed=description["seed"])
        if description["mode"] == "tpe"
        else samplers.RandomSampler(seed=description["seed"])
    )


def open_study(
    storage_url: str,
    study_name: str,
    heartbeat: int = HEARTBEAT_SECONDS,
    create: bool = False,
    description: dict | None = None,
):
    """Create (with the search `description`) or join study `study_name` (create=False: it must exist). The
    storage sends a heartbeat every `heartbeat` seconds; a running trial silent for three heartbeats is stale and
    queued again."""
    optuna = _optuna()
    check_study_options(study_name, heartbeat)
    storage = _storage(storage_url, heartbeat)
    if create:
        return optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction="maximize",
            load_if_exists=True,
            pruner=make_pruner(description["pruner"]),
            sampler=_sampler(description),
        )
    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        raise ValueError(
            f"there is no study {study_name!r} in {masked_url(storage_url)}: create it with "
            f"`fcnet search --storage URL --study {study_name}`"
        ) from None
    if SEARCH not in study.user_attrs:
        raise ValueError(f"study {study_name!r} was not created by fcnet search")
    study.pruner = make_pruner(study.user_attrs[SEARCH]["pruner"])
    study.sampler = _sampler(study.user_attrs[SEARCH])
    return study


def prepare(study, description: dict, num_trials: int, local: bool) -> None:
    """Record the search in the study (or check that it is the same one) and enqueue every trial index that has
    no complete, pruned, waiting or running trial. local: no worker can be alive, so running trials (left by a
    killed run) are failed and queued again."""
    optuna = _optuna()
    description = json.loads(json.dumps(description))
    saved = study.user_attrs.get(SEARCH)
    if saved is None:
        study.set_user_attr(SEARCH, description)
    elif saved != description:
        differences = [
            f"{k} {saved.get(k)!r} there, {v!r} now"
            for k, v in description.items()
            if saved.get(k) != v
        ]
        raise ValueError(
            f"study {study.study_name!r} holds another search ({'; '.join(differences)})"
        )
    study.set_user_attr(TRIALS, max(int(num_trials), int(study.user_attrs.get(TRIALS, 0))))
    states = optuna.trial.TrialState
    if local:
        for trial in study.get_trials(deepcopy=False, states=(states.RUNNING,)):
            fail_trial(study, trial)
    covered = {
        t.user_attrs.get(INDEX)
        for t in study.get_trials(deepcopy=False)
        if t.state in (states.COMPLETE, states.PRUNED, states.WAITING, states.RUNNING)
    }
    for index in range(
        0 if description["mode"] == "tpe" else int(num_trials)
    ):  # TPE proposes its own
        if index not in covered:
            study.enqueue_trial({}, user_attrs={INDEX: index})


class TrialFunctions(NamedTuple):
    """What a study needs from the search that owns it (passed in, so that this module imports no search):
    configs(base, space, mode, num_trials, seed) -> the trial list; suggest(trial, base, space, index, seed) -> a
    TPE trial's config; run(index, config, out, report) -> (result row, model)."""

    configs: Callable
    suggest: Callable
    run: Callable


class _NoWork(Exception):
    """The queue ran dry between a worker's look and its pop: the trial it got is a spare."""


class _Objective:
    def __init__(
        self,
        study,
        configs: list,
        out: Path,
        after_trial: Callable[[dict], None] | None,
        functions: TrialFunctions,
    ) -> None:
        self.study, self.configs, self.out, self.after_trial = (
            study,
            configs,
            Path(out),
            after_trial,
        )
        self.functions = functions
        self.description = study.user_attrs[SEARCH]

    def _config(self, trial, index: int):
        if self.description["mode"] != "tpe":
            return self.configs[index]
        base = TrainConfig.from_dict(self.description["base"], "the study")
        return self.functions.suggest(
            trial, base, _space(self.description), index, self.description["seed"]
        )

    def __call__(self, trial) -> float:
        train_trial = self.functions.run
        index = trial.user_attrs.get(INDEX)
        if index is None and self.description["mode"] == "tpe":
            index = trial.number
            trial.set_user_attr(INDEX, index)
        elif index is None:
            trial.set_user_attr(SPARE, True)
            raise _NoWork("no enqueued trial was left")
        trial.set_user_attr(WORKER, f"{socket.gethostname()}:{os.getpid()}")
        config = self._config(trial, index)

        def report(epoch: int, val_acc: float) -> bool:
            trial.report(val_acc, epoch)
            return trial.should_prune()

        try:
            row, _ = train_trial(index, config, self.out, report)
            trial.set_user_attr(ROW, row)
            if row["stop_reason"] == "interrupted":
                if self.after_trial:
                    self.after_trial(row)
                raise KeyboardInterrupt
        except (
            KeyboardInterrupt
        ):  # Ctrl-C in the Solver (which stops after the step) or anywhere else in the trial
            self.study.enqueue_trial(
                trial.params, user_attrs={INDEX: index}
            )  # another worker runs it again
            raise
        if row["stop_reason"] == "pruned":
            raise _optuna().TrialPruned(f"pruned after epoch {row['epochs']}")
        return row["val_acc"]


def _fail_stale(study) -> None:
    """Fail and queue again the trials of dead workers: Optuna's stale trials (silent heartbeat), and trials popped
    by a worker killed before its first heartbeat, which Optuna never calls stale: running, claimed by no worker
    (a live one names itself at once) for two grace periods."""
    optuna = _optuna()
    limit = orphan_limit(study)
    if limit is None:
        return
    optuna.storages.fail_stale_trials(study)
    states = optuna.trial.TrialState
    now = datetime.datetime.now()
    for trial in study.get_trials(deepcopy=False, states=(states.RUNNING,)):
        started = trial.datetime_start
        if (
            WORKER in trial.user_attrs
            or started is None
            or (now - started).total_seconds() < limit
        ):
            continue
        if not fail_trial(study, trial):
            continue  # another worker failed it first (and queued it)
        optuna.storages.RetryHeartbeatStaleTrialCallback()(study, stored_trial(study, trial))


MAX_TRIALS = 100_000


def configs_of(study, functions: TrialFunctions) -> list:
    """The trial configurations of the search recorded in `study` (what a worker on another machine runs), after
    checking what the study says: its trial count, every trial's index, and every configuration's sizes (a crafted
    study must not make a worker build a network the machine cannot hold)."""
    source = f"study {study.study_name!r}"
    try:
        description = study.user_attrs[SEARCH]
        num_trials = study.user_attrs[TRIALS]
        if not isinstance(num_trials, int) or not 1 <= num_trials <= MAX_TRIALS:
            raise ValueError(
                f"its trial count {num_trials!r} is not an integer in 1..{MAX_TRIALS}"
            )
        base = TrainConfig.from_dict(description["base"], source)
        configs = functions.configs(
            base, _space(description), description["mode"], num_trials, description["seed"]
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"{source} is damaged or was not written by fcnet search: {exc}"
        ) from None
    for config in configs:
        check_network_fits(config.hidden_dims, source=source)
    for trial in study.get_trials(deepcopy=False):
        index, row = trial.user_attrs.get(INDEX), trial.user_attrs.get(ROW)
        if index is not None and (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < max(num_trials, len(configs))
        ):
            raise ValueError(
                f"{source} is damaged or crafted: trial {trial.number} has {INDEX} {index!r}, "
                f"outside 0..{num_trials - 1}; refusing to run it"
            )
        if row is not None and (
            not isinstance(row, dict) or not isinstance(row.get("trial"), int)
        ):
            raise ValueError(
                f"{source} is damaged or crafted: trial {trial.number} holds a result row that fcnet "
                "did not write; refusing it"
            )
    return configs


def _space(description: dict) -> dict:
    """The search space as given: (low, high) ranges are tuples again after the JSON round trip."""
    return {
        k: tuple(v) if k in description["ranges"] else v for k, v in description["space"].items()
    }


def _all_finished(trials: list, num_trials: int, proposes: bool) -> bool:
    """Whether every trial of the search has ended complete or pruned."""
    states = _optuna().trial.TrialState
    finished = {
        t.user_attrs.get(INDEX) for t in trials if t.state in (states.COMPLETE, states.PRUNED)
    }
    return len(finished) >= num_trials if proposes else set(range(num_trials)) <= finished


def work(
    study,
    configs: list,
    out: Path,
    functions: TrialFunctions,
    after_trial: Callable[[dict], None] | None = None,
    poll: float = 0.5,
    patience: float = 10.0,
) -> None:
    """Run waiting trials until every trial has ended. While others run, wait: one of them may die and its trial
    come back to the queue. A trial that failed with nothing queued in its place (a retry about to be queued by
    another worker) is waited for `patience` seconds, then left to a resume."""
    optuna = _optuna()
    states = optuna.trial.TrialState
    objective = _Objective(study, configs, out, after_trial, functions)

    def finished(study, trial) -> None:
        if (
            after_trial
            and ROW in trial.user_attrs
            and trial.state in (states.COMPLETE, states.PRUNED)
        ):
            after_trial(trial.user_attrs[ROW])

    proposes = study.user_attrs[SEARCH]["mode"] == "tpe"
    idle_since: float | None = None
    while True:
        _fail_stale(study)
        trials = [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get(SPARE)]
        present = {t.state for t in trials}
        started = sum(
            t.state in (states.COMPLETE, states.PRUNED, states.RUNNING, states.WAITING)
            for t in trials
        )
        num_trials = int(study.user_attrs[TRIALS])
        if states.WAITING in present or (proposes and started < num_trials):
            study.optimize(
                objective, n_trials=1, catch=(_NoWork,), callbacks=[finished], gc_after_trial=False
            )
            idle_since = None
        elif states.RUNNING in present:
            time.sleep(poll)
            idle_since = None
        elif _all_finished(trials, num_trials, proposes):
            return
        else:  # between a stale trial's FAIL and its queued retry, both written by another worker
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > patience:
                return
            time.sleep(poll)


def trial_rows(study) -> Iterator[tuple[dict, bool]]:
    """(row, final) for every trial with a result: final for complete and pruned trials; rows of trials cut short
    by Ctrl-C come with final False."""
    states = _optuna().trial.TrialState
    for trial in study.get_trials(deepcopy=False):
        row = trial.user_attrs.get(ROW)
        if row is None:
            continue
        final = trial.state in (states.COMPLETE, states.PRUNED)
        if final or row.get("stop_reason") == "interrupted":
            yield dict(row), final


def write_pruning_history(study, path: Path) -> None:
    """pruning.csv: trial, epoch, validation accuracy reported, and how the trial ended."""
    from fcnet import saving

    states = _optuna().trial.TrialState
    lines = ["trial,epoch,val_acc,state"]
    for trial in study.get_trials(deepcopy=False, states=(states.COMPLETE, states.PRUNED)):
        for epoch, value in sorted(trial.intermediate_values.items()):
            lines.append(
                f"{trial.user_attrs.get(INDEX)},{epoch},{value:.6f},{trial.state.name.lower()}"
            )
    saving.write_text(path, "\n".join(lines) + "\n")


def describe(study) -> dict[str, Any]:
    """Counts of the study's trials by state (spares left out)."""
    counts: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        if not trial.user_attrs.get(SPARE):
            counts[trial.state.name.lower()] = counts.get(trial.state.name.lower(), 0) + 1
    return counts
