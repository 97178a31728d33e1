"""Losses as pure functions (cs231n signatures): ``loss, dx = softmax_loss(x, y)`` for scores x (N, C) and labels
y (N,) or one-hot rows (N, C), with optional sample weights; the softmax itself. fcnet.layers re-exports them, so
cs231n's ``from cs231n.layers import softmax_loss`` has its fcnet equivalent."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fcnet import fused
from fcnet._checks import already_checked, as_float_array, check_labels, labels_of


# ---------------------------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------------------------
def _check_loss_inputs(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    if already_checked():  # the scores of a checked model, its checked labels (or one-hot rows)
        return x, labels_of(y)
    x = as_float_array("x", x, ndim=2)
    if x.shape[0] == 0:
        raise ValueError(f"x must hold at least one sample, got shape {x.shape}")
    labels = check_labels("y", y, x.shape[0], x.shape[1])
    if not np.all(np.isfinite(x)):
        warnings.warn(
            f"x holds {int(np.sum(~np.isfinite(x)))} non-finite scores, so the loss is not finite "
            "(has the model diverged?)",
            RuntimeWarning,
            stacklevel=3,
        )
    return x, labels


def _sample_scale(sample_weight: Any, n: int, dtype: np.dtype) -> np.ndarray | None:
    """Per-sample factors (N,) ``w / sum(w)`` of a weighted mean, or None for the plain mean (weights None).
    Weighting a sample by 2 is then the same as giving it twice (scikit-learn's and PyTorch's convention)."""
    if sample_weight is None:
        return None
    w = as_float_array("sample_weight", sample_weight, ndim=1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} weights but there are {n} samples")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(
            "sample_weight must be finite and >= 0 with a positive sum, got values from "
            f"{w.min():g} to {w.max():g} (sum {w.sum():g})"
        )
    return (w / w.sum()).astype(dtype, copy=False)


def svm_loss(
    x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Multiclass SVM (hinge) loss with margin 1, averaged over the batch (weighted by `sample_weight` (N,) when
    given: ``sum(w_i * loss_i) / sum(w)``).

    x: (N, C) scores; y: (N,) integer labels in [0, C) or (N, C) one-hot rows.
    Returns loss (float) and dx (N, C).
    """
    x, y = _check_loss_inputs(x, y)
    n = x.shape[0]
    scale = _sample_scale(sample_weight, n, x.dtype)
    rows = np.arange(n)
    correct = x[rows, y][:, None]
    margins = np.maximum(0, x - correct + 1)
    margins[rows, y] = 0
    positive = (margins > 0).astype(x.dtype)
    positive[rows, y] = -positive.sum(axis=1)
    if scale is None:
        return float(margins.sum() / n), positive / n
    return float(scale @ margins.sum(axis=1)), positive * scale[:, None]


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of scores x (N, C), stable for any finite scores."""
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax probabilities of scores x (N, C)."""
    return np.exp(log_softmax(x))


def softmax_loss(
    x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy loss, averaged over the batch (weighted by `sample_weight` (N,) when given:
    ``sum(w_i * loss_i) / sum(w)``).

    x: (N, C) scores; y: (N,) integer labels in [0, C) or (N, C) one-hot rows.
    Returns loss (float) and dx (N, C). Computed in log space, so any finite scores give a finite loss.
    """
    x, y = _check_loss_inputs(x, y)
    n = x.shape[0]
    scale = _sample_scale(sample_weight, n, x.dtype)
    fast = _fused_softmax(x) if scale is None else None
    if fast is not None:  # the same operations in one compiled pass (float32 scores, numba)
        dx = np.empty_like(x)
        return float(fast.softmax_loss(x, y, dx)), dx
    rows = np.arange(n)
    log_probs = log_softmax(x)
    dx = np.exp(log_probs)
    dx[rows, y] -= 1
    if scale is None:
        loss = -log_probs[rows, y].sum() / n
        dx /= n
    else:
        loss = -(scale @ log_probs[rows, y])
        dx *= scale[:, None]
    return float(loss), dx


def _fused_softmax(x: np.ndarray):
    """The fused loops (fcnet.fused) for float32 scores, whenever numba is there and chosen: the training step's
    case. The choice depends on the scores alone, never on what the process did before (whether numba is loaded
    yet), so that a resumed run takes the path the uninterrupted one took, step for step. float64 scores (the
    courses' printed numbers, gradient checks) always take the NumPy operations, which the fused loop follows to
    float32 rounding only."""
    if x.dtype != np.float32 or not x.flags.c_contiguous:
        return None
    return fused.kernels()
