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
from typing import Callable

import numpy as np

from fcnet.optim_fused import FLUSH_BELOW as FLUSH_BELOW  # re-exported
from fcnet.optim_fused import FLUSH_EVERY as FLUSH_EVERY  # re-exported
from fcnet.optim_fused import count_step, run_fused
from fcnet.optim_settings import (
    HYPERPARAMETERS as HYPERPARAMETERS,
)  # re-exported: declared beside their checks
from fcnet.optim_settings import STATE_KEYS as STATE_KEYS  # re-exported
from fcnet.optim_settings import Hyperparameter as Hyperparameter  # re-exported
from fcnet.optim_settings import check_config_keys as check_config_keys  # re-exported
from fcnet.optim_settings import check_state

UpdateRule = Callable[[np.ndarray, np.ndarray, "dict | None"], "tuple[np.ndarray, dict]"]


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
    if run_fused(w, dw, config, "sgd", out):
        return out, config
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
    if run_fused(w, dw, config, "sgd_momentum", out):
        return out, config
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
    if run_fused(w, dw, config, "nesterov_momentum", out):
        return out, config
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
    if run_fused(w, dw, config, "adagrad", out):
        return out, config
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
    if run_fused(w, dw, config, "rmsprop", out):
        return out, config
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


def _moments_start(
    w: np.ndarray, dw: np.ndarray, config: dict | None, rule: str, second: str, checked: bool
) -> tuple:
    """The common start of Adam and AdaBelief: defaults, state, t += 1 and the flush of tiny moments.

    Returns (config, m, the second moment array)."""
    config = _setup(w, dw, config, rule, checked)
    m, second_moment = _state(config, "m", w), _state(config, second, w)
    count_step(config, m, second_moment)
    return config, m, second_moment


def _first_moment(dw: np.ndarray, m: np.ndarray, config: dict) -> np.ndarray:
    """m = beta1 * m + (1 - beta1) * dw, in place; returns the scratch array the rule goes on with."""
    step = np.multiply(dw, 1 - config["beta1"])
    m *= config["beta1"]
    m += step
    return step


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
    config, m, v = _moments_start(w, dw, config, "adam", "v", checked)
    if run_fused(w, dw, config, "adam", out):
        return out, config
    step = _first_moment(dw, m, config)
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
    config, m, s = _moments_start(w, dw, config, "adabelief", "s", checked)
    if run_fused(w, dw, config, "adabelief", out):
        return out, config
    step = _first_moment(dw, m, config)
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
