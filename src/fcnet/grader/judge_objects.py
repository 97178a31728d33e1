"""Judging the book's objects ("Deep Learning from Scratch"): a layer's forward output, dx and the gradients and
statistics it keeps as attributes, each against the reference and against centred differences of the student's
own forward; its non-inverted dropout by what any right mask gives; an optimizer's parameters after each update;
ch05's TwoLayerNet (pure functions)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet.grader.checks import (
    FAILED,
    FRACTION_TOLERANCE,
    Check,
    _compare,
    _ok,
    against_own_gradient,
)
from fcnet.grader.compare import as_array


def judge_layer_object(
    spec: Any, case: Any, mine: dict, theirs: dict, context: dict
) -> list[Check]:
    """forward's output, then each of spec.outputs after "out" (dx, dW, db, dgamma, running_mean, ...)."""
    if spec.name == "Dropout":
        return _judge_dropout(case, mine, theirs)
    checks = [
        _compare(
            f"output, {case.name}",
            "forward's output",
            mine.get("out"),
            theirs.get("out"),
            case.scale,
        )
    ]
    if "grads" not in theirs:
        return checks
    values = {"dx": (mine.get("grads") or [None])[0], **(mine.get("attrs") or {})}
    expected = {"dx": theirs["grads"][0], **(theirs.get("attrs") or {})}
    numeric = mine.get("numeric") or {}
    for name in spec.outputs[1:]:
        if name not in expected:
            continue
        what = "backward's return value dx" if name == "dx" else f"self.{name}"
        check = _compare(
            f"{name}, {case.name}", what, values.get(name), expected[name], case.scale
        )
        checks.append(against_own_gradient(check, values.get(name), numeric.get(name)))
    return checks


def _judge_dropout(case: Any, mine: dict, theirs: dict) -> list[Check]:
    """The book's dropout is not inverted: training keeps 1 - dropout_ratio of the units unchanged, test time
    scales every unit by 1 - dropout_ratio; backward lets dout through the same mask."""
    ratio, x = case.scale["p"], np.asarray(case.step["args"][0]["array"])
    out = as_array(mine.get("out"))
    if case.step["kwargs"]["train_flg"] is False:
        return [
            _compare(
                f"output, {case.name}",
                "the test-time output (x * (1 - dropout_ratio))",
                mine.get("out"),
                theirs.get("out"),
                case.scale,
            )
        ]
    if out is None or out.shape != x.shape:
        return [_compare(f"output, {case.name}", "the output", mine.get("out"), x, {})]
    kept = out != 0
    fraction = float(kept.mean())
    checks = [
        _ok(f"fraction kept, {case.name}")
        if abs(fraction - (1 - ratio)) <= FRACTION_TOLERANCE
        else Check(
            f"fraction kept, {case.name}",
            FAILED,
            f"it keeps {fraction:.3f} of the units where dropout_ratio = {ratio} means keeping "
            f"{1 - ratio:g}: the mask is np.random.rand(*x.shape) > self.dropout_ratio",
            "fraction",
        )
    ]
    checks.append(
        _compare(
            f"kept units unchanged, {case.name}",
            "the kept units (the book's dropout is not inverted: x * mask)",
            out[kept],
            x[kept],
            {"p": ratio},
        )
    )
    dout = np.asarray(case.step["dout"]["array"])
    dx = (mine.get("grads") or [None])[0]
    checks.append(_compare(f"dx, {case.name}", "dx (dout * mask)", dx, dout * kept, {"p": ratio}))
    return checks


def judge_optimizer(spec: Any, case: Any, mine: dict, theirs: dict, context: dict) -> list[Check]:
    """Each parameter after each update, against the reference's."""
    checks = []
    for k, (step, ref) in enumerate(zip(mine.get("steps", []), theirs.get("steps", [])), 1):
        if "error" in step:
            checks.append(
                Check(f"update {k}, {case.name}", FAILED, f"raised {step['error']}", "error")
            )
            break
        params = step.get("params") if isinstance(step.get("params"), dict) else {}
        for name, value in (ref.get("params") or {}).items():
            checks.append(
                _compare(
                    f"params['{name}'] after update {k}, {case.name}",
                    f"params['{name}'] after update {k}",
                    params.get(name),
                    value,
                    {},
                )
            )
    return checks


def judge_book_net(spec: Any, case: Any, mine: dict, theirs: dict, context: dict) -> list[Check]:
    """ch05's TwoLayerNet: loss, every gradient (against the reference and the student's own loss), predict's
    scores and accuracy."""
    checks = [
        _compare(f"loss, {case.name}", "loss(x, t)", mine.get("loss"), theirs.get("loss"), {}),
        _compare(
            f"predict, {case.name}", "predict(x)", mine.get("predict"), theirs.get("predict"), {}
        ),
        _compare(
            f"accuracy, {case.name}",
            "accuracy(x, t)",
            mine.get("accuracy"),
            theirs.get("accuracy"),
            {},
        ),
    ]
    grads, numeric = mine.get("grads") or {}, mine.get("numeric") or {}
    for name, expected in sorted((theirs.get("grads") or {}).items()):
        check = _compare(
            f"gradient {name}, {case.name}",
            f"gradient(x, t)['{name}']",
            grads.get(name),
            expected,
            case.scale,
        )
        checks.append(against_own_gradient(check, grads.get(name), numeric.get(name), "loss"))
    return checks
