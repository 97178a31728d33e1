"""Hyperparameter search: grid or random trials on an Optuna study, on one machine or many, resumable.

Each trial's configuration and seed follow from the search seed and the trial's number alone, and every trial runs
with one BLAS thread; the trial list is enqueued in the study once, so one worker or several give the same results
(unless a pruner compares trials as they run). Finished trials are written to ``results.csv`` as they end; running
again with the same output directory (or study) runs only the trials not yet finished. The Optuna side (storage,
workers, heartbeats, pruning) is in :mod:`fcnet.study_engine`.
"""

from __future__ import annotations

import csv
import dataclasses
import io as _io
import itertools
import json
import math
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from fcnet import saving, study_engine, study_storage, study_workers
from fcnet.runs import (
    TrainConfig,
    accuracy,
    build_model,
    check_network_fits,
    check_trainable,
    check_writable,
    load_data,
    make_solver,
    num_classes_of,
)

# What a search may vary, with the default choices. learning_rate and reg are (low, high) ranges for random
# search (sampled log-uniformly; reg may include 0 through `reg_zero`), or explicit lists for grid search.
DEFAULT_SPACE: dict[str, Any] = {
    "learning_rate": (1e-4, 1e-2),
    "reg": (1e-6, 1e-2),
    "hidden_dims": [[100], [200, 100]],
    "weight_scale": ["he"],
    "dropout": [0.0],
    "normalization": [None],
}
RESULT_FIELDS = [
    "trial",
    "val_acc",
    "test_acc",
    "learning_rate",
    "reg",
    "hidden_dims",
    "weight_scale",
    "dropout",
    "normalization",
    "seed",
    "epochs",
    "stop_reason",
]


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def trial_configs(
    base: TrainConfig, space: dict[str, Any], mode: str, num_trials: int, seed: int
) -> list[TrainConfig]:
    """The configurations of every trial, in trial order."""
    space = {**DEFAULT_SPACE, **space}
    if mode == "grid":
        axes = {
            k: list(v) for k, v in space.items()
        }  # in a grid, a (low, high) range is just its two values
        names = list(axes)
        combos = list(itertools.product(*(axes[n] for n in names)))
        return [
            dataclasses.replace(base, seed=seed + i, **dict(zip(names, combo)))
            for i, combo in enumerate(combos)
        ]
    if mode not in ("random", "tpe"):
        raise ValueError(f"mode must be 'grid', 'random' or 'tpe', got {mode!r}")
    for name, choice in space.items():
        if isinstance(choice, tuple) and not (len(choice) == 2 and 0 < choice[0] <= choice[1]):
            raise ValueError(
                f"the {name} range of a random search is sampled log-uniformly: it needs "
                f"0 < LOW <= HIGH, got {list(choice)} (a grid search takes any values)"
            )
    if mode == "tpe":
        return []  # Optuna's TPE sampler proposes each trial as the search goes: see suggested_config
    configs = []
    for i in range(num_trials):
        rng = np.random.default_rng([seed, i])
        values = {}
        for name, choice in space.items():
            if isinstance(choice, tuple):
                values[name] = _log_uniform(rng, *choice)
            else:
                values[name] = choice[int(rng.integers(len(choice)))]
        configs.append(dataclasses.replace(base, seed=seed + i, **values))
    return configs


def suggested_config(
    trial, base: TrainConfig, space: dict[str, Any], index: int, seed: int
) -> TrainConfig:
    """A TPE trial's configuration, from Optuna's suggestions over the same space: (low, high) ranges sampled
    log-uniformly, lists as categories."""
    values = {}
    for name, choice in {**DEFAULT_SPACE, **space}.items():
        if isinstance(choice, tuple):
            values[name] = trial.suggest_float(name, choice[0], choice[1], log=True)
        else:
            picked = trial.suggest_categorical(name, [json.dumps(c) for c in choice])
            values[name] = json.loads(picked)
    return dataclasses.replace(base, seed=seed + index, **values)


def config_of_row(base: TrainConfig, row: dict) -> TrainConfig:
    """The configuration a result row was trained with (to train the best trial again on this machine)."""
    normalization = None if row["normalization"] in ("none", None) else row["normalization"]
    weight_scale = (
        row["weight_scale"]
        if row["weight_scale"] in ("he", "xavier")
        else float(row["weight_scale"])
    )
    return dataclasses.replace(
        base,
        learning_rate=float(row["learning_rate"]),
        reg=float(row["reg"]),
        hidden_dims=json.loads(row["hidden_dims"]),
        weight_scale=weight_scale,
        dropout=float(row["dropout"]),
        normalization=normalization,
        seed=int(row["seed"]),
    )


_DATA_CACHE: dict[tuple, dict] = {}


def _trial_data(config: TrainConfig) -> dict:
    key = (config.dataset, config.data_dir, config.limit)
    if key not in _DATA_CACHE:
        # the split must not depend on the trial's seed: every trial sees the same data
        _DATA_CACHE[key] = load_data(dataclasses.replace(config, seed=0))
    return _DATA_CACHE[key]


def train_trial(
    index: int, config: TrainConfig, out_dir: str | Path, report: Callable | None = None
):
    """Train trial `index` with one BLAS thread; returns (its result row, the model).

    report(epoch, val_acc) is called after every epoch's check; when it returns True the trial is pruned: it stops
    there and its row says 'pruned'. A finished or pruned trial's model goes to out_dir/trials/trial_NNNN.npz; a
    trial cut short by Ctrl-C keeps none (its row says 'interrupted')."""
    from threadpoolctl import threadpool_limits

    pruned: list[int] = []  # the epoch at which the pruner stopped the trial, if it did

    def on_epoch(solver) -> None:
        if (
            report is not None
            and solver.val_acc_history
            and report(solver.epoch, solver.val_acc_history[-1])
        ):
            pruned.append(solver.epoch)
            solver.stop_training = True

    with threadpool_limits(1):
        data = _trial_data(config)
        model = build_model(config, int(np.prod(data["X_train"].shape[1:])), num_classes_of(data))
        solver = make_solver(model, data, config, verbose=False, epoch_callback=on_epoch)
        solver.train()
        stop_reason = (
            "pruned" if pruned and solver.stop_reason != "interrupted" else solver.stop_reason
        )
        if stop_reason != "interrupted":  # a cut-short trial keeps no model and is never ranked
            saving.save(model, Path(out_dir) / "trials" / f"trial_{index:04d}.npz")
        row = {
            "trial": index,
            "val_acc": accuracy(model, data["X_val"], data["y_val"]),
            "test_acc": accuracy(model, data["X_test"], data["y_test"])
            if "X_test" in data
            else "",
            "learning_rate": config.learning_rate,
            "reg": config.reg,
            "hidden_dims": json.dumps(config.hidden_dims),
            "weight_scale": config.weight_scale,
            "dropout": config.dropout,
            "normalization": config.normalization or "none",
            "seed": config.seed,
            "epochs": solver.epoch,
            "stop_reason": stop_reason,
        }
    return row, model


def read_results(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [
            dict(row, trial=int(row["trial"]), val_acc=float(row["val_acc"]))
            for row in csv.DictReader(f)
        ]


def write_results(path: Path, rows: list[dict]) -> None:
    buffer = _io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_FIELDS)
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["trial"]))
    saving.write_text(path, buffer.getvalue())


def search_description(
    base: TrainConfig, space: dict[str, Any] | None, mode: str, seed: int, pruner: str = "none"
) -> dict:
    """What makes two searches the same search (the number of random trials may grow)."""
    space = {**DEFAULT_SPACE, **(space or {})}
    return {
        "mode": mode,
        "seed": seed,
        "space": json.loads(json.dumps(space)),
        "ranges": sorted(k for k, v in space.items() if isinstance(v, tuple)),
        "base": {k: v for k, v in dataclasses.asdict(base).items() if k != "seed"},
        "pruner": pruner,
    }


def study_configs(study) -> list:
    """The trial configurations of a shared study (what ``fcnet search-worker`` runs), checked."""
    return study_engine.configs_of(study, TRIAL_FUNCTIONS)


def work_on(
    study, configs: list, out: Path, after_trial: Callable[[dict], None] | None = None
) -> None:
    """Run the study's waiting trials here until every trial has ended (a search-worker's job)."""
    study_engine.work(study, configs, out, TRIAL_FUNCTIONS, after_trial)


CHECKED_CONFIGS = (
    2000  # a search's trials checked before it starts (each check builds a tiny Solver)
)


def run_search(
    base: TrainConfig,
    out_dir: str | Path,
    space: dict[str, Any] | None = None,
    mode: str = "random",
    num_trials: int = 10,
    jobs: int = 1,
    seed: int = 0,
    on_result: Callable[[dict], None] | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    pruner: str = "none",
    heartbeat: int = study_engine.HEARTBEAT_SECONDS,
) -> list[dict]:
    """Run the search's trials on an Optuna study; returns every result, best validation accuracy first.

    Without `storage` the study is a journal file in out_dir (study.journal) and `jobs` local processes work on it;
    with `storage` (e.g. postgresql://user@host/db) and `study_name`, the study is created or joined there and
    workers on other machines (``fcnet search-worker``) share its trials. The trial list (grid, or seeded random
    draws) is enqueued once, so the results do not depend on the number of workers or their timing.

    Writes results.csv (every trial's row, as trials end), pruning.csv (validation accuracy per epoch),
    trials/trial_NNNN.npz (each model trained here), best_model.npz and search.png.
    """
    if int(jobs) < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if mode in ("random", "tpe") and int(num_trials) < 1:
        raise ValueError(f"num_trials must be >= 1, got {num_trials}")
    if (storage is None) != (study_name is None):
        raise ValueError(
            "storage and study_name (--storage and --study) go together: give both to share a study, "
            "or neither for a local one"
        )
    study_engine.check_pruner(pruner)
    study_engine.check_study_options(study_name, heartbeat)
    if not 1 <= int(num_trials) <= study_engine.MAX_TRIALS:
        raise ValueError(f"num_trials must be 1 to {study_engine.MAX_TRIALS:,}, got {num_trials}")
    out = Path(out_dir)
    configs = trial_configs(base, space or {}, mode, num_trials, seed)  # checks the space first
    for config in [
        base,
        *configs[:CHECKED_CONFIGS],
    ]:  # every option of every trial, before anything is written
        check_network_fits(config.hidden_dims, source="the search space")
        check_trainable(config, "the search's options")
    description = search_description(base, space, mode, seed, pruner)
    _check_same_search(out, description)
    local = storage is None
    if not local:  # the shared database is reached (or refused) before anything is written here
        study = study_engine.open_study(
            storage, study_name, heartbeat, create=True, description=description
        )
    check_writable(out)
    (out / "trials").mkdir(parents=True, exist_ok=True)
    saving.write_text(out / "search.json", json.dumps(description, indent=1))
    if local:
        storage, study_name = study_storage.local_storage(out), study_engine.LOCAL_STUDY
        study = study_engine.open_study(
            storage, study_name, heartbeat, create=True, description=description
        )
    study_engine.prepare(
        study, description, int(num_trials) if mode == "tpe" else len(configs), local=local
    )

    def after_trial(row: dict) -> None:
        write_results(out / "results.csv", collect(study))
        if on_result:
            on_result(row)

    try:
        if jobs == 1:
            study_engine.work(study, configs, out, TRIAL_FUNCTIONS, after_trial)
        else:
            study_workers.work_in_processes(
                jobs, storage, study_name, out, heartbeat, TRIAL_FUNCTIONS, after_trial
            )
    finally:
        results = collect(study)
        write_results(out / "results.csv", results)
        _finish(out, results, base, study)
    return rank(results)


def collect(study) -> list[dict]:
    """One row per trial index: its complete or pruned run, else (if it was cut short by Ctrl-C) that run."""
    rows: dict[int, dict] = {}
    for row, final in study_engine.trial_rows(study):
        if final or row["trial"] not in rows:
            rows[row["trial"]] = row
    return sorted(rows.values(), key=lambda r: r["trial"])


def rank(results: Sequence[dict]) -> list[dict]:
    """The finished trials, best validation accuracy first (interrupted and pruned trials are left out)."""
    finished = [r for r in results if r["stop_reason"] not in ("interrupted", "pruned")]
    return sorted(finished, key=lambda r: (-float(r["val_acc"]), int(r["trial"])))


def _check_same_search(out: Path, description: dict) -> None:
    """A search directory is resumed only by the same search (the number of random trials may grow)."""
    path = out / "search.json"
    if path.is_file():
        try:
            saved = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from None
        differences = [
            f"{k} {saved.get(k)!r} there, {v!r} now"
            for k, v in description.items()
            if saved.get(k) != v
        ]
        if differences:
            raise ValueError(
                f"{out} holds another search ({'; '.join(differences)}); resume it with the same "
                "options, or give another --out"
            )
    elif (out / "results.csv").is_file():
        raise ValueError(
            f"{out} holds results of a search without search.json; give another --out"
        )


def _finish(out: Path, results: list[dict], base: TrainConfig, study) -> None:
    study_engine.write_pruning_history(study, out / "pruning.csv")
    ranked = rank(results)
    if not ranked:
        return
    from fcnet import plots

    best = ranked[0]
    trial_model = out / "trials" / f"trial_{int(best['trial']):04d}.npz"
    if (
        not trial_model.is_file()
    ):  # trained by a worker on another machine: train it again here (same seed)
        train_trial(int(best["trial"]), config_of_row(base, best), out)
    with saving.atomic_file(out / "best_model.npz", "wb") as f:
        f.write(trial_model.read_bytes())
    plots.plot_search_results(ranked, out / "search.png")


TRIAL_FUNCTIONS = study_engine.TrialFunctions(
    configs=trial_configs, suggest=suggested_config, run=train_trial
)
