"""Whole jobs behind the ``fcnet`` command: train into a run directory, evaluate, predict, compare, gradcheck."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from fcnet import io
from fcnet._checks import check_int, check_real, check_seed
from fcnet.models import FullyConnectedNet
from fcnet._solver_checks import IncompatibleCheckpoint
from fcnet.divergence import DIVERGENCE_FACTOR
from fcnet.run_dirs import (CHECKPOINT_GLOB, RUN_FILES, RunDirError, check_out_dir,  # noqa: F401
                             check_run_dir, check_writable, newest_checkpoints, resolve_model_path, run_lock,
                             start_run_dir)
from fcnet.inputs import read_inputs  # noqa: F401 (the input files of fcnet predict)
from fcnet.solver import Solver

OPTIMIZER_OPTIONS = ("momentum", "beta1", "beta2", "epsilon", "decay_rate", "weight_decay")
# the MNIST MLP homework's learning rates for its comparison
HOMEWORK_LEARNING_RATES = {"sgd": 0.1, "sgd_momentum": 1e-3, "nesterov_momentum": 1e-3, "adagrad": 1e-3,
                       "rmsprop": 1e-3, "adam": 1e-3, "adabelief": 1e-3}


@dataclass
class TrainConfig:
    """Everything `fcnet train` needs; the JSON config file and the command-line options share these names."""

    dataset: str = "digits"
    data_dir: str | None = None
    limit: int | None = None
    hidden_dims: list[int] = field(default_factory=lambda: [100])
    activation: str = "relu"
    alpha: float = 0.01
    normalization: str | None = None
    dropout: float = 0.0
    reg: float = 0.0
    weight_scale: float | str = "he"
    dtype: str = "float32"
    update_rule: str = "adam"
    learning_rate: float = 1e-3
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    epsilon: float | None = None
    decay_rate: float | None = None
    weight_decay: float | None = None
    lr_decay: float = 1.0
    lr_schedule: str | None = None
    lr_schedule_options: dict = field(default_factory=dict)
    num_epochs: int = 30
    batch_size: int = 64
    seed: int = 0
    early_stopping_patience: int | None = None
    early_stopping_metric: str = "val_acc"
    early_stopping_min_delta: float = 0.0
    divergence_factor: float | None = DIVERGENCE_FACTOR
    restore_best: bool = True
    num_train_samples: int | None = 1000
    num_val_samples: int | None = None
    sample_with_replacement: bool = False

    @classmethod
    def from_dict(cls, values: Any, source: str = "config") -> "TrainConfig":
        """A checked TrainConfig from a dict (a config.json's contents); errors name `source` and the key."""
        if not isinstance(values, dict):
            raise ValueError(f"{source} must be a JSON object of options, got {type(values).__name__} {values!r:.60}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown key{'s' if len(unknown) > 1 else ''} {unknown}; known: "
                             f"{sorted(known)}")
        config = cls(**values)
        try:
            config._check()
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{source}: {exc}") from None
        return config

    def _check(self) -> None:
        """Types and ranges of the fields (the model and Solver check how they combine)."""
        from fcnet.data import DATASETS

        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {list(DATASETS)}, got {self.dataset!r}")
        if not isinstance(self.hidden_dims, list) or not all(
                isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in self.hidden_dims):
            raise ValueError(f"hidden_dims must be a list of positive integers, got {self.hidden_dims!r}")
        check_network_fits(self.hidden_dims)
        if isinstance(self.seed, int) and self.seed > MAX_SEED:
            raise ValueError(f"seed must be an integer in 0..{MAX_SEED}, got {self.seed}")
        for name in ("num_epochs", "batch_size"):
            check_int(name, getattr(self, name), 1)
        check_int("limit", self.limit, 1, allow_none=True)
        check_int("early_stopping_patience", self.early_stopping_patience, 1, allow_none=True)
        check_int("num_train_samples", self.num_train_samples, 1, allow_none=True)
        check_int("num_val_samples", self.num_val_samples, 1, allow_none=True)
        for name in ("restore_best", "sample_with_replacement"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be true or false, got {getattr(self, name)!r}")
        check_seed("seed", self.seed)
        check_real("learning_rate", self.learning_rate, 0.0)
        for name in ("reg", "alpha", "dropout", "lr_decay", "early_stopping_min_delta",
                     "divergence_factor") + OPTIMIZER_OPTIONS:
            check_real(name, getattr(self, name), allow_none=True)
        if not isinstance(self.lr_schedule_options, dict):
            raise TypeError(f"lr_schedule_options must be a JSON object, got {self.lr_schedule_options!r}")

    def optim_config(self) -> dict:
        config = {"learning_rate": self.learning_rate}
        config.update({k: getattr(self, k) for k in OPTIMIZER_OPTIONS if getattr(self, k) is not None})
        return config


MAX_HIDDEN_UNITS = 100_000  # per hidden layer
MAX_HIDDEN_LAYERS = 100
MAX_SEED = 2 ** 32 - 1  # NumPy's and scikit-learn's seeds


def available_memory() -> int:
    """Bytes of memory this machine can still give (MemAvailable), or its total when that is unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_network_fits(hidden_dims: Sequence[int], input_dim: int = 3072, num_classes: int = 10,
                       source: str = "hidden_dims", itemsize: int = 4) -> None:
    """Refuse a network the machine cannot hold before anything is allocated: at most MAX_HIDDEN_LAYERS layers of
    MAX_HIDDEN_UNITS units, and its weights, gradients and optimizer moments (4 copies) within the memory
    available. input_dim defaults to the widest dataset fcnet loads (CIFAR-10's 3,072)."""
    if len(hidden_dims) > MAX_HIDDEN_LAYERS or any(h > MAX_HIDDEN_UNITS for h in hidden_dims):
        raise ValueError(f"{source}: hidden_dims {list(hidden_dims)[:8]} is too large: at most {MAX_HIDDEN_LAYERS} "
                         f"layers of at most {MAX_HIDDEN_UNITS:,} units")
    sizes = [input_dim, *hidden_dims, num_classes]
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    needed, available = 4 * parameters * itemsize, available_memory()
    if needed > available:
        raise ValueError(f"{source}: a {list(hidden_dims)} network of {parameters:,} parameters needs about "
                         f"{needed / 2**30:.1f} GiB for weights, gradients and optimizer state; this machine has "
                         f"{available / 2**30:.1f} GiB available")


def load_data(config: TrainConfig) -> dict:
    from fcnet.data import load_dataset

    return load_dataset(config.dataset, data_dir=config.data_dir, seed=config.seed, limit=config.limit)


def build_model(config: TrainConfig, input_dim: int, num_classes: int) -> FullyConnectedNet:
    check_network_fits(config.hidden_dims, input_dim, num_classes, itemsize=np.dtype(config.dtype).itemsize)
    return FullyConnectedNet(config.hidden_dims, input_dim=input_dim, num_classes=num_classes,
                             dropout=config.dropout, normalization=config.normalization, reg=config.reg,
                             weight_scale=config.weight_scale, dtype=config.dtype, seed=config.seed,
                             activation=config.activation, alpha=config.alpha)


def make_solver(model, data: dict, config: TrainConfig, verbose: bool = True, **extra) -> Solver:
    return Solver(model, data, update_rule=config.update_rule, optim_config=config.optim_config(),
                  lr_decay=config.lr_decay, lr_schedule=config.lr_schedule,
                  lr_schedule_options=config.lr_schedule_options or None, num_epochs=config.num_epochs,
                  batch_size=config.batch_size, seed=config.seed, verbose=verbose,
                  print_every=max(1, (len(data["y_train"]) // config.batch_size) * config.num_epochs // 20),
                  early_stopping_patience=config.early_stopping_patience,
                  early_stopping_metric=config.early_stopping_metric,
                  early_stopping_min_delta=config.early_stopping_min_delta,
                  divergence_factor=config.divergence_factor, restore_best=config.restore_best,
                  num_train_samples=config.num_train_samples, num_val_samples=config.num_val_samples,
                  sample_with_replacement=config.sample_with_replacement, **extra)


def num_classes_of(data: dict) -> int:
    return int(max(np.max(data["y_train"]), np.max(data["y_val"]), np.max(data.get("y_test", [0])))) + 1


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
            warnings.warn(f"{path.name} is unreadable ({exc}); trying the checkpoint before it", stacklevel=2)
            problems.append(f"{path.name}: {exc}" if not problems else path.name)
    raise RunDirError(f"--resume {out}: no readable checkpoint (unreadable: {'; '.join(problems)})")


def train_run(config: TrainConfig, out_dir: str | Path, verbose: bool = True, data: dict | None = None, *,
              resume: bool = False, force: bool = False, keep_checkpoints: int = 2) -> dict:
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
    solver = make_solver(model, data, config, verbose=verbose, checkpoint_name=str(out / "checkpoint"),
                         keep_checkpoints=keep_checkpoints)
    solver.run_info = {key: getattr(config, key) for key in DATA_FIELDS}
    with run_lock(out):
        check_run_dir(out, resume, force)  # again, under the lock: another command may have written it since
        return _train_locked(config, out, data, model, solver, resume, force)


DATA_FIELDS = ("dataset", "data_dir", "limit", "seed")  # what decides a run's data and its split


def _train_locked(config: TrainConfig, out: Path, data: dict, model, solver: Solver, resume: bool,
                  force: bool) -> dict:
    from fcnet import plots
    from fcnet.data import IMAGE_SHAPES

    if resume:
        resumed_from = resume_solver(solver, out)  # said even when quiet: which checkpoint the run goes on from
        if config.num_epochs < solver.epoch:
            raise RunDirError(f"--epochs {config.num_epochs} is fewer than the {solver.epoch} epochs this run has "
                              f"trained; give --epochs {solver.epoch} or more to extend it (or leave it out)")
        print(f"Resuming from {resumed_from.name} (epoch {solver.epoch}, iteration {solver.t})", flush=True)
    else:
        start_run_dir(out, dataclasses.asdict(config), force)
    start = time.perf_counter()
    solver.train()
    seconds = time.perf_counter() - start
    io.save(model, out / "model.npz")
    solver.save_history(out / "history.csv")
    solver.save_history(out / "history.json")
    plots.plot_history(solver, out / "history.png", title=f"{config.dataset}, {config.hidden_dims}")
    plots.plot_history(solver, out / "loss.png", panels=("loss",), title=config.dataset)
    plots.plot_history(solver, out / "accuracy.png", panels=("accuracy",), title=config.dataset)
    shape = IMAGE_SHAPES.get(config.dataset)
    if shape is not None:
        plots.show_net_weights(model, shape, out / "weights.png")
    summary = {
        "val_acc": accuracy(model, data["X_val"], data["y_val"]),
        "test_acc": accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else None,
        "best_val_acc": solver.best_val_acc, "stop_reason": solver.stop_reason, "epochs": solver.epoch,
        "iterations": solver.t, "seconds": seconds, "run_dir": str(out),
    }
    io.write_text(out / "summary.json", json.dumps(summary, indent=2))
    return summary


def run_config(path: str | Path) -> dict | None:
    """The config.json of the run a model belongs to, when there is one (an unreadable one is an error that names
    the file)."""
    config_file = resolve_model_path(path).parent / "config.json"
    if not config_file.is_file():
        return None
    values = read_json_object(config_file, f"{config_file} (beside the model)")
    TrainConfig.from_dict(values, source=f"{config_file} (beside the model)")  # its errors name the file and key
    return values


def read_json_object(path: Path, what: str) -> dict:
    """The JSON object in `path`; errors name the file as `what` (e.g. '--config my.json')."""
    if path.exists() and not path.is_file():
        raise ValueError(f"{what} is not a regular file (a directory, FIFO or device); give a JSON file")
    if not path.is_file():
        raise FileNotFoundError(f"{what}: no such file")
    try:
        values = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(values, dict):
        raise ValueError(f"{what} must hold a JSON object of options, got a {type(values).__name__}")
    return values


def class_names(dataset: str | None, num_classes: int) -> list[str]:
    """The dataset's class names, or the labels as text for a model of unknown origin."""
    from fcnet.data import CLASS_NAMES

    names = CLASS_NAMES.get(dataset or "")
    return names if names is not None and len(names) == num_classes else [str(i) for i in range(num_classes)]


def evaluate(model, X: np.ndarray, y: np.ndarray, names: Sequence[str] | None = None) -> dict:
    """Accuracy, per-class accuracy, the confusion matrix (rows: true class, columns: predicted) and `report`,
    scikit-learn's classification_report (precision, recall, F1 per class) with the class names."""
    from sklearn.metrics import classification_report

    predicted = model.predict(X)
    num_classes = model.num_classes
    names = list(names) if names is not None else [str(i) for i in range(num_classes)]
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (y, predicted), 1)
    support = confusion.sum(axis=1)
    per_class = np.divide(np.diag(confusion), support, out=np.full(num_classes, np.nan), where=support > 0)
    report = classification_report(y, predicted, labels=list(range(num_classes)), target_names=names, digits=4,
                                   zero_division=0)
    return {"accuracy": float(np.mean(predicted == y)), "per_class_accuracy": per_class.tolist(),
            "confusion_matrix": confusion.tolist(), "num_samples": int(len(y)), "class_names": names,
            "report": report}


def describe_model(model: Any) -> list[tuple[str, str, int]]:
    """(parameter name, shape, number of values) for every parameter, in the network's order."""
    return [(name, "x".join(map(str, np.shape(value))), int(np.size(value))) for name, value in model.params.items()]


def check_trainable(config: TrainConfig, source: str = "options") -> None:
    """Every option of `config` as the model and the Solver check it, on a tiny stand-in network and data, so
    that a bad combination (an optimizer setting the rule does not take, a schedule with lr_decay) is refused
    before a command writes anything or trains for hours."""
    tiny = dataclasses.replace(config, hidden_dims=[2] * len(config.hidden_dims))
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((4, 3)), "y_train": np.array([0, 1, 0, 1]),
            "X_val": rng.standard_normal((2, 3)), "y_val": np.array([0, 1])}
    try:
        make_solver(build_model(tiny, 3, 2), data, tiny, verbose=False)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{source}: {exc}") from None


def rule_configs(config: TrainConfig, rules: Sequence[str],
                 learning_rates: dict[str, float] | None = None) -> dict[str, TrainConfig]:
    """`config` for each update rule (with its learning rate), every one checked as the Solver will check it."""
    learning_rates = {**HOMEWORK_LEARNING_RATES, **(learning_rates or {})}
    configs = {rule: dataclasses.replace(config, update_rule=rule, learning_rate=learning_rates.get(
        rule, config.learning_rate)) for rule in rules}
    for rule, rule_config in configs.items():
        check_trainable(rule_config, f"rule {rule}")
    return configs


def compare_optimizers(config: TrainConfig, rules: Sequence[str], learning_rates: dict[str, float] | None = None,
                       verbose: bool = False, data: dict | None = None, on_result=None) -> dict[str, Solver]:
    """Train the same network (same initial weights) with each update rule; returns the solvers by rule. Every
    rule's options are checked before the first one trains."""
    configs = rule_configs(config, rules, learning_rates)
    data = load_data(config) if data is None else data
    solvers = {}
    for rule in rules:
        rule_config = configs[rule]
        model = build_model(rule_config, int(np.prod(data["X_train"].shape[1:])), num_classes_of(data))
        solver = make_solver(model, data, rule_config, verbose=verbose)
        start = time.perf_counter()
        solver.train()
        solver.seconds = time.perf_counter() - start
        solver.test_acc = accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else None
        solvers[rule] = solver
        if on_result is not None:
            on_result(rule, solver)
    return solvers


GRADCHECK_STEP = 1e-6  # small enough that a ReLU kink is rarely within reach, large enough for float64 rounding


def gradient_check(config: TrainConfig, num_samples: int = 4, input_dim: int = 12, num_classes: int = 5,
                   seed: int = 0) -> dict[str, float]:
    """Per parameter, the relative error between the analytic and the numerical (centred differences) gradient of
    a float64 network configured like `config`, on random data.

    The error is ``||analytic - numeric|| / max(||analytic|| + ||numeric||, largest analytic gradient norm)``: a
    parameter whose gradient is (near) zero, such as a bias just before batch norm, is judged against the scale of
    the network's gradients rather than against rounding noise. Element-wise maxima would flag exactly those."""
    from fcnet.gradient_check import eval_numerical_gradient

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((num_samples, input_dim))
    y = rng.integers(num_classes, size=num_samples)
    model = build_model(dataclasses.replace(config, dtype="float64"), input_dim, num_classes)
    _, grads = model.loss(X, y)
    numeric = {name: eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False,
                                             h=GRADCHECK_STEP) for name in grads}
    scale = max(float(np.linalg.norm(g)) for g in grads.values())
    return {name: float(np.linalg.norm(grads[name] - numeric[name]) /
                        max(np.linalg.norm(grads[name]) + np.linalg.norm(numeric[name]), scale, 1e-300))
            for name in sorted(grads)}
