"""The Solver's options, declared once: a frozen dataclass whose fields are the Solver's keyword arguments.

Each field is checked when the options are built (``SolverOptions(...)`` raises a ValueError/TypeError that names
the option, the expected and the actual value), so a Solver never starts with a bad setting. ``fcnet train``'s
TrainConfig and the scikit-learn estimator map their settings onto these fields; a test checks that every field a
run can use is a TrainConfig field and a command-line option.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from fcnet._checks import check_int, check_real, check_seed
from fcnet.divergence import DIVERGENCE_FACTOR
from fcnet.schedules import Exponential, make_schedule

EARLY_STOPPING_METRICS = ("val_acc", "val_loss")
PROGRESS_CHOICES = ("auto", True, False)


@dataclass(frozen=True)
class SolverOptions:
    """How a Solver trains. cs231n's options: update_rule (a name in fcnet.optim.UPDATE_RULES or a callable),
    optim_config (the rule's hyperparameters, checked by fcnet.optimizer.Optimizer), lr_decay (per epoch, in
    (0, 1]), batch_size, num_epochs, num_train_samples / num_val_samples (subsamples for the accuracy checks;
    None = all), checkpoint_name (a checkpoint '<checkpoint_name>_epoch_<e>.npz' every epoch), print_every,
    verbose. fcnet's: keep_checkpoints (keep the last K epoch checkpoints and the best epoch's; None: all), seed
    (batches, check subsamples and dropout masks), sample_with_replacement (cs231n's independent batches; default:
    shuffled epochs), lr_schedule ('exponential', 'step', 'cosine', 'plateau') with lr_schedule_options,
    early_stopping_patience / _metric ('val_acc' or 'val_loss') / _min_delta, divergence_factor (None: stop only
    on a non-finite loss), restore_best (False: keep the last state, unless the run diverged), epoch_callback
    (called as callback(solver) after every check; it may set solver.stop_training), diagnostics (measure activations,
    gradients and update ratios 20 times an epoch: fcnet.diagnostics), progress ('auto': a tqdm
    bar when verbose on a terminal), resume (a checkpoint to continue from).

    ``schedule`` (not an argument) is the learning-rate schedule built from lr_decay / lr_schedule."""

    update_rule: str | Callable = "sgd"
    optim_config: Mapping[str, Any] | None = None
    lr_decay: float = 1.0
    batch_size: int = 100
    num_epochs: int = 10
    num_train_samples: int | None = 1000
    num_val_samples: int | None = None
    checkpoint_name: str | Path | None = None
    keep_checkpoints: int | None = None
    print_every: int = 10
    verbose: bool = True
    seed: int | None = None
    sample_with_replacement: bool = False
    lr_schedule: str | None = None
    lr_schedule_options: Mapping[str, Any] | None = None
    early_stopping_patience: int | None = None
    early_stopping_metric: str = "val_acc"
    early_stopping_min_delta: float = 0.0
    divergence_factor: float | None = DIVERGENCE_FACTOR
    restore_best: bool = True
    diagnostics: bool = False
    epoch_callback: Callable | None = None
    progress: bool | str = "auto"
    resume: str | Path | None = None
    schedule: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, value in _checked(self).items():
            object.__setattr__(self, name, value)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The options a Solver takes as keyword arguments."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def _checked(o: SolverOptions) -> dict[str, Any]:
    """The options' checked and normalized values (the schedule built), or a ValueError/TypeError naming the
    option, the expected and the actual value."""
    checked: dict[str, Any] = {}
    if not (callable(o.update_rule) or isinstance(o.update_rule, str)):
        raise TypeError(f"update_rule must be a rule's name or a callable, got {o.update_rule!r}")
    if o.optim_config is not None and not isinstance(o.optim_config, Mapping):
        raise TypeError(f"optim_config must be a dict, got {o.optim_config!r}")
    checked["optim_config"] = MappingProxyType(dict(o.optim_config or {}))
    checked["lr_decay"] = check_real("lr_decay", o.lr_decay, 0.0, 1.0, low_open=True)
    for name in ("batch_size", "num_epochs", "print_every"):
        checked[name] = check_int(name, getattr(o, name), 1)
    for name in (
        "num_train_samples",
        "num_val_samples",
        "early_stopping_patience",
        "keep_checkpoints",
    ):
        checked[name] = check_int(name, getattr(o, name), 1, allow_none=True)
    checked["seed"] = check_seed("seed", o.seed)
    for name in ("verbose", "sample_with_replacement", "restore_best", "diagnostics"):
        if not isinstance(getattr(o, name), (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {getattr(o, name)!r}")
    if o.progress not in PROGRESS_CHOICES:
        raise ValueError(f"progress must be 'auto', True or False, got {o.progress!r}")
    for name in ("checkpoint_name", "resume"):
        if getattr(o, name) is not None and not isinstance(getattr(o, name), (str, os.PathLike)):
            raise TypeError(f"{name} must be a path or None, got {getattr(o, name)!r}")
    if o.epoch_callback is not None and not callable(o.epoch_callback):
        raise TypeError(f"epoch_callback must be callable or None, got {o.epoch_callback!r}")
    if o.early_stopping_metric not in EARLY_STOPPING_METRICS:
        raise ValueError(
            f"early_stopping_metric must be one of {list(EARLY_STOPPING_METRICS)}, "
            f"got {o.early_stopping_metric!r}"
        )
    checked["early_stopping_min_delta"] = check_real(
        "early_stopping_min_delta", o.early_stopping_min_delta, 0.0
    )
    checked["divergence_factor"] = check_real(
        "divergence_factor", o.divergence_factor, 1.0, low_open=True, allow_none=True
    )
    checked["schedule"] = _schedule(o.lr_schedule, o.lr_schedule_options, checked["lr_decay"])
    return checked


def _schedule(name: str | None, options: Mapping | None, lr_decay: float):
    if name is None:
        if options:
            raise ValueError(
                f"lr_schedule_options={dict(options)!r} were given without an lr_schedule"
            )
        return Exponential(lr_decay)
    if lr_decay != 1.0 and name != "exponential":
        raise ValueError(f"lr_decay={lr_decay} and lr_schedule={name!r} conflict; give one")
    options = dict(options) if isinstance(options, Mapping) else options
    if name == "exponential" and isinstance(options, dict):
        options.setdefault("decay", lr_decay)
    return make_schedule(name, options)


def keyword_signature(positional: tuple[str, ...]) -> inspect.Signature:
    """(*positional, *, options=None, update_rule='sgd', ...): every SolverOptions field with its default, the
    signature the Solver shows (help(Solver), an editor) for the keywords declared once here."""
    fixed = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in positional
    ]
    keywords = [inspect.Parameter("options", inspect.Parameter.KEYWORD_ONLY, default=None)]
    keywords += [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.type
        )
        for f in dataclasses.fields(SolverOptions)
        if f.init
    ]
    return inspect.Signature(fixed + keywords)
