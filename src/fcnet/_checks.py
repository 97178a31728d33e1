"""Input checks shared by the public functions.

Every check raises before anything is computed or stored, with a message that names the argument, what was
expected and what came.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

# True inside inputs_checked(): the caller has checked the arrays once, the layers and losses need not again
_INPUTS_CHECKED = contextvars.ContextVar("fcnet_inputs_checked", default=False)


@contextmanager
def inputs_checked() -> Iterator[None]:
    """Within this block (in this thread), fcnet's layers, losses and models take their array arguments as
    checked: the Solver's training steps after the first, whose batches are rows of the data it checked at its
    start, in the shapes and dtypes the first step's checks passed. Every public call outside stays checked."""
    token = _INPUTS_CHECKED.set(True)
    try:
        yield
    finally:
        _INPUTS_CHECKED.reset(token)


def already_checked() -> bool:
    """Whether the arrays of this call were checked by the caller (see inputs_checked)."""
    return _INPUTS_CHECKED.get()


def as_float_array(
    name: str, a: Any, ndim: int | None = None, min_ndim: int | None = None
) -> np.ndarray:
    """Return `a` as a floating-point ndarray (no copy when it already is one), checking its rank."""
    arr = np.asarray(a)
    kind = (
        arr.dtype.kind
    )  # 'f' float, 'i'/'u' integer, 'b' bool (cheaper than np.issubdtype on every step)
    if kind != "f":
        if kind in "iub":
            arr = arr.astype(np.float64)
        else:
            raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions, got shape {arr.shape}")
    return arr


def check_vector(name: str, a: Any, length: int, what: str) -> np.ndarray:
    """Check that `a` is a 1-D float array of `length` elements; `what` says where the length comes from."""
    arr = as_float_array(name, a)
    if arr.shape != (length,):
        raise ValueError(
            f"{name} must have shape ({length},) to match {what}, got shape {arr.shape}"
        )
    return arr


def check_mode(name: str, mode: Any) -> str:
    if mode not in ("train", "test"):
        raise ValueError(f"{name} must be 'train' or 'test', got {mode!r}")
    return mode


def check_probability(name: str, p: Any) -> float:
    """A drop probability: a number in [0, 1)."""
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number in [0, 1), got {p!r}") from None
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {p!r}")
    return value


def labels_of(y: np.ndarray) -> np.ndarray:
    """Integer labels (N,) from labels (N,) or one-hot rows (N, C), already checked (check_labels)."""
    return y if y.ndim == 1 else y.argmax(axis=1)


def check_labels(name: str, y: Any, num_samples: int, num_classes: int) -> np.ndarray:
    """Return integer labels (N,) from integer labels or one-hot rows (N, C).

    Raises TypeError for float labels of shape (N,), ValueError for a wrong length, labels outside
    [0, num_classes), or one-hot rows that are not one-hot.
    """
    arr = np.asarray(y)
    if arr.ndim == 2:
        if arr.shape != (num_samples, num_classes):
            raise ValueError(
                f"{name} as one-hot must have shape ({num_samples}, {num_classes}), got shape {arr.shape}"
            )
        is_zero_or_one = (arr == 0) | (arr == 1)
        if not (np.all(is_zero_or_one) and np.all(arr.sum(axis=1) == 1)):
            bad = int(
                np.flatnonzero(~(np.all(is_zero_or_one, axis=1) & (arr.sum(axis=1) == 1)))[0]
            )
            raise ValueError(f"{name} row {bad} is not one-hot: {arr[bad].tolist()}")
        return labels_of(arr)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be labels of shape ({num_samples},) or one-hot of shape "
            f"({num_samples}, {num_classes}), got shape {arr.shape}"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.shape[0] != num_samples:
        raise ValueError(f"{name} has {arr.shape[0]} labels but there are {num_samples} samples")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        lo, hi = int(arr.min()), int(arr.max())
        raise ValueError(f"{name} must be in [0, {num_classes}), got labels from {lo} to {hi}")
    return arr


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_real(
    name: str,
    value: Any,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> float | None:
    """A finite real number in the interval [low, high] (each end open when asked), returned as a Python float
    (a Python float takes the dtype of the array it meets, so float32 parameters stay float32)."""
    if value is None and allow_none:
        return None
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    number = float(value)
    inside = (number > low if low_open else number >= low) and (
        number < high if high_open else number <= high
    )
    if not (np.isfinite(number) and inside):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open or high == np.inf else ']'}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return number


def check_int(name: str, value: Any, minimum: int = 1, *, allow_none: bool = False) -> int | None:
    """An integer >= minimum (bools and floats refused), returned as a Python int."""
    if value is None and allow_none:
        return None
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value < minimum
    ):
        expected = f"an integer >= {minimum}" + (" or None" if allow_none else "")
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def check_seed(name: str, seed: Any) -> int | None:
    """A seed for numpy.random.default_rng: None or an integer >= 0."""
    return check_int(name, seed, 0, allow_none=True)
