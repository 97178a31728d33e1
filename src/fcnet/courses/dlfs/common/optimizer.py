"""The book's ``common/optimizer.py``: ``SGD``, ``Momentum``, ``Nesterov``, ``AdaGrad``, ``RMSprop``, ``Adam``,
each ``update(params, grads)`` changing the values of the dict `params` in place (arrays are written into; a
plain number, as in the book's ``optimizer_compare_naive.py``, is replaced). Hyperparameters are attributes
(``optimizer.lr``), read at each update; state is created at the first update, keyed like params.

SGD, Momentum, AdaGrad and RMSprop are fcnet's kernels with the book's epsilon 1e-7 (the book's Momentum is
fcnet's ``sgd_momentum``). Adam is fcnet's ``adam`` with the book's placement of epsilon: the book folds both bias
corrections into the step size, ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``, and divides by
``sqrt(v) + 1e-7``, which is fcnet's formula with epsilon ``1e-7 / sqrt(1 - beta2**t)``. Nesterov is the book's own
form (the order of its repository since 2021): ``v = momentum * v - lr * g``, then
``w += momentum**2 * v - (1 + momentum) * lr * g``.
``from common.optimizer import *`` also gives ``np``, as the book's scripts rely on.
"""

from __future__ import annotations

import math
from typing import Any, Callable, MutableMapping

import numpy as np

from fcnet import optim
from fcnet._checks import check_real

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "np"]

EPSILON = 1e-7


def _as_array(value: Any) -> np.ndarray:
    """An array as it is; a plain number as a one-element float64 array (fcnet's kernels write into arrays)."""
    return value if isinstance(value, np.ndarray) else np.array([value], dtype=np.float64)


class _Optimizer:
    """Applies `kernel` (an fcnet.optim rule) to every entry of params, keeping its state per key."""

    kernel: Callable = staticmethod(optim.sgd)

    def __init__(self, lr: float) -> None:
        self.lr = check_real("lr", lr, 0.0, math.inf)
        self.state: dict[str, dict] = {}

    def settings(self) -> dict[str, float]:
        """The kernel's config for this update (the attributes as they are now)."""
        return {"learning_rate": self.lr}

    def update(self, params: MutableMapping[str, Any], grads: MutableMapping[str, Any]) -> None:
        settings = self.settings()
        for key in params.keys():
            w = _as_array(params[key])
            config = {**settings, **self.state.get(key, {})}
            _, config = self.kernel(w, _as_array(grads[key]), config, out=w)
            self.state[key] = {
                k: v for k, v in config.items() if k not in settings and k != "weight_decay"
            }
            if w is not params[key]:  # a plain number: the book's `params[key] -= ...` rebinds it
                params[key] = w[0]


class SGD(_Optimizer):
    """``w -= lr * g``."""

    kernel = staticmethod(optim.sgd)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)


class Momentum(_Optimizer):
    """``v = momentum * v - lr * g; w += v``."""

    kernel = staticmethod(optim.sgd_momentum)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum

    def settings(self):
        return {"learning_rate": self.lr, "momentum": self.momentum}

    @property
    def v(self) -> dict | None:
        return {key: state["velocity"] for key, state in self.state.items()} or None


def _book_nesterov(
    w: np.ndarray, dw: np.ndarray, config: dict, *, out: np.ndarray
) -> tuple[np.ndarray, dict]:
    """The book's Nesterov step (its own formula, which no fcnet rule has); config: learning_rate, momentum,
    velocity."""
    mu, lr = config["momentum"], config["learning_rate"]
    v = config.get("velocity")
    if v is None:
        v = config["velocity"] = np.zeros_like(w)
    v *= mu
    v -= lr * dw
    out += mu * mu * v
    out -= (1 + mu) * lr * dw
    return out, config


class Nesterov(Momentum):
    """``v = momentum * v - lr * g; w += momentum**2 * v - (1 + momentum) * lr * g`` (the book's form)."""

    kernel = staticmethod(_book_nesterov)


class AdaGrad(_Optimizer):
    """``h += g**2; w -= lr * g / (sqrt(h) + 1e-7)``."""

    kernel = staticmethod(optim.adagrad)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def settings(self):
        return {"learning_rate": self.lr, "epsilon": EPSILON}

    @property
    def h(self) -> dict | None:
        return {key: state["cache"] for key, state in self.state.items()} or None


class RMSprop(_Optimizer):
    """``h = decay_rate * h + (1 - decay_rate) * g**2; w -= lr * g / (sqrt(h) + 1e-7)``."""

    kernel = staticmethod(optim.rmsprop)

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        super().__init__(lr)
        self.decay_rate = decay_rate

    def settings(self):
        return {"learning_rate": self.lr, "decay_rate": self.decay_rate, "epsilon": EPSILON}

    h = AdaGrad.h


class Adam(_Optimizer):
    """Adam as the book writes it: ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``,
    ``w -= lr_t * m / (sqrt(v) + 1e-7)``; ``iter`` counts the updates."""

    kernel = staticmethod(optim.adam)

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        super().__init__(lr)
        self.beta1, self.beta2 = beta1, beta2
        self.iter = 0

    def settings(self):
        t = self.iter + 1  # the step about to be taken
        return {
            "learning_rate": self.lr,
            "beta1": self.beta1,
            "beta2": self.beta2,
            "epsilon": EPSILON / math.sqrt(1.0 - self.beta2**t),
        }

    def update(self, params, grads) -> None:
        for state in self.state.values():
            state["t"] = self.iter  # every parameter shares the book's one counter
        super().update(params, grads)
        self.iter += 1

    @property
    def m(self) -> dict | None:
        return {key: state["m"] for key, state in self.state.items()} or None

    @property
    def v(self) -> dict | None:
        return {key: state["v"] for key, state in self.state.items()} or None
