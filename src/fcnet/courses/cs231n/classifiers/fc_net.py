"""cs231n assignment 2 ``classifiers/fc_net.py`` (2018 on): ``TwoLayerNet`` and ``FullyConnectedNet``.

As in the course, ``from ...fc_net import *`` also brings the layer functions (the course's module star-imports
``layers`` and ``layer_utils``). Weights come from NumPy's global generator; ``dropout`` (2018-2019) or
``dropout_keep_ratio`` (2020 on) is the keep probability, 1 meaning no dropout; ``seed`` fixes the dropout masks.
Both networks have cs231n 2025's ``save(fname)`` / ``load(fname)`` (assignment 1 from 2025 holds FullyConnectedNets),
writing fcnet's npz format at the path given.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from fcnet.courses._common import (
    CourseNet,
    SavesParameters,
    keep_dropout_forward,
    keep_probability,
)
from fcnet.courses.cs231n.layer_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.layer_utils import __all__ as _layer_functions

__all__ = [*_layer_functions, "TwoLayerNet", "FullyConnectedNet", "np"]


class TwoLayerNet(SavesParameters, CourseNet):
    """affine - relu - affine - softmax; W1 (D, H), W2 (H, C) from ``weight_scale * np.random.randn``; the L2 term
    ``0.5 * reg * sum(W**2)``. float64."""

    def __init__(
        self,
        input_dim: int = 3 * 32 * 32,
        hidden_dim: int = 100,
        num_classes: int = 10,
        weight_scale: float = 1e-3,
        reg: float = 0.0,
    ) -> None:
        super().__init__(
            [hidden_dim],
            course_p=1.0,
            drop_probability=0.0,
            seed=None,
            input_dim=input_dim,
            num_classes=num_classes,
            weight_scale=weight_scale,
            reg=reg,
            dtype=np.float64,
        )


class FullyConnectedNet(SavesParameters, CourseNet):
    """{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax, with the course's signature.

    dropout: keep probability in (0, 1] (1: no dropout); dropout_keep_ratio is its 2020 spelling.
    normalization: None, 'batchnorm' or 'layernorm'. seed: fixes the dropout masks (weights always come from
    NumPy's global generator, as in the course).
    """

    dropout_kernel = staticmethod(keep_dropout_forward)

    def __init__(
        self,
        hidden_dims: Iterable[int],
        input_dim: int = 3 * 32 * 32,
        num_classes: int = 10,
        dropout: float = 1,
        normalization: str | None = None,
        reg: float = 0.0,
        weight_scale: float = 1e-2,
        dtype: Any = np.float32,
        seed: int | None = None,
        dropout_keep_ratio: float | None = None,
    ) -> None:
        keep = keep_probability(
            "dropout_keep_ratio" if dropout_keep_ratio is not None else "dropout",
            dropout if dropout_keep_ratio is None else dropout_keep_ratio,
        )
        super().__init__(
            hidden_dims,
            course_p=keep,
            drop_probability=1.0 - keep,
            seed=seed,
            input_dim=input_dim,
            num_classes=num_classes,
            normalization=normalization,
            reg=reg,
            weight_scale=weight_scale,
            dtype=dtype,
        )
