"""Hyperparameter search: grid or random trials, in parallel processes, resumable, reproducible.

Each trial's configuration and seed follow from the search seed and the trial's number alone, and every trial runs
with one BLAS thread, so ``jobs=1`` and ``jobs=2`` give the same results. Finished trials are written to
``results.csv`` as they end; running again with the same output directory skips them.
"""

from __future__ import annotations

import csv
import dataclasses
import io as _io
import itertools
import json
import math
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from fcnet import io
from fcnet.runs import TrainConfig, accuracy, build_model, load_data, make_solver, num_classes_of

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
RESULT_FIELDS = ["trial", "val_acc", "test_acc", "learning_rate", "reg", "hidden_dims", "weight_scale", "dropout",
                 "normalization", "seed", "epochs", "stop_reason"]


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def trial_configs(base: TrainConfig, space: dict[str, Any], mode: str, num_trials: int, seed: int) -> list[TrainConfig]:
    """The configurations of every trial, in trial order."""
    space = {**DEFAULT_SPACE, **space}
    if mode == "grid":
        axes = {k: list(v) for k, v in space.items()}  # in a grid, a (low, high) range is just its two values
        names = list(axes)
        combos = list(itertools.product(*(axes[n] for n in names)))
        return [dataclasses.replace(base, seed=seed + i, **dict(zip(names, combo))) for i, combo in enumerate(combos)]
    if mode != "random":
        raise ValueError(f"mode must be 'grid' or 'random', got {mode!r}")
    for name, choice in space.items():
        if isinstance(choice, tuple) and not (len(choice) == 2 and 0 < choice[0] <= choice[1]):
            raise ValueError(f"the {name} range of a random search is sampled log-uniformly: it needs "
                             f"0 < LOW <= HIGH, got {list(choice)} (a grid search takes any values)")
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


def _run_trial(index: int, config: TrainConfig, out_dir: str, data: dict | None) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        data = _trial_data(config) if data is None else data
        model = build_model(config, int(np.prod(data["X_train"].shape[1:])), num_classes_of(data))
        solver = make_solver(model, data, config, verbose=False)
        solver.train()
        if solver.stop_reason != "interrupted":  # a cut-short trial keeps no model and is never ranked
            io.save(model, Path(out_dir) / "trials" / f"trial_{index:04d}.npz")
        return {
            "trial": index, "val_acc": accuracy(model, data["X_val"], data["y_val"]),
            "test_acc": accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else "",
            "learning_rate": config.learning_rate, "reg": config.reg, "hidden_dims": json.dumps(config.hidden_dims),
            "weight_scale": config.weight_scale, "dropout": config.dropout,
            "normalization": config.normalization or "none", "seed": config.seed, "epochs": solver.epoch,
            "stop_reason": solver.stop_reason,
        }


_DATA_CACHE: dict[tuple, dict] = {}


def _trial_data(config: TrainConfig) -> dict:
    key = (config.dataset, config.data_dir, config.limit)
    if key not in _DATA_CACHE:
        # the split must not depend on the trial's seed: every trial sees the same data
        _DATA_CACHE[key] = load_data(dataclasses.replace(config, seed=0))
    return _DATA_CACHE[key]


def read_results(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [dict(row, trial=int(row["trial"]), val_acc=float(row["val_acc"])) for row in csv.DictReader(f)]


def write_results(path: Path, rows: list[dict]) -> None:
    buffer = _io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_FIELDS)
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["trial"]))
    io.write_text(path, buffer.getvalue())


def run_search(base: TrainConfig, out_dir: str | Path, space: dict[str, Any] | None = None, mode: str = "random",
               num_trials: int = 10, jobs: int = 1, seed: int = 0,
               on_result: Callable[[dict], None] | None = None) -> list[dict]:
    """Run the trials not yet in ``out_dir/results.csv``; returns every result, best validation accuracy first.

    Writes results.csv (all trials), trials/trial_NNNN.npz (each model), best_model.npz and search.png (the
    validation accuracy over learning rate x reg).
    """
    if int(jobs) < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if mode == "random" and int(num_trials) < 1:
        raise ValueError(f"num_trials must be >= 1, got {num_trials}")
    out = Path(out_dir)
    configs = trial_configs(base, space or {}, mode, num_trials, seed)  # checks the space first
    description = {"mode": mode, "seed": seed, "space": json.loads(json.dumps({**DEFAULT_SPACE, **(space or {})})),
                   "base": {k: v for k, v in dataclasses.asdict(base).items() if k != "seed"}}
    _check_same_search(out, description)
    (out / "trials").mkdir(parents=True, exist_ok=True)
    io.write_text(out / "search.json", json.dumps(description, indent=1))
    results_path = out / "results.csv"
    results = [r for r in read_results(results_path) if r["stop_reason"] != "interrupted"]  # run those again
    done = {r["trial"] for r in results}
    pending = [(i, c) for i, c in enumerate(configs) if i not in done]

    def record(row: dict) -> None:
        results.append(row)
        write_results(results_path, results)
        if on_result:
            on_result(row)
        if row["stop_reason"] == "interrupted":
            raise KeyboardInterrupt

    try:
        if jobs == 1:
            data = _trial_data(base)
            for index, config in pending:
                record(_run_trial(index, config, str(out), data))
        else:
            with ProcessPoolExecutor(max_workers=int(jobs)) as pool:
                futures = [pool.submit(_run_trial, index, config, str(out), None) for index, config in pending]
                try:
                    for future in as_completed(futures):
                        record(future.result())
                except KeyboardInterrupt:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        _finish(out, results)
    return rank(results)


def rank(results: Sequence[dict]) -> list[dict]:
    """The finished trials, best validation accuracy first (interrupted trials are left out)."""
    finished = [r for r in results if r["stop_reason"] != "interrupted"]
    return sorted(finished, key=lambda r: (-float(r["val_acc"]), int(r["trial"])))


def _check_same_search(out: Path, description: dict) -> None:
    """A search directory is resumed only by the same search (the number of random trials may grow)."""
    path = out / "search.json"
    if path.is_file():
        try:
            saved = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from None
        differences = [f"{k} {saved.get(k)!r} there, {v!r} now" for k, v in description.items() if saved.get(k) != v]
        if differences:
            raise ValueError(f"{out} holds another search ({'; '.join(differences)}); resume it with the same "
                             "options, or give another --out")
    elif (out / "results.csv").is_file():
        raise ValueError(f"{out} holds results of a search without search.json; give another --out")


def _finish(out: Path, results: list[dict]) -> None:
    ranked = rank(results)
    if not ranked:
        return
    from fcnet import plots

    best = ranked[0]
    with io.atomic_file(out / "best_model.npz", "wb") as f:
        f.write((out / "trials" / f"trial_{int(best['trial']):04d}.npz").read_bytes())
    plots.plot_search_results(ranked, out / "search.png")
