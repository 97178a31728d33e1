"""Judging one function: its results on each case against the reference's, as checks with a label (for the
catalogue of known mistakes) and a message a student can act on (pure functions)."""

from __future__ import annotations


import numpy as np

from fcnet.grader.compare import as_array, describe
from fcnet.grader.specs import FunctionSpec

from fcnet.grader.checks import (  # re-exported: the checker and the tests read them here
    ERROR as ERROR,
    FAILED as FAILED,
    FRACTION_TOLERANCE,
    MISSING as MISSING,
    PASSED as PASSED,
    Check as Check,
    _compare,
    _ok,
    against_own_gradient,
)
from fcnet.grader.judge_network import judge_network, judge_two_layer_net
from fcnet.grader.judge_objects import (
    judge_book_net,
    judge_course_call,
    judge_course_update,
    judge_layer_object,
    judge_optimizer,
)


def _unimplemented(spec: FunctionSpec, results: list) -> bool:
    """The template's own state: every case raised NotImplementedError or returned nothing."""

    def empty(result: dict) -> bool:
        error = result.get("error") or (result.get("backward") or {}).get("error", "")
        if error:
            return error.startswith("NotImplementedError")
        if spec.kind == "rule":
            steps = result.get("steps", [])
            return bool(steps) and steps[0].get("next_w") is None and "error" not in steps[0]
        if spec.kind in ("network", "optimizer_object", "book_net", "course_update"):
            return False
        if spec.kind == "two_layer_net":
            return all(result.get(k) is None for k in ("scores", "predict", "history"))
        if spec.kind in ("backward", "dropout_backward"):
            grads = result.get("grads")
            return grads is None or all(g is None for g in grads)
        out = result.get("out")
        return out is None or (isinstance(out, list) and all(o is None for o in out))

    # an update function returns nothing by design: is it the template, which changes nothing?
    if spec.kind == "course_update":
        return bool(results) and all(
            _left_unchanged(case.step["params"], r) for case, r in zip(spec.cases, results)
        )
    return bool(results) and all(empty(r) for r in results)


def _left_unchanged(params: dict, result: dict) -> bool:
    steps = result.get("steps") or []
    return bool(steps) and all(
        "error" not in step
        and all(
            np.array_equal(as_array(step["params"].get(k)), np.asarray(v["array"]))
            for k, v in params.items()
        )
        for step in steps
    )


def judge(
    spec: FunctionSpec, student: list, reference: list, context: dict | None = None
) -> tuple[str, list[Check]]:
    """(status, checks) of `spec`'s function from the student's and the reference's results (case by case)."""
    if not student or all("missing" in r for r in student):
        return MISSING, [
            Check("defined", FAILED, f"{spec.name} is not defined in {spec.module}", "missing")
        ]
    if _unimplemented(spec, student):
        return MISSING, [
            Check(
                "implemented",
                FAILED,
                f"{spec.name} is still the template (it returns nothing or "
                "raises NotImplementedError)",
                "missing",
            )
        ]
    checks: list[Check] = []
    errors = []
    judge_case = JUDGES[spec.kind]
    for case, mine, theirs in zip(spec.cases, student, reference):
        failure = mine.get("error") or (mine.get("backward") or {}).get("error")
        if failure:
            where = mine.get("where") or (mine.get("backward") or {}).get("where", "")
            errors.append(
                Check(
                    case.name,
                    FAILED,
                    f"raised {failure}" + (f" (at {where})" if where else ""),
                    "error",
                )
            )
            continue
        checks += judge_case(spec, case, mine, theirs, context or {})
        if mine.get("mutated"):
            names = (context or {}).get("arg_names", [])
            changed = [
                names[int(a[3:])] if a.startswith("arg") and int(a[3:]) < len(names) else a
                for a in mine["mutated"]
            ]
            checks.append(
                Check(
                    f"inputs unchanged, {case.name}",
                    FAILED,
                    f"it changed its input {', '.join(changed)} in place (the caller's array): work "
                    "on a copy, e.g. x = x - x.max(...) instead of x -= ...",
                    "mutates",
                )
            )
    checks = errors + checks
    failed = [c for c in checks if c.status != PASSED]
    every_case_raised = (
        failed and all(c.label == "error" for c in failed) and len(failed) >= len(spec.cases)
    )
    if (errors and len(errors) == len(spec.cases)) or every_case_raised:
        return ERROR, checks
    status = PASSED if all(c.status == PASSED for c in checks) else (ERROR if errors else FAILED)
    return status, checks


def _forward(spec, case, mine, theirs, context) -> list[Check]:
    checks = [
        _compare(
            f"output, {case.name}", "the output", mine.get("out"), theirs.get("out"), case.scale
        )
    ]
    for key in ("running_mean", "running_var"):
        reference = (theirs.get("param_after") or {}).get(key)
        if reference is not None and case.step.get("param", {}).get("mode") == "train":
            student = (mine.get("param_after") or {}).get(key)
            checks.append(
                _compare(
                    f"{key} after the call, {case.name}",
                    f"bn_param['{key}']",
                    student,
                    reference,
                    case.scale,
                )
            )
    return checks


def _backward(spec, case, mine, theirs, context) -> list[Check]:
    checks = []
    grads, expected = mine.get("grads") or [], theirs.get("grads") or []
    numeric = mine.get("numeric") or {}
    for i, name in enumerate(spec.outputs):
        student = grads[i] if i < len(grads) else None
        check = _compare(
            f"{name}, {case.name}",
            name,
            student,
            expected[i] if i < len(expected) else None,
            case.scale,
        )
        check = against_own_gradient(check, student, numeric.get(str(i)))
        checks.append(check)
    return checks


def _loss(spec, case, mine, theirs, context) -> list[Check]:
    out, expected = mine.get("out") or [], theirs.get("out") or []
    checks = []
    for i, name in enumerate(spec.outputs):
        checks.append(
            _compare(
                f"{name}, {case.name}",
                name,
                out[i] if i < len(out) else None,
                expected[i] if i < len(expected) else None,
                case.scale,
            )
        )
    return checks


def _rule(spec, case, mine, theirs, context) -> list[Check]:
    checks = []
    for k, (step, ref) in enumerate(zip(mine.get("steps", []), theirs.get("steps", [])), 1):
        if "error" in step:
            checks.append(
                Check(f"step {k}, {case.name}", FAILED, f"raised {step['error']}", "error")
            )
            break
        checks.append(
            _compare(
                f"next_w after step {k}, {case.name}",
                f"next_w after step {k}",
                step.get("next_w"),
                ref.get("next_w"),
                case.scale,
            )
        )
        config = step.get("config") if isinstance(step.get("config"), dict) else {}
        for key in spec.state_keys:
            checks.append(
                _compare(
                    f"config['{key}'] after step {k}, {case.name}",
                    f"config['{key}']",
                    config.get(key),
                    (ref.get("config") or {}).get(key),
                    case.scale,
                )
            )
    return checks


def _dropout_forward(spec, case, mine, theirs, context) -> list[Check]:
    """Dropout draws its own mask: judged by what any right mask gives (kept fraction, inverted scaling, the
    identity at test time, the same mask for the same seed), in the convention of the student's file."""
    x = np.asarray(case.step["args"][0]["array"])
    out = as_array(mine.get("out"))
    mode, p = case.step["param"]["mode"], case.step["param"]["p"]
    if out is None or out.shape != x.shape:
        return [
            Check(
                f"output, {case.name}", FAILED, describe("the output", mine.get("out"), x), "shape"
            )
        ]
    if mode == "test":
        return [
            _compare(
                f"output, {case.name}",
                "the test-mode output (it should be x itself)",
                out,
                x,
                {"p": p},
            )
        ]
    keep = p if context.get("dropout_convention", "keep") == "keep" else 1 - p
    kept = out != 0
    fraction = float(kept.mean())
    checks = []
    if abs(fraction - keep) <= FRACTION_TOLERANCE:
        checks.append(_ok(f"fraction kept, {case.name}", f"keeps {fraction:.3f} of the units"))
    else:
        swapped = abs(fraction - (1 - keep)) < abs(fraction - keep)
        convention = context.get("dropout_convention", "keep")
        checks.append(
            Check(
                f"fraction kept, {case.name}",
                FAILED,
                f"it keeps {fraction:.3f} of the units where p = {p} means keeping {keep:g}"
                + (
                    f" (it drops with probability p; this file's p is the {convention} probability)"
                    if swapped
                    else ""
                ),
                "swapped" if swapped else "fraction",
            )
        )
    if x.shape[0] > 1 and np.all(kept == kept[:1]):
        checks.append(
            Check(
                f"a mask per sample, {case.name}",
                FAILED,
                "every sample gets the same mask (a "
                "whole feature is dropped for the batch): draw one random number per element, "
                "np.random.rand(*x.shape)",
                "shared",
            )
        )
    if kept.any():
        scales = out[kept] / x[kept]
        checks.append(
            _compare(
                f"kept units scaled by 1/keep, {case.name}",
                "the kept units' scale",
                scales,
                np.full_like(scales, 1.0 / keep),
                {"p": p},
            )
        )
    if case.name.endswith(", again"):
        first = context.get("dropout_first", {}).get(p)
        if first is not None and not np.array_equal(first, out):
            checks.append(
                Check(
                    f"same seed, same mask, {case.name}",
                    FAILED,
                    "two calls with the same "
                    "dropout_param['seed'] gave different masks: seed NumPy's generator with it",
                    "unseeded",
                )
            )
    else:
        context.setdefault("dropout_first", {})[p] = out
    return checks


def _dropout_backward(spec, case, mine, theirs, context) -> list[Check]:
    """dx must be dout times the very mask the forward pass used (out / x)."""
    x = np.asarray(case.step["args"][0]["array"])
    dout = np.asarray(case.step["dout"]["array"])
    out = as_array(mine.get("out"))
    grads = mine.get("grads") or [None]
    if out is None or out.shape != x.shape:
        return [
            Check(
                f"dx, {case.name}",
                FAILED,
                "the forward pass gave no usable output to check dx against",
                "forward",
            )
        ]
    expected = dout * (out / x)
    return [_compare(f"dx, {case.name}", "dx", grads[0], expected, case.scale)]


JUDGES = {
    "forward": _forward,
    "backward": _backward,
    "loss": _loss,
    "rule": _rule,
    "dropout_forward": _dropout_forward,
    "dropout_backward": _dropout_backward,
    "network": judge_network,
    "two_layer_net": judge_two_layer_net,
    "function": _loss,
    "layer_object": judge_layer_object,
    "optimizer_object": judge_optimizer,
    "book_net": judge_book_net,
    "course_update": judge_course_update,
    "course_call": judge_course_call,
    "chain": lambda *a: _forward(*a) + _backward(*a),
}
