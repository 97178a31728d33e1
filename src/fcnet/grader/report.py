"""A checker's report as a student reads it: one line per check that failed, one per function, the hint, and
the score (pure functions of the report dict)."""

from __future__ import annotations

from typing import Any

SYMBOLS = {"passed": "ok", "failed": "FAILED", "missing": "missing", "error": "ERROR"}


def table(report: dict[str, Any], verbose: bool = False) -> str:
    """The report as text: a table (function, status, checks passed, hint) and the score."""
    rows = []
    width = max([len(name) for name in report["functions"]] + [8])
    for name, verdict in report["functions"].items():
        checks = verdict["checks"]
        passed = sum(c["status"] == "passed" for c in checks)
        status = SYMBOLS[verdict["status"]]
        rows.append(f"{name:<{width}}  {status:<7}  {passed:>3}/{len(checks):<3} checks")
        own = verdict.get("with_your_layers")
        if own is not None:
            own_passed = sum(c["status"] == "passed" for c in own["checks"])
            rows.append(
                f"{'':<{width}}  with your layers: {SYMBOLS[own['status']]}, "
                f"{own_passed}/{len(own['checks'])} checks (not counted)"
            )
        if verdict["hint"] and (verdict["status"] != "passed" or own is not None):
            rows.append(f"{'':<{width}}  hint: {verdict['hint']}")
        shown = checks if verbose else [c for c in checks if c["status"] != "passed"][:3]
        if not verbose and len(shown) == 1 and shown[0]["message"] in verdict["hint"]:
            shown = []  # the hint says it already
        for check in shown if verdict["status"] != "passed" or verbose else []:
            rows.append(f"{'':<{width}}    - {check['name']}: {check['message']}")
    lines = [f"{report['course']}: {report['score']} of {report['max_score']} functions pass"]
    if report.get("flagged"):
        lines.append(
            f"note: the code imports {', '.join(report['flagged'])}; a grader may not accept that"
        )
    return "\n".join(lines + [""] + rows)
