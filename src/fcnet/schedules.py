"""Learning-rate schedules: the factor that multiplies the base learning rate at the start of an epoch.

A schedule is stateless: ``factor(epoch, num_epochs, val_history)`` depends only on the epoch reached (0 for the
first) and the validation metric seen so far, so a resumed run recomputes exactly the same factor.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Sequence

from fcnet._checks import check_int, check_real


@dataclass(frozen=True)
class Exponential:
    """``decay ** epoch`` (cs231n's ``lr_decay``)."""

    decay: float = 1.0

    def __post_init__(self):
        check_real("decay", self.decay, 0.0, 1.0, low_open=True)

    def factor(self, epoch: int, num_epochs: int, val_history: Sequence[float]) -> float:
        return self.decay**epoch


@dataclass(frozen=True)
class Step:
    """``gamma ** (epoch // step_size)``."""

    step_size: int = 10
    gamma: float = 0.1

    def __post_init__(self):
        check_int("step_size", self.step_size, 1)
        check_real("gamma", self.gamma, 0.0, 1.0, low_open=True)

    def factor(self, epoch, num_epochs, val_history):
        return self.gamma ** (epoch // self.step_size)


@dataclass(frozen=True)
class Cosine:
    """Cosine annealing from 1 to ``min_factor`` over the run."""

    min_factor: float = 0.0

    def __post_init__(self):
        check_real("min_factor", self.min_factor, 0.0, 1.0)

    def factor(self, epoch, num_epochs, val_history):
        return self.min_factor + 0.5 * (1 - self.min_factor) * (
            1 + math.cos(math.pi * epoch / max(1, num_epochs))
        )


@dataclass(frozen=True)
class ReduceOnPlateau:
    """Multiply by ``factor_on_plateau`` whenever the validation metric (higher is better) has not improved by
    more than ``min_delta`` for ``patience`` epochs; never below ``min_factor``."""

    patience: int = 3
    factor_on_plateau: float = 0.1
    min_delta: float = 0.0
    min_factor: float = 0.0

    def __post_init__(self):
        check_int("patience", self.patience, 1)
        check_real("factor_on_plateau", self.factor_on_plateau, 0.0, 1.0, low_open=True)
        check_real("min_delta", self.min_delta, 0.0)
        check_real("min_factor", self.min_factor, 0.0, 1.0)

    def factor(self, epoch, num_epochs, val_history):
        factor, best, waited = 1.0, -math.inf, 0
        for value in val_history:
            if value > best + self.min_delta:
                best, waited = value, 0
            else:
                waited += 1
                if waited >= self.patience:
                    factor, waited = max(self.min_factor, factor * self.factor_on_plateau), 0
        return factor


SCHEDULES = {
    "exponential": Exponential,
    "step": Step,
    "cosine": Cosine,
    "plateau": ReduceOnPlateau,
}


def make_schedule(
    name: str, options: dict | None = None
) -> Exponential | Step | Cosine | ReduceOnPlateau:
    """The schedule called `name` ('exponential', 'step', 'cosine', 'plateau') with its options."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown lr_schedule {name!r}; known: {sorted(SCHEDULES)}")
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(f"lr_schedule_options must be a dict, got {options!r}")
    known = [f.name for f in fields(SCHEDULES[name])]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown} for lr_schedule {name!r}; known: {known}")
    try:
        return SCHEDULES[name](**options)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"lr_schedule {name!r}: {exc}") from None


def describe(schedule) -> dict:
    """A JSON-able description: {'name': ..., **options}."""
    name = next(k for k, v in SCHEDULES.items() if isinstance(schedule, v))
    return {"name": name, **asdict(schedule)}
