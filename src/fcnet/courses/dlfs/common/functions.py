"""The book's ``common/functions.py``: activations and losses as plain functions, over fcnet's kernels."""

from __future__ import annotations

import numpy as np

from fcnet import layers as L
from fcnet.courses.mnist_mlp import cross_entropy_error

__all__ = [
    "identity_function",
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "softmax",
    "sum_squared_error",
    "cross_entropy_error",
    "softmax_loss",
    "np",
]


def identity_function(x):
    """x itself (the output activation of regression)."""
    return x


def step_function(x) -> np.ndarray:
    """1 where x > 0, else 0 (integers), any shape."""
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x) -> np.ndarray:
    """``1 / (1 + exp(-x))`` elementwise, any shape (fcnet's overflow-free kernel)."""
    return L.sigmoid_forward(x)[0]


def sigmoid_grad(x) -> np.ndarray:
    """The sigmoid's derivative at x: ``(1 - sigmoid(x)) * sigmoid(x)``."""
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x) -> np.ndarray:
    """``max(0, x)`` elementwise, any shape."""
    return L.relu_forward(np.asarray(x))[0]


def relu_grad(x) -> np.ndarray:
    """The book's ReLU derivative: 1 where x >= 0 (the book counts 0 as positive), else 0."""
    x = np.asarray(x)
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def softmax(x) -> np.ndarray:
    """Softmax over the last axis of x (a score vector (C,), a batch (N, C) or any shape)."""
    x = np.asarray(x)
    return L.softmax(x.reshape(-1, x.shape[-1])).reshape(x.shape)


def sum_squared_error(y, t) -> float:
    """``0.5 * sum((y - t)**2)`` over every element (not averaged)."""
    return 0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2)


def softmax_loss(X, t) -> float:
    """``cross_entropy_error(softmax(X), t)``: the mean loss with the book's ``+ 1e-7`` inside the log."""
    return cross_entropy_error(softmax(X), t)
