"""Update rules: ``next_w, config = rule(w, dw, config=None)``, as in cs231n.

Each rule fills its defaults into `config`, keeps its state there (velocity, cache, moments, step count),
updates the state arrays in place, and returns a new array `next_w` (w itself is not modified). Every rule accepts
``weight_decay`` for decoupled (AdamW-style) weight decay: ``w <- w * (1 - learning_rate * weight_decay)`` before the
gradient step.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

UpdateRule = Callable[[np.ndarray, np.ndarray, "dict | None"], "tuple[np.ndarray, dict]"]


def _setup(w: np.ndarray, dw: np.ndarray, config: dict | None, defaults: dict) -> dict:
    if config is None:
        config = {}
    if np.shape(w) != np.shape(dw):
        raise ValueError(f"dw must have the shape of w {np.shape(w)}, got {np.shape(dw)}")
    for key, value in defaults.items():
        config.setdefault(key, value)
    config.setdefault("weight_decay", 0.0)
    if not config["learning_rate"] >= 0:
        raise ValueError(f"learning_rate must be >= 0, got {config['learning_rate']!r}")
    return config


def _state(config: dict, key: str, w: np.ndarray) -> np.ndarray:
    """The state array `key` of config, created as zeros like w on first use."""
    if config.get(key) is None:
        config[key] = np.zeros_like(w)
    return config[key]


def _decayed(w: np.ndarray, config: dict) -> np.ndarray:
    """w after decoupled weight decay (a new array either way, so the step below can work in place)."""
    decay = config["weight_decay"]
    return w * (1 - config["learning_rate"] * decay) if decay else w.copy()


def sgd(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """Vanilla SGD: ``w - learning_rate * dw``. config: learning_rate (1e-2)."""
    config = _setup(w, dw, config, {"learning_rate": 1e-2})
    next_w = _decayed(w, config)
    next_w -= config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; w + v``.

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = _setup(w, dw, config, {"learning_rate": 1e-2, "momentum": 0.9})
    v = _state(config, "velocity", w)
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    next_w = _decayed(w, config)
    next_w += v
    return next_w, config


def nesterov_momentum(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """Nesterov momentum in seed 002's form: ``v = momentum * v + learning_rate * dw;
    w - (momentum * v + learning_rate * dw)`` (the same trajectory as torch.optim.SGD(nesterov=True)).

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = _setup(w, dw, config, {"learning_rate": 1e-2, "momentum": 0.9})
    v = _state(config, "velocity", w)
    step = config["learning_rate"] * dw
    v *= config["momentum"]
    v += step
    step += config["momentum"] * v
    next_w = _decayed(w, config)
    next_w -= step
    return next_w, config


def adagrad(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """AdaGrad: ``cache += dw**2; w - learning_rate * dw / (sqrt(cache) + epsilon)``.

    config: learning_rate (1e-2), epsilon (1e-7, seed 002's), cache (zeros like w).
    """
    config = _setup(w, dw, config, {"learning_rate": 1e-2, "epsilon": 1e-7})
    cache = _state(config, "cache", w)
    cache += dw * dw
    step = np.sqrt(cache)
    step += config["epsilon"]
    np.divide(dw, step, out=step)
    step *= config["learning_rate"]
    next_w = _decayed(w, config)
    next_w -= step
    return next_w, config


def rmsprop(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """RMSProp: ``cache = decay_rate * cache + (1 - decay_rate) * dw**2;
    w - learning_rate * dw / (sqrt(cache) + epsilon)``.

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w).
    """
    config = _setup(w, dw, config, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8})
    cache = _state(config, "cache", w)
    cache *= config["decay_rate"]
    cache += (1 - config["decay_rate"]) * (dw * dw)
    step = np.sqrt(cache)
    step += config["epsilon"]
    np.divide(dw, step, out=step)
    step *= config["learning_rate"]
    next_w = _decayed(w, config)
    next_w -= step
    return next_w, config


def _adaptive_moment_step(w: np.ndarray, dw: np.ndarray, config: dict, second: np.ndarray) -> np.ndarray:
    """The shared end of Adam and AdaBelief: a bias-corrected first moment over the root of a second one."""
    t = config["t"]
    correction1 = 1 - config["beta1"] ** t
    correction2 = 1 - config["beta2"] ** t
    denom = np.sqrt(second)
    denom /= np.sqrt(correction2)
    denom += config["epsilon"]
    step = np.divide(config["m"], denom, out=denom)
    step *= config["learning_rate"] / correction1
    next_w = _decayed(w, config)
    next_w -= step
    return next_w


_ADAM_DEFAULTS = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0}


def adam(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """Adam with bias correction. config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8),
    m, v (zeros like w), t (0)."""
    config = _setup(w, dw, config, dict(_ADAM_DEFAULTS))
    m, v = _state(config, "m", w), _state(config, "v", w)
    config["t"] += 1
    m *= config["beta1"]
    m += (1 - config["beta1"]) * dw
    v *= config["beta2"]
    v += (1 - config["beta2"]) * (dw * dw)
    return _adaptive_moment_step(w, dw, config, v), config


def adabelief(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """AdaBelief (seed 002's form): Adam whose second moment is the running mean of (dw - m)**2, with m the
    updated first moment. config: as :func:`adam`, the second moment being `s`."""
    config = _setup(w, dw, config, dict(_ADAM_DEFAULTS))
    m, s = _state(config, "m", w), _state(config, "s", w)
    config["t"] += 1
    m *= config["beta1"]
    m += (1 - config["beta1"]) * dw
    surprise = dw - m
    surprise *= surprise
    s *= config["beta2"]
    s += (1 - config["beta2"]) * surprise
    return _adaptive_moment_step(w, dw, config, s), config


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
