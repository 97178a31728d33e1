"""A student's common/functions.py for "Deep Learning from Scratch", written differently from the book: tanh for
the sigmoid, log-sum-exp for the softmax, labels gathered with take_along_axis."""

import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True)))


def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.size == y.size:
        t = np.argmax(np.atleast_2d(t), axis=1)
    picked = np.take_along_axis(y, t.reshape(-1, 1).astype(int), axis=1)
    return -np.mean(np.log(picked + 1e-7))
