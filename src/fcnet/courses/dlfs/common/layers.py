"""The book's ``common/layers.py`` (the fully-connected layers): ``Relu``, ``Sigmoid``, ``Affine``,
``SoftmaxWithLoss``, ``Dropout``, ``BatchNormalization``, each ``forward`` / ``backward`` over fcnet's kernels,
with the attributes the book's code reads (``mask``, ``out``, ``dW``, ``db``, ``loss``, ``y``, ``t``, ``dgamma``,
``dbeta``, ``running_mean``, ``running_var``). ``from common.layers import *`` also gives the functions of
``common.functions`` and ``np``, as the book's module does."""

from __future__ import annotations

import numpy as np

from fcnet import layers as L
from fcnet import modules as M
from fcnet.courses import mnist_mlp
from fcnet.courses.dlfs.common.functions import *  # noqa: F401,F403
from fcnet.courses.dlfs.common.functions import __all__ as _functions

__all__ = [
    *_functions,
    "Relu",
    "Sigmoid",
    "Affine",
    "SoftmaxWithLoss",
    "Dropout",
    "BatchNormalization",
]

BATCHNORM_EPS = 10e-7  # as the book writes it: 1e-6


class Relu(M.ReLU):
    """``forward(x)`` -> max(0, x); ``backward(dout)``; ``mask`` is where x <= 0."""

    @property
    def mask(self) -> np.ndarray | None:
        return None if self._kept is None else self._kept <= 0


class Sigmoid(M.Sigmoid):
    """``forward(x)`` -> sigmoid(x); ``backward(dout)`` = dout * (1 - out) * out; ``out`` is the last output."""

    @property
    def out(self) -> np.ndarray | None:
        return self._kept


class Affine(mnist_mlp.Affine):
    """``x @ W + b`` over the arrays W (D, M), b (M,) it is given (the optimizers update them in place); x may be
    N-D and is flattened to (N, D); ``backward`` returns dx in x's shape and keeps ``dW``, ``db``."""


class SoftmaxWithLoss(mnist_mlp.SoftmaxWithLoss):
    """``forward(x, t)`` -> ``cross_entropy_error(softmax(x), t)`` (t labels (N,) or one-hot (N, C));
    ``backward(dout=1)`` -> ``(y - t) / N``; ``loss``, ``y`` (the softmax output) and ``t`` as the book names them."""

    def __init__(self) -> None:
        super().__init__()
        self.t = None

    def _remember(self, probabilities: np.ndarray, targets: np.ndarray) -> None:
        self.y, self.t = (
            probabilities,
            targets,
        )  # the book's names: y the softmax output, t the targets


class Dropout:
    """The book's dropout, NOT inverted: in training ``x * mask`` with ``mask = np.random.rand(*x.shape) >
    dropout_ratio`` (NumPy's global generator), at test time ``x * (1 - dropout_ratio)``.

    ``forward(x, train_flg=True)``, ``backward(dout)`` = dout * mask."""

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        self.dropout_ratio = dropout_ratio
        self.mask = None
        self._cache = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if train_flg:
            self.mask = np.random.rand(*np.shape(x)) > self.dropout_ratio
            out, self._cache = L.apply_dropout_mask(np.asarray(x), self.mask, 1.0)
            return out
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return L.dropout_backward(dout, self._cache)


class BatchNormalization:
    """Batch normalization with the book's settings: epsilon 1e-6, ``running = momentum * running + (1 -
    momentum) * batch statistic``; x (N, D) or (N, C, H, W) (flattened to (N, C*H*W)).

    ``forward(x, train_flg=True)``, ``backward(dout)``; gamma and beta are the arrays given (updated in place by
    the optimizers); ``dgamma``, ``dbeta``, ``running_mean``, ``running_var`` as the book names them. A batch of
    one sample (the book's gradient check uses one) normalizes every value to 0: out = beta, dx = 0, dgamma = 0.
    """

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
    ) -> None:
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var
        self.input_shape = None
        self.dgamma = self.dbeta = None
        self._cache = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        x = np.asarray(x)
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean, self.running_var = np.zeros(x.shape[1]), np.zeros(x.shape[1])
        param = {
            "mode": "train" if train_flg else "test",
            "eps": BATCHNORM_EPS,
            "momentum": self.momentum,
            "running_mean": self.running_mean,
            "running_var": self.running_var,
        }
        if train_flg and x.shape[0] == 1:
            out = self._one_sample_forward(x)
        else:
            out, self._cache = L.batchnorm_forward(x, self.gamma, self.beta, param)
            self.running_mean, self.running_var = param["running_mean"], param["running_var"]
        return out.reshape(self.input_shape)

    def _one_sample_forward(self, x: np.ndarray) -> np.ndarray:
        """The batch's mean is the sample and its variance 0: x normalizes to 0 and the output is beta."""
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * x[0]
        self.running_var = self.momentum * self.running_var
        self._cache = "one sample"
        return np.zeros_like(x) * self.gamma + self.beta

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = np.asarray(dout).reshape(np.shape(dout)[0], -1)
        if self._cache == "one sample":
            dx, self.dgamma, self.dbeta = (
                np.zeros_like(dout),
                np.zeros_like(self.gamma),
                dout.sum(axis=0),
            )
        else:
            dx, self.dgamma, self.dbeta = L.batchnorm_backward(dout, self._cache)
        return dx.reshape(self.input_shape)
