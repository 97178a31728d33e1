"""Correct cs231n update rules written differently from fcnet's reference (used by the grader's tests)."""

import numpy as np


def sgd(w, dw, config=None):
    config = config or {}
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    v = config.get("velocity")
    if v is None:
        v = np.zeros(w.shape)
    v = mu * v - lr * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    for key, value in {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}.items():
        config.setdefault(key, value)
    cache = config.get("cache", np.zeros_like(w))
    rho = config["decay_rate"]
    cache = rho * cache + (1 - rho) * np.square(dw)
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.setdefault("learning_rate", 1e-3)
    b1 = config.setdefault("beta1", 0.9)
    b2 = config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m = config.setdefault("m", np.zeros_like(w))
    v = config.setdefault("v", np.zeros_like(w))
    t = config.setdefault("t", 0) + 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw * dw
    step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)  # the bias corrections folded into the step size
    next_w = w - step * m / (np.sqrt(v) + eps * np.sqrt(1 - b2**t))
    config.update(m=m, v=v, t=t)
    return next_w, config
