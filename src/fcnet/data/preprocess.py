"""Preprocessing helpers; statistics are always fitted on the training split only."""

from __future__ import annotations

import numpy as np


def subtract_mean_image(data: dict) -> dict:
    """Subtract X_train's mean image from every X_* of a data dict; returns a new dict with 'mean_image'."""
    mean = np.mean(data["X_train"], axis=0)
    out = dict(data)
    for key in data:
        if key.startswith("X_"):
            out[key] = data[key] - mean
    out["mean_image"] = mean
    return out


def standardize(data: dict, eps: float = 1e-8) -> dict:
    """Give every feature of X_train mean 0 and std 1, applying the same shift and scale to every X_*."""
    mean = np.mean(data["X_train"], axis=0)
    std = np.std(data["X_train"], axis=0) + eps
    out = dict(data)
    for key in data:
        if key.startswith("X_"):
            out[key] = (data[key] - mean) / std
    out["mean"], out["std"] = mean, std
    return out


def scale_to_unit(X: np.ndarray, max_value: float = 255.0, dtype=np.float32) -> np.ndarray:
    """Pixels 0..max_value to floats in [0, 1]."""
    out = np.asarray(X).astype(dtype)
    out /= dtype(max_value) if isinstance(dtype, type) else max_value
    return out


def one_hot(y: np.ndarray, num_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """Integer labels (N,) to one-hot rows (N, C)."""
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer labels, got dtype {y.dtype}")
    num_classes = int(y.max()) + 1 if num_classes is None else num_classes
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"y must be in [0, {num_classes}), got labels from {y.min()} to {y.max()}"
        )
    return np.eye(num_classes, dtype=dtype)[y]


def flatten(X: np.ndarray) -> np.ndarray:
    """(N, d_1, ..., d_k) to (N, d_1 * ... * d_k)."""
    return np.reshape(X, (len(X), -1))


def to_channels_first(X: np.ndarray) -> np.ndarray:
    """(N, H, W, C) to (N, C, H, W)."""
    return np.ascontiguousarray(np.transpose(X, (0, 3, 1, 2)))


def to_channels_last(X: np.ndarray) -> np.ndarray:
    """(N, C, H, W) to (N, H, W, C)."""
    return np.ascontiguousarray(np.transpose(X, (0, 2, 3, 1)))
