"""ECE C147/C247 ``nndl/fc_net.py`` of the keep-probability templates: as :mod:`fcnet.courses.ece.nndl.fc_net`,
with ``dropout`` passed to ``dropout_forward`` as the KEEP probability (dropout=0 still means no dropout, as the
course's ``self.use_dropout = dropout > 0``). ``from nndl.fc_net import *`` also brings the layer functions."""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet.courses._common import keep_dropout_forward, keep_probability
from fcnet.courses.ece.nndl import fc_net as _drop
from fcnet.courses.ece_keep.nndl.layer_utils import *  # noqa: F401,F403
from fcnet.courses.ece_keep.nndl.layer_utils import __all__ as _layer_functions

__all__ = [*_layer_functions, "TwoLayerNet", "FullyConnectedNet", "np"]


class FullyConnectedNet(_drop.FullyConnectedNet):
    """{affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax, with the course's signature.

    dropout: 0 for none, else the keep probability in (0, 1]; use_batchnorm: batch normalization after each hidden
    affine layer; seed: fixes the dropout masks.
    """

    dropout_kernel = staticmethod(keep_dropout_forward)

    @staticmethod
    def _dropout_probabilities(dropout: Any) -> tuple[float, float]:
        keep = 1.0 if dropout == 0 else keep_probability("dropout", dropout)
        return keep, 1.0 - keep


class TwoLayerNet(_drop.TwoLayerNet, FullyConnectedNet):
    """affine - relu - affine - softmax: W1 (D, H), W2 (H, C), L2 term ``0.5 * reg * sum(W**2)``; float64;
    dropout the keep probability (0: none)."""
