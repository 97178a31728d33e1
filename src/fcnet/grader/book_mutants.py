""" "Deep Learning from Scratch"'s objects with one known mistake each, written as readers write them
(fcnet.grader.mistakes says which mistake each is and what hint it earns); subclasses of the course's reference
(fcnet.courses.dlfs) that change one thing. They run in the grader's process, never in the sandbox."""

from __future__ import annotations

import numpy as np

from fcnet.courses.dlfs.common import layers as book


def _cross_entropy_without_delta(y, t):
    """The book's cross_entropy_error without its 1e-7 inside the log."""
    y, t = np.asarray(y), np.asarray(t)
    if y.ndim == 1:
        t, y = t.reshape(1, t.size), y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    with np.errstate(divide="ignore"):
        return -np.sum(np.log(y[np.arange(n), t])) / n


class _SoftmaxWithLossWithoutDelta(book.SoftmaxWithLoss):
    def forward(self, x, t):
        super().forward(x, t)
        self.loss = _cross_entropy_without_delta(self.y, t)
        return self.loss


class _SoftmaxWithLossNotAveraged(book.SoftmaxWithLoss):
    def backward(self, dout=1):
        return super().backward(dout) * np.shape(self.y)[0]


class _ReluLetsEveryGradientThrough(book.Relu):
    def backward(self, dout):
        return dout


class _AffineKeepsUnflattenedX:  # written out: the reference's dW is a read-only view of its kernel's
    def __init__(self, W, b):
        self.W, self.b, self.dW, self.db = W, b, None, None

    def forward(self, x):
        self.x, self.shape = x, x.shape
        return x.reshape(x.shape[0], -1) @ self.W + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class _DropoutInverted(book.Dropout):
    def forward(self, x, train_flg=True):
        out = super().forward(x, train_flg)
        return out / (1 - self.dropout_ratio) if train_flg else x

    def backward(self, dout):
        return super().backward(dout) / (1 - self.dropout_ratio)
