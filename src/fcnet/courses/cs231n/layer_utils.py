"""cs231n ``layer_utils.py``: the sandwich layers (fcnet's), and everything ``layers`` exports, as the course's
module star-imports it."""

from fcnet.courses.cs231n.layers import *  # noqa: F401,F403
from fcnet.courses.cs231n.layers import __all__ as _layers
from fcnet.layer_utils import (
    affine_bn_relu_backward,
    affine_bn_relu_forward,
    affine_ln_relu_backward,
    affine_ln_relu_forward,
    affine_relu_backward,
    affine_relu_forward,
)

__all__ = [
    *_layers,
    "affine_relu_forward",
    "affine_relu_backward",
    "affine_bn_relu_forward",
    "affine_bn_relu_backward",
    "affine_ln_relu_forward",
    "affine_ln_relu_backward",
]
