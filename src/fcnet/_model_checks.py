"""The checks and conversions of FullyConnectedNet's arguments: dtype, choices, the two spellings of dropout, and
the initial weights' standard deviation."""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet._checks import check_probability


def _weight_std(weight_scale: float | str, fan_in: int, fan_out: int) -> float:
    if weight_scale == "he":
        return float(np.sqrt(2.0 / fan_in))
    if weight_scale == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    return float(weight_scale)


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or not np.issubdtype(checked, np.floating):
        raise TypeError(
            f"dtype must be a floating-point dtype such as 'float32' or 'float64', got {dtype!r}"
        )
    return checked


def _check_choice(name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def _resolve_dropout(dropout: float | None, dropout_keep_ratio: float | None) -> float:
    """The drop probability from either spelling (`dropout` = drop, `dropout_keep_ratio` = keep)."""
    if dropout_keep_ratio is not None:
        keep = float(dropout_keep_ratio)
        if not 0.0 < keep <= 1.0:
            raise ValueError(f"dropout_keep_ratio must be in (0, 1], got {dropout_keep_ratio!r}")
        if dropout not in (None, 0, 0.0) and abs(float(dropout) - (1.0 - keep)) > 1e-12:
            raise ValueError(
                f"dropout={dropout!r} and dropout_keep_ratio={dropout_keep_ratio!r} disagree; give one"
            )
        return 1.0 - keep
    return check_probability("dropout", 0.0 if dropout is None else dropout)
