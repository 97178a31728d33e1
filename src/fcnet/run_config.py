"""A run's settings: TrainConfig (what `fcnet train`, config.json and a search trial share), the bounds a run's
network must respect, and the checks that a configuration can train."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from fcnet._checks import check_int, check_real, check_seed
from fcnet.divergence import DIVERGENCE_FACTOR


OPTIMIZER_OPTIONS = ("momentum", "beta1", "beta2", "epsilon", "decay_rate", "weight_decay")


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
    diagnostics: bool = (
        True  # measurements while training and findings at the end (fcnet.diagnostics)
    )

    @classmethod
    def from_dict(cls, values: Any, source: str = "config") -> "TrainConfig":
        """A checked TrainConfig from a dict (a config.json's contents); errors name `source` and the key."""
        if not isinstance(values, dict):
            raise ValueError(
                f"{source} must be a JSON object of options, got {type(values).__name__} {values!r:.60}"
            )
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"{source}: unknown key{'s' if len(unknown) > 1 else ''} {unknown}; known: "
                f"{sorted(known)}"
            )
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
            isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in self.hidden_dims
        ):
            raise ValueError(
                f"hidden_dims must be a list of positive integers, got {self.hidden_dims!r}"
            )
        check_network_fits(self.hidden_dims)
        if isinstance(self.seed, int) and self.seed > MAX_SEED:
            raise ValueError(f"seed must be an integer in 0..{MAX_SEED}, got {self.seed}")
        for name in ("num_epochs", "batch_size"):
            check_int(name, getattr(self, name), 1)
        check_int("limit", self.limit, 1, allow_none=True)
        check_int("early_stopping_patience", self.early_stopping_patience, 1, allow_none=True)
        check_int("num_train_samples", self.num_train_samples, 1, allow_none=True)
        check_int("num_val_samples", self.num_val_samples, 1, allow_none=True)
        for name in ("restore_best", "sample_with_replacement", "diagnostics"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be true or false, got {getattr(self, name)!r}")
        check_seed("seed", self.seed)
        check_real("learning_rate", self.learning_rate, 0.0)
        for name in (
            "reg",
            "alpha",
            "dropout",
            "lr_decay",
            "early_stopping_min_delta",
            "divergence_factor",
        ) + OPTIMIZER_OPTIONS:
            check_real(name, getattr(self, name), allow_none=True)
        if not isinstance(self.lr_schedule_options, dict):
            raise TypeError(
                f"lr_schedule_options must be a JSON object, got {self.lr_schedule_options!r}"
            )

    def optim_config(self) -> dict:
        config = {"learning_rate": self.learning_rate}
        config.update(
            {k: getattr(self, k) for k in OPTIMIZER_OPTIONS if getattr(self, k) is not None}
        )
        return config


MAX_HIDDEN_UNITS = 100_000  # per hidden layer


MAX_HIDDEN_LAYERS = 100


MAX_SEED = 2**32 - 1  # NumPy's and scikit-learn's seeds


def available_memory() -> int:
    """Bytes of memory this machine can still give (MemAvailable), or its total when that is unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_network_fits(
    hidden_dims: Sequence[int],
    input_dim: int = 3072,
    num_classes: int = 10,
    source: str = "hidden_dims",
    itemsize: int = 4,
) -> None:
    """Refuse a network the machine cannot hold before anything is allocated: at most MAX_HIDDEN_LAYERS layers of
    MAX_HIDDEN_UNITS units, and its weights, gradients and optimizer moments (4 copies) within the memory
    available. input_dim defaults to the widest dataset fcnet loads (CIFAR-10's 3,072)."""
    if len(hidden_dims) > MAX_HIDDEN_LAYERS or any(h > MAX_HIDDEN_UNITS for h in hidden_dims):
        raise ValueError(
            f"{source}: hidden_dims {list(hidden_dims)[:8]} is too large: at most {MAX_HIDDEN_LAYERS} "
            f"layers of at most {MAX_HIDDEN_UNITS:,} units"
        )
    sizes = [input_dim, *hidden_dims, num_classes]
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    needed, available = 4 * parameters * itemsize, available_memory()
    if needed > available:
        raise ValueError(
            f"{source}: a {list(hidden_dims)} network of {parameters:,} parameters needs about "
            f"{needed / 2**30:.1f} GiB for weights, gradients and optimizer state; this machine has "
            f"{available / 2**30:.1f} GiB available"
        )
