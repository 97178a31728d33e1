"""ECE C147/C247 ``nndl/fc_net.py``: ``TwoLayerNet(input_dim, hidden_dims, num_classes, ...)`` (hidden_dims is one
integer here) and ``FullyConnectedNet(hidden_dims, ..., dropout=0, use_batchnorm=False, ...)``.

``dropout`` goes to ``dropout_forward`` as its p, the KEEP probability, and dropout=0 means no dropout, as in the
course's code. ``from nndl.fc_net import *`` also brings the layer functions.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from fcnet.courses._common import CourseNet, keep_dropout_forward, keep_probability
from fcnet.courses.ece.nndl.layer_utils import *  # noqa: F401,F403
from fcnet.courses.ece.nndl.layer_utils import __all__ as _layer_functions

__all__ = [*_layer_functions, "TwoLayerNet", "FullyConnectedNet", "np"]


def _keep(dropout: float) -> float:
    return 1.0 if dropout == 0 else keep_probability("dropout", dropout)


class FullyConnectedNet(CourseNet):
    """{affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax, with the course's signature.

    dropout: 0 for none, else the keep probability in (0, 1]; use_batchnorm: batch normalization after each hidden
    affine layer; seed: fixes the dropout masks.
    """

    dropout_kernel = staticmethod(keep_dropout_forward)

    def __init__(self, hidden_dims: Iterable[int], input_dim: int = 3 * 32 * 32, num_classes: int = 10,
                 dropout: float = 0, use_batchnorm: bool = False, reg: float = 0.0, weight_scale: float = 1e-2,
                 dtype: Any = np.float32, seed: int | None = None) -> None:
        keep = _keep(dropout)
        super().__init__(hidden_dims, course_p=keep, drop_probability=1.0 - keep, seed=seed, input_dim=input_dim,
                         num_classes=num_classes, normalization="batchnorm" if use_batchnorm else None, reg=reg,
                         weight_scale=weight_scale, dtype=dtype)


class TwoLayerNet(FullyConnectedNet):
    """affine - relu - affine - softmax: W1 (D, H), W2 (H, C), L2 term ``0.5 * reg * sum(W**2)``; float64."""

    def __init__(self, input_dim: int = 3 * 32 * 32, hidden_dims: int = 100, num_classes: int = 10,
                 dropout: float = 0, weight_scale: float = 1e-3, reg: float = 0.0) -> None:
        super().__init__([hidden_dims], input_dim=input_dim, num_classes=num_classes, dropout=dropout, reg=reg,
                         weight_scale=weight_scale, dtype=np.float64)
