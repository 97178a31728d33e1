"""Judging a network class (cs231n's FullyConnectedNet) from what the sandbox measured of it: its parameters'
names and shapes against the course's, the loss at initialisation, its gradients against centred differences of
its own loss, its L2 term, its scores without labels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fcnet.grader.checks import FAILED, Check, _ok
from fcnet.grader.compare import as_array, label, rel_error

GRADIENT_TOLERANCE = (
    1e-6  # ||analytic - numeric|| / max(||analytic|| + ||numeric||, the largest gradient norm)
)


def judge_network(spec: Any, case: Any, mine: dict, theirs: dict, context: dict) -> list[Check]:
    """Parameters named and shaped as the course's, the initial loss near log(C), every gradient against centred
    differences of the student's own loss, the L2 term 0.5 * reg * sum(W**2), scores (N, C) without labels."""
    checks = []
    params, expected = mine.get("params") or {}, theirs.get("params") or {}
    shapes = {k: tuple(np.shape(v)) for k, v in params.items()}
    wanted = {k: tuple(np.shape(v)) for k, v in expected.items()}
    if shapes == wanted:
        checks.append(_ok(f"parameters, {case.name}"))
    else:
        missing = sorted(set(wanted) - set(shapes))
        wrong = sorted(k for k in set(wanted) & set(shapes) if shapes[k] != wanted[k])
        extra = sorted(set(shapes) - set(wanted))
        checks.append(
            Check(
                f"parameters, {case.name}",
                FAILED,
                "self.params "
                + "; ".join(
                    p
                    for p in (
                        f"lacks {missing}" if missing else "",
                        "has "
                        + ", ".join(f"{k} {shapes[k]} (expected {wanted[k]})" for k in wrong)
                        if wrong
                        else "",
                        f"has unexpected {extra}" if extra else "",
                    )
                    if p
                ),
                "shape",
            )
        )
        return checks
    if mine.get("loss_error"):
        failure = mine["loss_error"]
        where = f" (at {failure['where']})" if failure.get("where") else ""
        checks.append(
            Check(
                f"loss, {case.name}",
                FAILED,
                f"loss(X, y) raised {failure['error']}{where}",
                "error",
            )
        )
        return checks
    loss = as_array(mine.get("loss"))
    twin = as_array(mine.get("twin_loss"))
    if (
        case.scale.get("reg", 0) == 0
        and loss is not None
        and "normalization" not in case.step["kwargs"]
    ):
        expected_loss = math.log(case.step["kwargs"]["num_classes"])
        value = float(loss.reshape(-1)[0])
        checks.append(
            _ok(f"initial loss near log(C), {case.name}")
            if abs(value - expected_loss) < 0.3
            else Check(
                f"initial loss near log(C), {case.name}",
                FAILED,
                f"the loss at initialisation is {value:.4g}; with small weights it should be near "
                f"log(C) = {expected_loss:.4g}",
                "diff",
            )
        )
    reg = case.scale.get("reg", 0)
    if reg and loss is not None and twin is not None:
        term = (
            0.5
            * reg
            * sum(
                float(np.sum(np.asarray(v) ** 2)) for k, v in params.items() if k.startswith("W")
            )
        )
        got = float(loss.reshape(-1)[0] - twin.reshape(-1)[0])
        kind = label(got, term, {"2": 2.0})
        checks.append(
            _ok(f"L2 term, {case.name}")
            if kind == "ok"
            else Check(
                f"L2 term, {case.name}",
                FAILED,
                f"the loss grows by {got:.6g} with reg = {reg}; 0.5 * reg * sum(W**2) over the weights is "
                f"{term:.6g}"
                + (
                    " (the 0.5 is missing, or the term is added twice)"
                    if kind == "x2"
                    else " (is the term added once, over every W?)"
                ),
                kind,
            )
        )
    grads, numeric = mine.get("grads") or {}, mine.get("numeric") or {}
    pairs = {
        name: (as_array(grads.get(name)), as_array(numeric.get(name))) for name in sorted(wanted)
    }
    # judged against the scale of the network's gradients, as fcnet gradcheck does: a bias just before batch norm
    # has a gradient near zero, where element-wise relative errors are rounding noise
    scale = max([float(np.linalg.norm(n)) for g, n in pairs.values() if n is not None] + [1e-300])
    for name, (g, n) in pairs.items():
        if g is None or n is None or g.shape != n.shape:
            checks.append(
                Check(
                    f"gradient of {name}, {case.name}",
                    FAILED,
                    f"grads[{name!r}] is missing or shaped {None if g is None else g.shape}",
                    "missing",
                )
            )
            continue
        error = float(np.linalg.norm(g - n) / max(np.linalg.norm(g) + np.linalg.norm(n), scale))
        checks.append(
            _ok(f"gradient of {name}, {case.name}")
            if error < GRADIENT_TOLERANCE
            else Check(
                f"gradient of {name}, {case.name}",
                FAILED,
                f"grads[{name!r}] differs from the loss's centred differences (relative error "
                f"{error:.2g}, {rel_error(g, n):.2g} element-wise)",
                label(g, n, {"2": 2.0, "N": float(case.scale["N"])}),
            )
        )
    want = [case.step["X"]["array"].__len__(), case.step["kwargs"]["num_classes"]]
    got_shape = mine.get("scores_shape")
    checks.append(
        _ok(f"scores without labels, {case.name}")
        if got_shape == want
        else Check(
            f"scores without labels, {case.name}",
            FAILED,
            f"loss(X) returned shape {got_shape}; expected the scores, shape {want}",
            "shape",
        )
    )
    return checks
