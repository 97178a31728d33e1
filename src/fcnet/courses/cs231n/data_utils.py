"""cs231n ``data_utils.py``: CIFAR-10 loaders spelled as the course spells them."""

from __future__ import annotations

import os

import numpy as np

from fcnet.data.cifar import get_cifar10_data, load_cifar10, load_cifar_batch

__all__ = ["load_CIFAR_batch", "load_CIFAR10", "get_CIFAR10_data"]


def load_CIFAR_batch(filename: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """One batch file: X (10000, 32, 32, 3) float64, y (10000,)."""
    return load_cifar_batch(filename)


def load_CIFAR10(ROOT: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``Xtr, Ytr, Xte, Yte`` from the cifar-10-batches-py directory ROOT (N, 32, 32, 3) float64."""
    return load_cifar10(ROOT, download=False)


def get_CIFAR10_data(
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
    subtract_mean: bool = True,
    cifar10_dir: str | os.PathLike | None = None,
) -> dict:
    """The course's dict X_train (num_training, 3, 32, 32), y_train, X_val, y_val, X_test, y_test: the validation
    images follow the training ones, and the training mean image is subtracted. cifar10_dir: the extracted
    cifar-10-batches-py directory (None: fcnet's data home, downloading there if needed)."""
    return get_cifar10_data(
        num_training, num_validation, num_test, subtract_mean=subtract_mean, root=cifar10_dir
    )
