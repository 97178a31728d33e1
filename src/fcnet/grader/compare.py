"""How a student's output differs from the reference's, in words a student can act on, and as a label the
catalogue of known mistakes is matched by (pure functions).

A label is one of: "ok"; "missing" (nothing returned); "shape" (another shape; "transposed" when it is the
transpose); "nonfinite" (NaN or inf where the reference is finite); "x<factor>" (a constant multiple of the
reference: xN, x1/N, x-1, x2, x1/2, xp, x1/p, ...); "rows" (some rows right, others wrong); "diff" (anything else).
"""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE = 1e-7  # relative error, cs231n's rel_error, for outputs compared with the reference
NUMERIC_TOLERANCE = (
    1e-5  # an analytic gradient against centred differences of the student's own forward
)


def as_array(value: Any) -> np.ndarray | None:
    """A decoded result as a float64 array (None for None or what is not numeric)."""
    if value is None or isinstance(value, dict):
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """cs231n's relative error: max |a - b| / max(1e-8, |a| + |b|)."""
    return (
        float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) if a.size else 0.0
    )


def _factors(scale: dict[str, float]) -> list[tuple[str, float]]:
    """Constant factors a known mistake leaves, by name; `scale` names the sizes of the case (N, D, p, ...)."""
    out = [("-1", -1.0), ("2", 2.0), ("1/2", 0.5), ("0", 0.0)]
    for name, value in scale.items():
        if value not in (0, 1):
            out += [(name, value), (f"1/{name}", 1.0 / value), (f"-{name}", -value)]
            if name == "p":
                out += [
                    ("(1-p)", 1 - value),
                    ("1/(1-p)", 1 / (1 - value)),
                    ("p/(1-p)", value / (1 - value)),
                    ("(1-p)/p", (1 - value) / value),
                ]
    return out


def label(
    student: Any,
    reference: Any,
    scale: dict[str, float] | None = None,
    tolerance: float = TOLERANCE,
) -> str:
    """The label of `student` against `reference` (see the module's docstring)."""
    s, r = as_array(student), as_array(reference)
    if r is None:
        return "ok" if s is None else "diff"
    if s is None:
        return "missing"
    if s.shape != r.shape:
        if s.ndim == 2 and s.T.shape == r.shape and rel_error(s.T, r) < tolerance:
            return "transposed"
        if (
            np.squeeze(s).shape == np.squeeze(r).shape
            and rel_error(s.reshape(r.shape), r) < tolerance
        ):
            return "ok"  # a scalar as (1,), a vector as (N, 1): the same numbers
        return "shape"
    if not np.all(np.isfinite(s)) and np.all(np.isfinite(r)):
        return "nonfinite"
    if rel_error(s, r) < tolerance:
        return "ok"
    norm = float(np.sum(r * r))
    if (
        norm > 0 and r.size == 1
    ):  # a scalar is always some multiple of another: only a named factor says much
        ratio = float(s.reshape(-1)[0] / r.reshape(-1)[0])
        for name, value in _factors(scale or {}):
            if abs(ratio - value) <= 1e-6 * max(1.0, abs(value)):
                return f"x{name}"
        return "diff"
    if norm > 0:
        ratio = float(np.sum(s * r)) / norm
        if rel_error(s, ratio * r) < 1e-6:
            for name, value in _factors(scale or {}):
                if abs(ratio - value) <= 1e-6 * max(1.0, abs(value)):
                    return f"x{name}"
            return f"x{ratio:.3g}"
    if s.ndim >= 2 and s.shape[0] > 1:
        rows = [rel_error(s[i], r[i]) < tolerance for i in range(s.shape[0])]
        if any(rows):
            return "rows"
    return "diff"


def describe(
    what: str, student: Any, reference: Any, scale: dict[str, float] | None = None
) -> str:
    """One sentence on how `what` (e.g. "dw") differs from the reference."""
    s, r = as_array(student), as_array(reference)
    kind = label(student, reference, scale)
    if kind == "ok":
        return f"{what} is right"
    if kind == "missing":
        return f"{what} is missing (None)"
    if kind == "transposed":
        return f"{what} is the transpose of the right answer: shape {s.shape} where {r.shape} is expected"
    if kind == "shape":
        return f"{what} has shape {s.shape}; expected {r.shape}"
    if kind == "nonfinite":
        bad = int(np.sum(~np.isfinite(s)))
        return (
            f"{what} has {bad} NaN or infinite values where the right answer is finite (overflow?)"
        )
    if r.size == 1 and s.size == 1:
        mine, right = float(s.reshape(-1)[0]), float(r.reshape(-1)[0])
        if kind.startswith("x") and kind not in ("x0", "x-1"):  # a named factor: N, 2, p, ...
            return (
                f"{what} is {kind[1:]} times the right answer{_sizes(scale)}: {mine:.6g} "
                f"instead of {right:.6g}"
            )
        digits = 6 if f"{mine:.6g}" != f"{right:.6g}" else 12  # close: show where they part
        return f"{what} is {mine:.{digits}g}; the right answer is {right:.{digits}g}" + (
            f" (relative error {rel_error(s, r):.2g})" if digits == 12 else ""
        )
    if kind.startswith("x"):
        factor = kind[1:]
        if factor == "0":
            return f"{what} is all zeros"
        if factor == "-1":
            return f"{what} has the wrong sign (it is minus the right answer)"
        return f"{what} is {factor} times the right answer" + _sizes(scale)
    error = rel_error(s, r)
    if r.size == 1:
        return f"{what} is {float(s.reshape(-1)[0]):.6g}; the right answer is {float(r.reshape(-1)[0]):.6g}"
    index = np.unravel_index(int(np.argmax(np.abs(s - r))), s.shape)
    where = f"; the largest difference is at {tuple(int(i) for i in index)}: {s[index]:.6g} instead of {r[index]:.6g}"
    if kind == "rows":
        wrong = [i for i in range(s.shape[0]) if rel_error(s[i], r[i]) >= TOLERANCE]
        return f"{what} is right in some rows but wrong in rows {wrong[:8]} (relative error {error:.2g}){where}"
    return f"{what} differs from the right answer (relative error {error:.2g}){where}"


def _sizes(scale: dict[str, float] | None) -> str:
    if not scale:
        return ""
    return " (" + ", ".join(f"{k} = {v:g}" for k, v in scale.items()) + ")"
