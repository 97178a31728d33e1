"""A check of a student's function and the statuses a function ends in (shared by the judges)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fcnet.grader.compare import NUMERIC_TOLERANCE, as_array, describe, label, rel_error

PASSED, FAILED, MISSING, ERROR = "passed", "failed", "missing", "error"
FRACTION_TOLERANCE = (
    0.03  # |fraction of kept units - expected| on 20,000 units (10 standard deviations)
)


@dataclass(frozen=True)
class Check:
    """One check of one function: name ("dw, N-D input"), status (passed/failed), message, label."""

    name: str
    status: str
    message: str
    label: str = "ok"


def _ok(name: str, message: str = "") -> Check:
    return Check(name, PASSED, message or "right")


def _compare(name: str, what: str, student: Any, reference: Any, scale: dict) -> Check:
    kind = label(student, reference, scale)
    return (
        _ok(name)
        if kind == "ok"
        else Check(name, FAILED, describe(what, student, reference, scale), kind)
    )


def against_own_gradient(check: Check, student: Any, numeric: Any, of: str = "forward") -> Check:
    """A failed gradient check, told whether the student's gradient is that of their own `of` (then `of` is what
    is wrong) or not even that (centred differences of their own code, computed in the sandbox)."""
    s, n = as_array(student), as_array(numeric)
    if check.status != FAILED or s is None or n is None or s.shape != n.shape:
        return check
    if rel_error(s, n) < NUMERIC_TOLERANCE:
        fix = "forward pass" if of == "forward" else of
        extra = f"; it is the gradient of your own {of}, so fix the {fix} first"
    else:
        extra = (
            f"; it is not the gradient of your {of} either (relative error "
            f"{rel_error(s, n):.2g} against centred differences)"
        )
    return Check(check.name, FAILED, check.message + extra, check.label)
