"""Correct ECE C147 nndl/optim.py rules with the course's state names (rmsprop's 'a'; Adam's 'v' first moment, 'a'
second moment), written independently of fcnet's references (used by the grader's tests)."""

import numpy as np


def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v = mu * config.get("velocity", np.zeros_like(w)) - lr * dw
    config["velocity"] = v
    return w + v, config


def sgd_nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v_old = config.get("velocity", np.zeros_like(w))
    v = mu * v_old - lr * dw
    config["velocity"] = v
    return w - mu * v_old + (1 + mu) * v, config


def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    beta = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    a = beta * config.get("a", np.zeros_like(w)) + (1 - beta) * dw**2
    config["a"] = a
    return w - lr * dw / (np.sqrt(a) + eps), config


def adam(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-3)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    t = config.get("t", 0) + 1
    v = b1 * config.get("v", np.zeros_like(w)) + (1 - b1) * dw
    a = b2 * config.get("a", np.zeros_like(w)) + (1 - b2) * dw * dw
    config.update(v=v, a=a, t=t)
    return w - lr * (v / (1 - b1**t)) / (np.sqrt(a / (1 - b2**t)) + eps), config
