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
    """ch05's TwoLayerNet (and the MNIST-MLP homework's): loss, every gradient (against the reference and the
    student's own loss), predict's scores and accuracy; those of spec.outputs when it names some (a method's)."""
    wanted = set(spec.outputs or ("loss", "predict", "accuracy", "grads"))
    calls = {"loss": "loss(x, t)", "predict": "predict(x)", "accuracy": "accuracy(x, t)"}
    checks = [
        _compare(f"{name}, {case.name}", call, mine.get(name), theirs.get(name), {})
        for name, call in calls.items()
        if name in wanted
    ]
    if "grads" not in wanted:
        return checks
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


def judge_course_update(
    spec: Any, case: Any, mine: dict, theirs: dict, context: dict
) -> list[Check]:
    """The MNIST-MLP homework's update functions: each parameter after each update against the reference's, and
    the arrays updated in place (the network's Affine layers hold those very arrays)."""
    checks = judge_optimizer(spec, case, mine, theirs, context)
    replaced = sorted({k for step in mine.get("steps", []) for k in step.get("replaced", [])})
    if replaced:
        checks.append(
            Check(
                f"updated in place, {case.name}",
                FAILED,
                f"it put new arrays in network.params {replaced}, which the network's Affine layers do not "
                "see (they hold the old ones, so training would not change the network): update them in "
                "place, network.params[key] -= ...",
                "replaced",
            )
        )
    return checks


def judge_course_call(
    spec: Any, case: Any, mine: dict, theirs: dict, context: dict
) -> list[Check]:
    """What an initializer returns: the same dicts as the reference's (initialize_parameters' draws after
    np.random.seed(1); initialize_adambelief's (v, s) of zeros), key by key, and no object returned twice."""
    expected, given = theirs.get("out"), mine.get("out")
    if isinstance(expected, list):  # several dicts: (v, s)
        if not isinstance(given, list) or len(given) != len(expected):
            what = f"{len(given)} values" if isinstance(given, list) else type(given).__name__
            return [
                Check(
                    f"returns {len(expected)} dicts, {case.name}",
                    FAILED,
                    f"it returned {what}; {spec.name} returns {len(expected)} dicts, one per state",
                    "structure",
                )
            ]
        pairs = list(zip(given, expected))
    else:
        pairs = [(given, expected)]
    checks = []
    if mine.get("shared"):
        checks.append(
            Check(
                f"separate state, {case.name}",
                FAILED,
                "two of the dicts it returns, or two of their arrays, are one object (v = s = {} or "
                "v[key] = s[key] = np.zeros(...)): each update would write into both; give each its own "
                "np.zeros(...)",
                "shared",
            )
        )
    for k, (value, reference) in enumerate(pairs):
        where = f"value {k + 1} of {len(pairs)}" if len(pairs) > 1 else "the dict"
        if not isinstance(value, dict):
            checks.append(
                Check(f"{where}, {case.name}", FAILED, f"{where} is not a dict", "structure")
            )
            continue
        for key, array in reference.items():
            checks.append(
                _compare(
                    f"{where}['{key}'], {case.name}",
                    f"{where}['{key}']",
                    value.get(key),
                    array,
                    {},
                )
            )
    return checks
