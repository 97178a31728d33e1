"""Update rules: ``next_w, config = rule(w, dw, config=None)``, as in cs231n.

Each rule fills its defaults into `config`, keeps its state there (velocity, cache, moments, step count),
updates the state arrays in place, and returns a new array `next_w` (w itself is not modified), or, given
``out=w``, writes next_w into w (what fcnet's Optimizer does: no copy of every weight matrix per step).
Every rule accepts ``weight_decay`` for decoupled (AdamW-style) weight decay: ``w <- w * (1 - learning_rate *
weight_decay)`` before the gradient step. ``checked=True`` skips the checks of the hyperparameters, for a caller
that made them once (the Optimizer does, at construction, not at every step).

Each rule's hyperparameters are declared once, in :data:`HYPERPARAMETERS` (default and allowed range); the rules
check them and cast them to Python floats, which take the dtype of the parameters (float32 weights stay float32).
:class:`fcnet.optimizer.Optimizer` applies a rule to every parameter of a model and keeps the state apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from fcnet._checks import check_real

UpdateRule = Callable[[np.ndarray, np.ndarray, "dict | None"], "tuple[np.ndarray, dict]"]


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


def _setup(
    w: np.ndarray, dw: np.ndarray, config: dict | None, rule: str, checked: bool = False
) -> dict:
    """Fill the rule's defaults into config and check (and cast to Python floats) its hyperparameters; with
    `checked`, the caller vouches for a complete, checked config (fcnet's Optimizer checks once, not every step)."""
    if config is None:
        config = {}
    if not checked:
        if np.shape(w) != np.shape(dw):
            raise ValueError(f"dw must have the shape of w {np.shape(w)}, got {np.shape(dw)}")
        check_state(rule, config, np.shape(w))
        for key, spec in HYPERPARAMETERS[rule].items():
            config[key] = spec.check(key, config.get(key, spec.default))
    if "t" in STATE_KEYS[rule]:
        config.setdefault("t", 0)
    return config


def _state(config: dict, key: str, w: np.ndarray) -> np.ndarray:
    """The state array `key` of config, created as zeros like w on first use."""
    if config.get(key) is None:
        config[key] = np.zeros_like(w)
    return config[key]


def _finish(w: np.ndarray, step: np.ndarray, config: dict, out: np.ndarray | None) -> np.ndarray:
    """next_w = w * (1 - lr * weight_decay) - step, written into `out` (w itself, for an update in place) or else
    into step's buffer (which the rule allocated)."""
    decay = config["weight_decay"]
    if decay:
        step += (config["learning_rate"] * decay) * w
    return np.subtract(w, step, out=step if out is None else out)


# Each rule allocates one scratch array, `step`, which ends up as next_w: on this machine a fresh temporary the
# size of a weight matrix costs more than the arithmetic on it.
def sgd(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """Vanilla SGD: ``w - learning_rate * dw``. config: learning_rate (1e-2)."""
    config = _setup(w, dw, config, "sgd", checked)
    step = np.multiply(dw, config["learning_rate"])
    return _finish(w, step, config, out), config


def sgd_momentum(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; w + v``.

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = _setup(w, dw, config, "sgd_momentum", checked)
    v = _state(config, "velocity", w)
    step = np.multiply(dw, config["learning_rate"])
    v *= config["momentum"]
    v -= step
    np.negative(v, out=step)
    return _finish(w, step, config, out), config


def nesterov_momentum(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """Nesterov momentum in the MNIST MLP homework's form: ``v = momentum * v + learning_rate * dw;
    w - (momentum * v + learning_rate * dw)`` (the same trajectory as torch.optim.SGD(nesterov=True)).

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = _setup(w, dw, config, "nesterov_momentum", checked)
    v = _state(config, "velocity", w)
    mu = config["momentum"]
    step = np.multiply(dw, config["learning_rate"])
    v *= mu
    v += step
    if mu:  # step + mu * v, without a second temporary
        step /= mu
        step += v
        step *= mu
    return _finish(w, step, config, out), config


def adagrad(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """AdaGrad: ``cache += dw**2; w - learning_rate * dw / (sqrt(cache) + epsilon)``.

    config: learning_rate (1e-2), epsilon (1e-7, the MNIST MLP homework's), cache (zeros like w).
    """
    config = _setup(w, dw, config, "adagrad", checked)
    cache = _state(config, "cache", w)
    step = np.multiply(dw, dw)
    cache += step
    return _finish(w, _scaled_step(dw, cache, config, step), config, out), config


def rmsprop(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """RMSProp: ``cache = decay_rate * cache + (1 - decay_rate) * dw**2;
    w - learning_rate * dw / (sqrt(cache) + epsilon)``.

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w).
    """
    config = _setup(w, dw, config, "rmsprop", checked)
    cache = _state(config, "cache", w)
    step = np.multiply(dw, dw)
    step *= 1 - config["decay_rate"]
    cache *= config["decay_rate"]
    cache += step
    return _finish(w, _scaled_step(dw, cache, config, step), config, out), config


def _scaled_step(
    g: np.ndarray,
    second: np.ndarray,
    config: dict,
    out: np.ndarray,
    scale: float = 1.0,
    correction: float = 1.0,
) -> np.ndarray:
    """``learning_rate * scale * g / (sqrt(second / correction) + epsilon)``, computed in `out`."""
    np.sqrt(second, out=out)
    if correction != 1.0:
        out *= 1 / math.sqrt(
            correction
        )  # a Python float: a NumPy float64 scalar would run a float64 loop
    out += config["epsilon"]
    np.divide(g, out, out=out)
    out *= config["learning_rate"] * scale
    return out


def _moment_step(m: np.ndarray, second: np.ndarray, config: dict, out: np.ndarray) -> np.ndarray:
    """The shared end of Adam and AdaBelief: the bias-corrected first moment over the root of the second."""
    t = config["t"]
    return _scaled_step(
        m,
        second,
        config,
        out,
        scale=1 / (1 - config["beta1"] ** t),
        correction=1 - config["beta2"] ** t,
    )


# A gradient that is exactly zero (a border pixel that is zero in every image, a dead unit) shrinks a moment by
# beta per step into float32's subnormal range, where arithmetic is many times slower. Every FLUSH_EVERY steps the
# moments below FLUSH_BELOW become 0; the update such a moment gives is below 1e-22 (tested), so no trajectory moves.
FLUSH_BELOW = 1e-30
FLUSH_EVERY = 100


def _flush_tiny(a: np.ndarray) -> None:
    a[np.abs(a) < FLUSH_BELOW] = 0


def _first_moment(
    w: np.ndarray, dw: np.ndarray, config: dict | None, rule: str, second: str, checked: bool
) -> tuple:
    """The common start of Adam and AdaBelief: defaults, state, t += 1 and the first moment's update.

    Returns (config, m, second moment array, the scratch array)."""
    config = _setup(w, dw, config, rule, checked)
    m, second_moment = _state(config, "m", w), _state(config, second, w)
    config["t"] += 1
    if config["t"] % FLUSH_EVERY == 0:  # see FLUSH_BELOW
        _flush_tiny(m)
        _flush_tiny(second_moment)
    step = np.multiply(dw, 1 - config["beta1"])
    m *= config["beta1"]
    m += step
    return config, m, second_moment, step


def adam(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """Adam with bias correction. config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8),
    m, v (zeros like w), t (0)."""
    config, m, v, step = _first_moment(w, dw, config, "adam", "v", checked)
    np.multiply(dw, dw, out=step)
    step *= 1 - config["beta2"]
    v *= config["beta2"]
    v += step
    return _finish(w, _moment_step(m, v, config, step), config, out), config


def adabelief(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    checked: bool = False,
) -> tuple[np.ndarray, dict]:
    """AdaBelief (the MNIST MLP homework's form): Adam whose second moment is the running mean of (dw - m)**2, with m the
    updated first moment. config: as :func:`adam`, the second moment being `s`."""
    config, m, s, step = _first_moment(w, dw, config, "adabelief", "s", checked)
    np.subtract(dw, m, out=step)
    step *= step
    step *= 1 - config["beta2"]
    s *= config["beta2"]
    s += step
    return _finish(w, _moment_step(m, s, config, step), config, out), config


UPDATE_RULES: dict[str, UpdateRule] = {
    "sgd": sgd,
    "sgd_momentum": sgd_momentum,
    "nesterov_momentum": nesterov_momentum,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adabelief": adabelief,
}
ALIASES = {"momentum": "sgd_momentum", "nesterov": "nesterov_momentum"}


def get_update_rule(rule: str | UpdateRule) -> UpdateRule:
    """The update rule named `rule` (or `rule` itself when it is callable)."""
    if callable(rule):
        return rule
    name = ALIASES.get(rule, rule)
    if name not in UPDATE_RULES:
        raise ValueError(f"unknown update_rule {rule!r}; known: {sorted(UPDATE_RULES)}")
    return UPDATE_RULES[name]
