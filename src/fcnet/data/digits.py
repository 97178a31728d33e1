"""scikit-learn's bundled digits (1,797 8x8 images, no download) and a stratified split."""

from __future__ import annotations

import numpy as np


def load_digits(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """``(X, y)``: X (1797, 64) float32 in [0, 1] (or (1797, 1, 8, 8) unflattened; 0..16 unnormalized),
    y (1797,) int64 (or one-hot float32 rows)."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError(
            "the digits dataset comes with scikit-learn: pip install 'fcnet[data]'"
        ) from None
    bunch = sklearn_load_digits()
    X = bunch.data.astype(np.float32)
    if normalize:
        X /= 16.0
    if not flatten:
        X = X.reshape(-1, 1, 8, 8)
    y = bunch.target.astype(np.int64)
    if one_hot_label:
        y = np.eye(10, dtype=np.float32)[y]
    return X, y


def stratified_split(
    X: np.ndarray, y: np.ndarray, val_size: float = 0.15, test_size: float = 0.2, seed: int = 0
) -> dict:
    """Split into X_train/y_train/X_val/y_val/X_test/y_test with every class in the same proportion in each part.

    val_size and test_size are fractions of the whole set.
    """
    for name, value in (("val_size", val_size), ("test_size", test_size)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size + test_size}")
    from sklearn.model_selection import train_test_split

    labels = y.argmax(axis=1) if y.ndim == 2 else y
    X_rest, X_test, y_rest, y_test, l_rest, _ = train_test_split(
        X, y, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_size / (1 - test_size), stratify=l_rest, random_state=seed
    )
    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
    }
