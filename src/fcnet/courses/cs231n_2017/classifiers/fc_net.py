"""cs231n 2017 assignment 2 ``classifiers/fc_net.py``: ``TwoLayerNet`` and ``FullyConnectedNet(hidden_dims, ...,
dropout=0, use_batchnorm=False, ...)``, where ``dropout`` is the DROP probability (0: no dropout).

``from ...fc_net import *`` also brings the layer functions, as the course's module does.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from fcnet._checks import check_probability
from fcnet.courses._common import CourseNet, drop_dropout_forward
from fcnet.courses.cs231n.classifiers.fc_net import TwoLayerNet
from fcnet.courses.cs231n_2017.layer_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n_2017.layer_utils import __all__ as _layer_functions

__all__ = [*_layer_functions, "TwoLayerNet", "FullyConnectedNet", "np"]


class FullyConnectedNet(CourseNet):
    """{affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax, with the 2017 signature.

    dropout: drop probability in [0, 1) (0: no dropout); use_batchnorm: batch normalization after each hidden
    affine layer; seed: fixes the dropout masks (weights come from NumPy's global generator).
    """

    dropout_kernel = staticmethod(drop_dropout_forward)

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
        p = check_probability("dropout (the drop probability; 0 means no dropout)", dropout)
        super().__init__(
            hidden_dims,
            course_p=p,
            drop_probability=p,
            seed=seed,
            input_dim=input_dim,
            num_classes=num_classes,
            normalization="batchnorm" if use_batchnorm else None,
            reg=reg,
            weight_scale=weight_scale,
            dtype=dtype,
        )
