"""cs231n ``layers.py``: fcnet's kernels, with dropout's p read as the KEEP probability (cs231n from 2018) and
its mask drawn from NumPy's global generator (``dropout_param['seed']`` reseeds it, as the course does)."""

from fcnet.courses._common import keep_dropout_forward as dropout_forward
from fcnet.layers import (
    affine_backward,
    affine_forward,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "layernorm_forward",
    "layernorm_backward",
    "dropout_forward",
    "dropout_backward",
    "svm_loss",
    "softmax_loss",
]
