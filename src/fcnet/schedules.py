"""Learning-rate schedules: the factor that multiplies the base learning rate at the start of an epoch.

A schedule is stateless: ``factor(epoch, num_epochs, val_history)`` depends only on the epoch reached (0 for the
first) and the validation metric seen so far, so a resumed run recomputes exactly the same factor.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Sequence


@dataclass(frozen=True)
class Exponential:
    """``decay ** epoch`` (cs231n's ``lr_decay``)."""

    decay: float = 1.0

    def factor(self, epoch: int, num_epochs: int, val_history: Sequence[float]) -> float:
        return self.decay ** epoch


@dataclass(frozen=True)
class Step:
    """``gamma ** (epoch // step_size)``."""

    step_size: int = 10
    gamma: float = 0.1

    def factor(self, epoch, num_epochs, val_history):
        return self.gamma ** (epoch // self.step_size)


@dataclass(frozen=True)
class Cosine:
    """Cosine annealing from 1 to ``min_factor`` over the run."""

    min_factor: float = 0.0

    def factor(self, epoch, num_epochs, val_history):
        return self.min_factor + 0.5 * (1 - self.min_factor) * (1 + math.cos(math.pi * epoch / max(1, num_epochs)))


@dataclass(frozen=True)
class ReduceOnPlateau:
    """Multiply by ``factor_on_plateau`` whenever the validation metric (higher is better) has not improved by
    more than ``min_delta`` for ``patience`` epochs; never below ``min_factor``."""

    patience: int = 3
    factor_on_plateau: float = 0.1
    min_delta: float = 0.0
    min_factor: float = 0.0

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


SCHEDULES = {"exponential": Exponential, "step": Step, "cosine": Cosine, "plateau": ReduceOnPlateau}


def make_schedule(name: str, **options) -> Exponential | Step | Cosine | ReduceOnPlateau:
    """The schedule called `name` ('exponential', 'step', 'cosine', 'plateau') with its options."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown lr_schedule {name!r}; known: {sorted(SCHEDULES)}")
    try:
        return SCHEDULES[name](**options)
    except TypeError as exc:
        raise ValueError(f"bad options for lr_schedule {name!r}: {exc}") from None


def describe(schedule) -> dict:
    """A JSON-able description: {'name': ..., **options}."""
    name = next(k for k, v in SCHEDULES.items() if isinstance(schedule, v))
    return {"name": name, **asdict(schedule)}
