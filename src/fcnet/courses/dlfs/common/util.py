"""The book's ``common/util.py`` (the fully-connected chapters' part): ``smooth_curve`` and ``shuffle_dataset``."""

from __future__ import annotations

import numpy as np

__all__ = ["smooth_curve", "shuffle_dataset"]

WINDOW = 11


def smooth_curve(x) -> np.ndarray:
    """A loss curve smoothed by an 11-point Kaiser window (beta 2), reflected at both ends; same length as x."""
    x = np.asarray(x, dtype=np.float64)
    padded = np.r_[x[WINDOW - 1 : 0 : -1], x, x[-1:-WINDOW:-1]]
    window = np.kaiser(WINDOW, 2)
    smoothed = np.convolve(window / window.sum(), padded, mode="valid")
    return smoothed[5 : len(smoothed) - 5]


def shuffle_dataset(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (N, ...) and t (N, ...) in one random order drawn by ``np.random.permutation`` (the global generator)."""
    permutation = np.random.permutation(x.shape[0])
    return x[permutation], t[permutation]
