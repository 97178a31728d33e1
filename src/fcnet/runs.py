"""Whole jobs behind the ``fcnet`` command: train into a run directory, evaluate, predict (the settings are in
fcnet.run_config, the optimizer comparison and the gradient check in fcnet.experiments)."""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from fcnet import saving
from fcnet.models import FullyConnectedNet
from fcnet._solver_checks import IncompatibleCheckpoint
from fcnet.run_config import (
    MAX_HIDDEN_LAYERS as MAX_HIDDEN_LAYERS,  # re-exported
    MAX_HIDDEN_UNITS as MAX_HIDDEN_UNITS,  # re-exported
    MAX_SEED as MAX_SEED,  # re-exported
    OPTIMIZER_OPTIONS as OPTIMIZER_OPTIONS,  # re-exported
    TrainConfig as TrainConfig,  # re-exported
    check_network_fits,
)
from fcnet.run_dirs import (
    CHECKPOINT_GLOB as CHECKPOINT_GLOB,  # re-exported
    RUN_FILES as RUN_FILES,  # re-exported
    RunDirError,
    check_out_dir as check_out_dir,  # re-exported
    check_run_dir,
    check_writable as check_writable,  # re-exported
    newest_checkpoints,
    resolve_model_path,
    run_lock,
    start_run_dir,
)
from fcnet.inputs import (
    read_inputs as read_inputs,
)  # re-exported: the input files of fcnet predict
from fcnet.solver import Solver


def load_data(config: TrainConfig) -> dict:
    from fcnet.data import load_dataset

    return load_dataset(
        config.dataset, data_dir=config.data_dir, seed=config.seed, limit=config.limit
    )


def build_model(config: TrainConfig, input_dim: int, num_classes: int) -> FullyConnectedNet:
    check_network_fits(
        config.hidden_dims, input_dim, num_classes, itemsize=np.dtype(config.dtype).itemsize
    )
    return FullyConnectedNet(
        config.hidden_dims,
        input_dim=input_dim,
        num_classes=num_classes,
        dropout=config.dropout,
        normalization=config.normalization,
        reg=config.reg,
        weight_scale=config.weight_scale,
        dtype=config.dtype,
        seed=config.seed,
        activation=config.activation,
        alpha=config.alpha,
    )


def make_solver(model, data: dict, config: TrainConfig, verbose: bool = True, **extra) -> Solver:
    return Solver(
        model,
        data,
        update_rule=config.update_rule,
        optim_config=config.optim_config(),
        lr_decay=config.lr_decay,
        lr_schedule=config.lr_schedule,
        lr_schedule_options=config.lr_schedule_options or None,
        num_epochs=config.num_epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        verbose=verbose,
        print_every=max(1, (len(data["y_train"]) // config.batch_size) * config.num_epochs // 20),
        early_stopping_patience=config.early_stopping_patience,
        early_stopping_metric=config.early_stopping_metric,
        early_stopping_min_delta=config.early_stopping_min_delta,
        divergence_factor=config.divergence_factor,
        restore_best=config.restore_best,
        num_train_samples=config.num_train_samples,
        num_val_samples=config.num_val_samples,
        sample_with_replacement=config.sample_with_replacement,
        diagnostics=config.diagnostics,
        **extra,
    )


def num_classes_of(data: dict) -> int:
    return (
        int(max(np.max(data["y_train"]), np.max(data["y_val"]), np.max(data.get("y_test", [0]))))
        + 1
    )


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(model.predict(X) == y))


def resume_solver(solver: Solver, out: Path) -> Path:
    """Load the newest readable checkpoint of `out` into `solver`; a corrupt one is passed over with a warning."""
    problems = []
    for path in newest_checkpoints(out):
        try:
            solver.load_checkpoint(path)
            return path
        except IncompatibleCheckpoint:
            raise
        except ValueError as exc:
            warnings.warn(
                f"{path.name} is unreadable ({exc}); trying the checkpoint before it", stacklevel=2
            )
            problems.append(f"{path.name}: {exc}" if not problems else path.name)
    raise RunDirError(
        f"--resume {out}: no readable checkpoint (unreadable: {'; '.join(problems)})"
    )


def train_run(
    config: TrainConfig,
    out_dir: str | Path,
    verbose: bool = True,
    data: dict | None = None,
    *,
    resume: bool = False,
    force: bool = False,
    keep_checkpoints: int = 2,
) -> dict:
    """Train a network as `config` says and write the run directory: config.json, history.csv, history.json,
    summary.json, model.npz, the last `keep_checkpoints` epoch checkpoints and the best epoch's, loss.png,
    accuracy.png, history.png, and weights.png when the inputs are images.

    Everything is checked (options, data, the directory) before anything is written. An existing directory is
    refused unless `resume` (continue from its newest good checkpoint, with its config.json) or `force` (its fcnet
    files are removed first). Returns a summary (val and test accuracy, stop reason, seconds, paths). The
    directory is locked while this writes it."""
    out = Path(out_dir)
    check_run_dir(out, resume, force)
    data = load_data(config) if data is None else data
    model = build_model(config, int(np.prod(data["X_train"].shape[1:])), num_classes_of(data))
    solver = make_solver(
        model,
        data,
        config,
        verbose=verbose,
        checkpoint_name=str(out / "checkpoint"),
        keep_checkpoints=keep_checkpoints,
    )
    solver.run_info = {key: getattr(config, key) for key in DATA_FIELDS}
    with run_lock(out):
        check_run_dir(
            out, resume, force
        )  # again, under the lock: another command may have written it since
        return _train_locked(config, out, data, model, solver, resume, force)


DATA_FIELDS = ("dataset", "data_dir", "limit", "seed")  # what decides a run's data and its split


def _train_locked(
    config: TrainConfig, out: Path, data: dict, model, solver: Solver, resume: bool, force: bool
) -> dict:
    from fcnet import plots
    from fcnet.data import IMAGE_SHAPES

    if resume:
        resumed_from = resume_solver(
            solver, out
        )  # said even when quiet: which checkpoint the run goes on from
        if config.num_epochs < solver.epoch:
            raise RunDirError(
                f"--epochs {config.num_epochs} is fewer than the {solver.epoch} epochs this run has "
                f"trained; give --epochs {solver.epoch} or more to extend it (or leave it out)"
            )
        print(
            f"Resuming from {resumed_from.name} (epoch {solver.epoch}, iteration {solver.t})",
            flush=True,
        )
    else:
        start_run_dir(out, dataclasses.asdict(config), force)
    start = time.perf_counter()
    solver.train()
    seconds = time.perf_counter() - start
    saving.save(model, out / "model.npz")
    solver.save_history(out / "history.csv")
    solver.save_history(out / "history.json")
    if solver.history.diagnostics:
        solver.history.save_diagnostics(out / "diagnostics.csv")
    plots.plot_history(
        solver, out / "history.png", title=f"{config.dataset}, {config.hidden_dims}"
    )
    plots.plot_history(solver, out / "loss.png", panels=("loss",), title=config.dataset)
    plots.plot_history(solver, out / "accuracy.png", panels=("accuracy",), title=config.dataset)
    shape = IMAGE_SHAPES.get(config.dataset)
    if shape is not None:
        plots.show_net_weights(model, shape, out / "weights.png")
    summary = {
        "val_acc": accuracy(model, data["X_val"], data["y_val"]),
        "test_acc": accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else None,
        "best_val_acc": solver.best_val_acc,
        "stop_reason": solver.stop_reason,
        "epochs": solver.epoch,
        "iterations": solver.t,
        "seconds": seconds,
        "run_dir": str(out),
        "facts": solver.facts(),  # what fcnet diagnose needs beyond history.json
        "findings": [f.to_dict() for f in solver.diagnose()],
    }
    saving.write_text(out / "summary.json", json.dumps(summary, indent=2))
    return summary


def run_config(path: str | Path) -> dict | None:
    """The config.json of the run a model belongs to, when there is one (an unreadable one is an error that names
    the file)."""
    config_file = resolve_model_path(path).parent / "config.json"
    if not config_file.is_file():
        return None
    values = read_json_object(config_file, f"{config_file} (beside the model)")
    TrainConfig.from_dict(
        values, source=f"{config_file} (beside the model)"
    )  # its errors name the file and key
    return values


def read_json_object(path: Path, what: str) -> dict:
    """The JSON object in `path`; errors name the file as `what` (e.g. '--config my.json')."""
    if path.exists() and not path.is_file():
        raise ValueError(
            f"{what} is not a regular file (a directory, FIFO or device); give a JSON file"
        )
    if not path.is_file():
        raise FileNotFoundError(f"{what}: no such file")
    try:
        values = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(values, dict):
        raise ValueError(
            f"{what} must hold a JSON object of options, got a {type(values).__name__}"
        )
    return values


def class_names(dataset: str | None, num_classes: int) -> list[str]:
    """The dataset's class names, or the labels as text for a model of unknown origin."""
    from fcnet.data import CLASS_NAMES

    names = CLASS_NAMES.get(dataset or "")
    return (
        names
        if names is not None and len(names) == num_classes
        else [str(i) for i in range(num_classes)]
    )


def confusion_matrix(y: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (C, C): rows the true class, columns the predicted one."""
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (y, predicted), 1)
    return confusion


def evaluate(model, X: np.ndarray, y: np.ndarray, names: Sequence[str] | None = None) -> dict:
    """Accuracy, per-class accuracy, the confusion matrix (rows: true class, columns: predicted) and `report`,
    scikit-learn's classification_report (precision, recall, F1 per class) with the class names."""
    from sklearn.metrics import classification_report

    predicted = model.predict(X)
    num_classes = model.num_classes
    names = list(names) if names is not None else [str(i) for i in range(num_classes)]
    confusion = confusion_matrix(y, predicted, num_classes)
    support = confusion.sum(axis=1)
    per_class = np.divide(
        np.diag(confusion), support, out=np.full(num_classes, np.nan), where=support > 0
    )
    report = classification_report(
        y,
        predicted,
        labels=list(range(num_classes)),
        target_names=names,
        digits=4,
        zero_division=0,
    )
    return {
        "accuracy": float(np.mean(predicted == y)),
        "per_class_accuracy": per_class.tolist(),
        "confusion_matrix": confusion.tolist(),
        "num_samples": int(len(y)),
        "class_names": names,
        "report": report,
    }


def describe_model(model: Any) -> list[tuple[str, str, int]]:
    """(parameter name, shape, number of values) for every parameter, in the network's order."""
    return [
        (name, "x".join(map(str, np.shape(value))), int(np.size(value)))
        for name, value in model.params.items()
    ]


def check_trainable(config: TrainConfig, source: str = "options") -> None:
    """Every option of `config` as the model and the Solver check it, on a tiny stand-in network and data, so
    that a bad combination (an optimizer setting the rule does not take, a schedule with lr_decay) is refused
    before a command writes anything or trains for hours."""
    tiny = dataclasses.replace(config, hidden_dims=[2] * len(config.hidden_dims))
    rng = np.random.default_rng(0)
    data = {
        "X_train": rng.standard_normal((4, 3)),
        "y_train": np.array([0, 1, 0, 1]),
        "X_val": rng.standard_normal((2, 3)),
        "y_val": np.array([0, 1]),
    }
    try:
        make_solver(build_model(tiny, 3, 2), data, tiny, verbose=False)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{source}: {exc}") from None
