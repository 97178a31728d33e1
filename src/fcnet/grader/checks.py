"""A check of a student's function and the statuses a function ends in (shared by the judges)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fcnet.grader.compare import describe, label

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
