"""ECE C147/C247 ``nndl/fc_net.py``: ``TwoLayerNet(input_dim, hidden_dims, num_classes, ...)`` (hidden_dims is one
integer here) and ``FullyConnectedNet(hidden_dims, ..., dropout=0, use_batchnorm=False, ...)``.

``dropout`` is the course's "dropout strength", the DROP probability passed to ``dropout_forward`` as its p
(dropout=0: no dropout), as HW3's fc_net and HW4's layers say in 2018-2019, 2022 and 2024. For the templates whose
``dropout_forward`` keeps each unit with probability p, use :mod:`fcnet.courses.ece_keep`.
``from nndl.fc_net import *`` also brings the layer functions.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from fcnet._checks import check_probability
from fcnet.courses._common import CourseNet, ece_drop_dropout_forward
from fcnet.courses.ece.nndl.layer_utils import *  # noqa: F401,F403
from fcnet.courses.ece.nndl.layer_utils import __all__ as _layer_functions

__all__ = [*_layer_functions, "TwoLayerNet", "FullyConnectedNet", "np"]


class FullyConnectedNet(CourseNet):
    """{affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax, with the course's signature.

    dropout: the drop probability in [0, 1) (0: no dropout); use_batchnorm: batch normalization after each hidden
    affine layer; seed: fixes the dropout masks (weights come from NumPy's global generator).
    """

    dropout_kernel = staticmethod(ece_drop_dropout_forward)

    def __init__(
        self,
        hidden_dims: Iterable[int],
        input_dim: int = 3 * 32 * 32,
        num_classes: int = 10,
        dropout: float = 0,
        use_batchnorm: bool = False,
        reg: float = 0.0,
        weight_scale: float = 1e-2,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        p = self._dropout_probabilities(dropout)
        super().__init__(
            hidden_dims,
            course_p=p[0],
            drop_probability=p[1],
            seed=seed,
            input_dim=input_dim,
            num_classes=num_classes,
            normalization="batchnorm" if use_batchnorm else None,
            reg=reg,
            weight_scale=weight_scale,
            dtype=dtype,
        )

    @staticmethod
    def _dropout_probabilities(dropout: Any) -> tuple[float, float]:
        """(the p that dropout_forward gets, the drop probability) for the course's `dropout` argument."""
        p = check_probability("dropout (the drop probability; 0 means no dropout)", dropout)
        return p, p


class TwoLayerNet(FullyConnectedNet):
    """affine - relu - affine - softmax: W1 (D, H), W2 (H, C), L2 term ``0.5 * reg * sum(W**2)``; float64."""

    def __init__(
        self,
        input_dim: int = 3 * 32 * 32,
        hidden_dims: int = 100,
        num_classes: int = 10,
        dropout: float = 0,
        weight_scale: float = 1e-3,
        reg: float = 0.0,
    ) -> None:
        super().__init__(
            [hidden_dims],
            input_dim=input_dim,
            num_classes=num_classes,
            dropout=dropout,
            reg=reg,
            weight_scale=weight_scale,
            dtype=np.float64,
        )
