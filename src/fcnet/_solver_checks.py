"""The Solver's input checks: its data before training starts, and a checkpoint before a run resumes from it (its
options are checked by fcnet.solver_options)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fcnet._checks import check_labels

# Inputs whose magnitude exceeds this train badly (saturated units, huge first losses): a warning says so.
LARGE_INPUT = 1e4


def check_data(
    model: Any, data: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """(X_train, y_train, X_val, y_val, largest |x| in the training inputs), after checking shapes, labels and
    values against the model (its input_dim, num_classes and dtype when it declares them)."""
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
    if missing:
        raise ValueError(f"data is missing {missing}; it needs X_train, y_train, X_val and y_val")
    num_classes = getattr(model, "num_classes", None)
    input_dim = getattr(model, "input_dim", None)
    dtype = np.dtype(getattr(model, "dtype", np.float64))
    largest = {}
    for split in ("train", "val"):
        X, y = np.asarray(data[f"X_{split}"]), np.asarray(data[f"y_{split}"])
        if X.ndim < 2 or X.shape[0] == 0:
            raise ValueError(f"X_{split} must have shape (N, ...) with N >= 1, got {X.shape}")
        if y.shape[:1] != X.shape[:1]:
            raise ValueError(
                f"X_{split} has {X.shape[0]} samples but y_{split} has "
                f"{y.shape[0] if y.ndim else 'no'} labels"
            )
        if num_classes is not None:
            check_labels(f"y_{split}", y, X.shape[0], num_classes)
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
            raise TypeError(f"X_{split} must be numeric, got dtype {X.dtype}")
        if input_dim is not None and int(np.prod(X.shape[1:])) != input_dim:
            raise ValueError(
                f"X_{split} has {int(np.prod(X.shape[1:]))} features per sample but the model "
                f"expects input_dim={input_dim}"
            )
        low, high = float(X.min()), float(X.max())  # two reductions, no temporary the size of X
        if not (
            np.isfinite(low) and np.isfinite(high)
        ):  # a NaN or an inf anywhere makes one of them so
            raise ValueError(
                f"X_{split} holds {int(np.sum(~np.isfinite(X)))} non-finite values (NaN or inf)"
            )
        largest[split] = max(-low, high)
        if np.issubdtype(dtype, np.floating) and largest[split] > float(np.finfo(dtype).max):
            raise ValueError(
                f"X_{split} has values up to {largest[split]:.3g}, which overflow the model's dtype "
                f"{dtype} (largest {np.finfo(dtype).max:.3g}): scale the inputs (e.g. standardize)"
            )
    for split in ("train", "val"):
        weights = data.get(f"sample_weight_{split}")
        if weights is None:
            continue
        weights, n = np.asarray(weights), len(data[f"y_{split}"])
        if weights.shape != (n,) or not np.issubdtype(weights.dtype, np.number):
            raise ValueError(
                f"sample_weight_{split} must be {n} numbers, one per sample, got shape {weights.shape}"
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
            raise ValueError(f"sample_weight_{split} must be finite and >= 0 with a positive sum")
    if largest["train"] > LARGE_INPUT:
        warnings.warn(
            f"X_train has values up to {largest['train']:.3g}; networks train best on inputs of about "
            "unit scale: standardize them (fcnet.data.standardize) or divide by their range",
            stacklevel=3,
        )
    return (
        data["X_train"],
        np.asarray(data["y_train"]),
        data["X_val"],
        np.asarray(data["y_val"]),
        largest["train"],
    )


# Settings a checkpoint must share with the Solver resuming it, or the resumed run would not be the same run
# (num_epochs may differ: a larger one extends the run).
RESUME_SETTINGS = (
    "update_rule",
    "hyperparameters",
    "batch_size",
    "schedule",
    "sample_with_replacement",
    "num_train_samples",
    "num_val_samples",
)


class IncompatibleCheckpoint(ValueError):
    """A readable checkpoint that this model or these settings cannot resume."""


def check_resumable(
    path: Any, checkpoint: dict[str, Any], model: Any, settings: dict[str, Any]
) -> None:
    """Refuse a checkpoint of another architecture, or one written with other settings than `settings`."""
    ours = _architecture(model.get_config() if hasattr(model, "get_config") else None)
    theirs = _architecture(checkpoint["model_config"])
    if checkpoint["model_class"] != type(model).__name__ or theirs != ours:
        raise IncompatibleCheckpoint(
            f"{path} is a checkpoint of a {checkpoint['model_class']} {theirs}, "
            f"not of this {type(model).__name__} {ours}"
        )
    saved = checkpoint["trainer"]["settings"]
    differences = [
        f"{k} {saved.get(k)!r} there, {settings[k]!r} here"
        for k in RESUME_SETTINGS
        if saved.get(k) != settings[k]
    ]
    if differences:
        raise IncompatibleCheckpoint(
            f"{path} cannot be resumed exactly with these settings: "
            f"{'; '.join(differences)}. Resume with the checkpoint's settings, or "
            "start a new run"
        )


def _architecture(config: dict | None) -> dict | None:
    """What must agree between a checkpoint and the model resuming it (not the seed or the initial scale)."""
    if config is None:
        return None
    return {k: v for k, v in config.items() if k not in ("seed", "weight_scale", "reg")}


MAX_EPOCHS = 1_000_000


def _is_int(value: Any, low: int = 0, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def check_trainer(path: Any, trainer: Any, iterations_per_epoch: int) -> dict[str, Any]:
    """A checkpoint's trainer fields, each present and of its type and range (epoch, t, num_epochs, best
    accuracy, settings, generator state), or a ValueError that calls the file damaged and names the field."""

    def damaged(what: str) -> ValueError:
        return ValueError(
            f"{path} is damaged: {what}; resume from an earlier checkpoint or start a new run"
        )

    if not isinstance(trainer, dict):
        raise damaged(f"its trainer record is a {type(trainer).__name__}, not an object")
    for key in ("epoch", "t", "num_epochs", "best_val_acc", "rng_state", "settings"):
        if key not in trainer:
            raise damaged(f"its trainer record has no {key!r}")
    epoch, t, num_epochs = trainer["epoch"], trainer["t"], trainer["num_epochs"]
    if not _is_int(num_epochs, 1, MAX_EPOCHS):
        raise damaged(f"num_epochs is {num_epochs!r}, not an integer in 1..{MAX_EPOCHS}")
    if not _is_int(epoch, 0, num_epochs):
        raise damaged(f"epoch is {epoch!r}, not an integer in 0..{num_epochs} (its num_epochs)")
    if (
        not _is_int(t, 0)
        or not epoch * iterations_per_epoch <= t <= (epoch + 1) * iterations_per_epoch
    ):
        raise damaged(
            f"iteration t is {t!r}, which epoch {epoch} of {iterations_per_epoch} iterations cannot "
            "have reached"
        )
    best = trainer["best_val_acc"]
    if best is not None and (
        not isinstance(best, (int, float)) or isinstance(best, bool) or not 0 <= best <= 1
    ):
        raise damaged(f"best_val_acc is {best!r}, not an accuracy in [0, 1]")
    if not isinstance(trainer["settings"], dict):
        raise damaged(f"settings is a {type(trainer['settings']).__name__}, not an object")
    if not isinstance(trainer["rng_state"], dict):
        raise damaged(
            f"rng_state is a {type(trainer['rng_state']).__name__}, not a generator state"
        )
    return trainer


def check_run_info(path: Any, saved: Any, current: dict[str, Any] | None) -> None:
    """What decided a run's data (dataset, subset, split seed) must be what the resuming run would load."""
    if current is None or saved is None:
        return
    if not isinstance(saved, dict):
        raise ValueError(
            f"{path} is damaged: its run record is a {type(saved).__name__}, not an object"
        )
    differences = [
        f"{key} {saved.get(key)!r} in the checkpoint, {value!r} now"
        for key, value in current.items()
        if saved.get(key) != value
    ]
    if differences:
        raise IncompatibleCheckpoint(
            f"{path} was trained on other data than the run's config.json describes "
            f"({'; '.join(differences)}): resuming would train on another split. Restore "
            "config.json, or start a new run"
        )
