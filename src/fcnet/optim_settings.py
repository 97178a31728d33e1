"""The update rules' settings, declared once: each rule's hyperparameters (default and allowed range) and state
keys, and the checks of a config against them. fcnet.optim re-exports them beside the rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fcnet._checks import check_real


@dataclass(frozen=True)
class Hyperparameter:
    """A scalar setting of an update rule: its default and the interval it must lie in."""

    default: float
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def check(self, name: str, value: Any) -> float:
        return check_real(
            name, value, self.low, self.high, low_open=self.low_open, high_open=self.high_open
        )


def _rule_settings(learning_rate: float, **others: Hyperparameter) -> dict[str, Hyperparameter]:
    return {
        "learning_rate": Hyperparameter(learning_rate),
        **others,
        "weight_decay": Hyperparameter(0.0),
    }


_FRACTION = {"low": 0.0, "high": 1.0, "high_open": True}  # [0, 1)


_MOMENTUM = Hyperparameter(0.9, **_FRACTION)


_ADAM = {
    "beta1": Hyperparameter(0.9, **_FRACTION),
    "beta2": Hyperparameter(0.999, **_FRACTION),
    "epsilon": Hyperparameter(1e-8, low_open=True),
}


# Every rule's hyperparameters, declared once: default and allowed range. Everything else a rule keeps in its
# config is per-parameter state (STATE_KEYS).
HYPERPARAMETERS: dict[str, dict[str, Hyperparameter]] = {
    "sgd": _rule_settings(1e-2),
    "sgd_momentum": _rule_settings(1e-2, momentum=_MOMENTUM),
    "nesterov_momentum": _rule_settings(1e-2, momentum=_MOMENTUM),
    "adagrad": _rule_settings(1e-2, epsilon=Hyperparameter(1e-7, low_open=True)),
    "rmsprop": _rule_settings(
        1e-2,
        decay_rate=Hyperparameter(0.99, **_FRACTION),
        epsilon=Hyperparameter(1e-8, low_open=True),
    ),
    "adam": _rule_settings(1e-3, **_ADAM),
    "adabelief": _rule_settings(1e-3, **_ADAM),
}


STATE_KEYS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "sgd_momentum": ("velocity",),
    "nesterov_momentum": ("velocity",),
    "adagrad": ("cache",),
    "rmsprop": ("cache",),
    "adam": ("m", "v", "t"),
    "adabelief": ("m", "s", "t"),
}


def check_config_keys(rule: str, config: dict, hyperparameters: Any, state_keys: Any) -> None:
    """Refuse a config key that is neither one of the rule's hyperparameters nor one of its state keys (a
    misspelt ``lr`` would otherwise train at the default learning rate without a word). The course packages'
    renamed rules call it; fcnet's own kernels take a shared config dict (several rules' settings in one), and
    their Optimizer checks the names instead."""
    unknown = sorted(set(config) - set(hyperparameters) - set(state_keys))
    if unknown:
        raise ValueError(
            f"unknown config key{'s' if len(unknown) > 1 else ''} {unknown} for update rule {rule!r}; "
            f"its settings: {sorted(hyperparameters)}, its state: {sorted(state_keys)}"
        )


def check_state(
    rule: str, config: dict, shape: tuple, names: dict[str, str] | None = None
) -> None:
    """The rule's state in config, where present: arrays of w's shape, and a step count t that is an integer
    >= 0. names maps fcnet's state keys to the caller's (a course's) for the message."""
    names = names or {}
    for key in STATE_KEYS[rule]:
        value = config.get(key)
        if value is None:
            continue
        shown = names.get(key, key)
        if key == "t":
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"config[{shown!r}] (the step count) must be an integer >= 0, got {value!r}"
                )
        elif np.shape(value) != shape:
            raise ValueError(
                f"config[{shown!r}] has shape {np.shape(value)}, but w has shape {shape}"
            )
