"""Judging a network class (cs231n's FullyConnectedNet) from what the sandbox measured of it: its parameters'
names and shapes against the course's, the loss at initialisation, its gradients against centred differences of
its own loss, its L2 term, its scores without labels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fcnet.grader.checks import FAILED, Check, _compare, _ok, against_own_gradient
from fcnet.grader.compare import as_array, label, rel_error

GRADIENT_TOLERANCE = (
    1e-6  # ||analytic - numeric|| / max(||analytic|| + ||numeric||, the largest gradient norm)
)


def judge_network(spec: Any, case: Any, mine: dict, theirs: dict, context: dict) -> list[Check]:
    """Parameters named and shaped as the course's, the initial loss near log(C), every gradient against centred
    differences of the student's own loss, the L2 term 0.5 * reg * sum(W**2), scores (N, C) without labels; and
    whether 150 steps of gradient descent on its gradients fit 50 samples as the reference's do."""
    if "overfit" in case.step:
        return [_judge_overfit(case, mine, theirs)]
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
        and not {"normalization", "use_batchnorm"} & set(case.step["kwargs"])
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


def judge_two_layer_net(
    spec: Any, case: Any, mine: dict, theirs: dict, context: dict
) -> list[Check]:
    """The assignment-1 TwoLayerNet, one method at a time, on the reference's results for the same parameters:
    loss (scores, loss, the L2 term, each gradient against the reference and the student's own centred
    differences), predict (the labels), train (its history, a loss that falls, a trained network that classifies
    the separable blobs nearly as well as the reference's)."""
    method = case.step["method"]
    if method == "predict":
        return [
            _compare(
                f"labels, {case.name}",
                "predict(X)",
                mine.get("predict"),
                theirs.get("predict"),
                {},
            )
        ]
    if method == "train":
        return _judge_train(case, mine, theirs)
    checks = [
        _compare(
            f"scores, {case.name}", "loss(X)", mine.get("scores"), theirs.get("scores"), case.scale
        )
    ]
    check = _compare(
        f"loss, {case.name}", "the loss", mine.get("loss"), theirs.get("loss"), case.scale
    )
    if check.status == FAILED and case.scale.get("reg") and checks[0].status != FAILED:
        term = (
            "0.5 * reg * sum(W**2)"
            if context.get("l2_factor") == 0.5
            else "reg * sum(W**2) (no 0.5)"
        )
        check = Check(
            check.name,
            FAILED,
            f"{check.message}; this course's L2 term is {term}, over W1 and W2",
            check.label,
        )
    checks.append(check)
    grads, expected, numeric = (
        mine.get("grads") or {},
        theirs.get("grads") or {},
        mine.get("numeric") or {},
    )
    for name in sorted(expected):
        check = _compare(
            f"grads['{name}'], {case.name}",
            f"grads['{name}']",
            grads.get(name),
            expected[name],
            case.scale,
        )
        checks.append(against_own_gradient(check, grads.get(name), numeric.get(name), "loss"))
    return checks


def _judge_train(case: Any, mine: dict, theirs: dict) -> list[Check]:
    history, reference = mine.get("history") or {}, theirs.get("history") or {}
    steps = case.step["train"]["kwargs"]["num_iters"]
    losses = as_array(history.get("loss_history"))
    if losses is None or losses.shape != (steps,):
        return [
            Check(
                f"history, {case.name}",
                FAILED,
                f"train returned {sorted(history)} with loss_history of shape "
                f"{None if losses is None else losses.shape}; expected 'loss_history' with one loss per "
                f"step ({steps}), 'train_acc_history' and 'val_acc_history'",
                "shape",
            )
        ]
    checks = [_ok(f"history, {case.name}")]
    ref_losses = as_array(reference["loss_history"])
    late, ref_late = float(np.mean(losses[-10:])), float(np.mean(ref_losses[-10:]))
    checks.append(
        _ok(f"the loss falls, {case.name}")
        if np.isfinite(late) and late <= 0.5 * float(losses[0]) and late <= 2 * ref_late + 0.05
        else Check(
            f"the loss falls, {case.name}",
            FAILED,
            f"the last 10 steps' loss averages {late:.4g} (the first step's is {float(losses[0]):.4g}; the "
            f"reference's ends near {ref_late:.3g}): is the update params -= learning_rate * grads, applied to "
            "every parameter, on a batch sampled with np.random.choice?",
            "diff",
        )
    )
    for key in ("val_acc_history", "train_acc_history"):
        got, want = as_array(history.get(key)), as_array(reference[key])
        checks.append(
            _ok(f"{key}, {case.name}")
            if got is not None and got.shape == want.shape
            else Check(
                f"{key}, {case.name}",
                FAILED,
                f"{key} holds {None if got is None else got.size} values; expected one per epoch ({want.size})",
                "shape",
            )
        )
    accuracy, ref_accuracy = _blob_accuracy(case, mine), _blob_accuracy(case, theirs)
    checks.append(
        _ok(f"trained accuracy, {case.name}")
        if accuracy >= min(0.9, ref_accuracy - 0.05)
        else Check(
            f"trained accuracy, {case.name}",
            FAILED,
            f"the trained network classifies {accuracy:.0%} of the training blobs (the reference's "
            f"{ref_accuracy:.0%})",
            "diff",
        )
    )
    return checks


def _blob_accuracy(case: Any, result: dict) -> float:
    """Training accuracy of the parameters train ended with, computed here (not by the student's predict)."""
    params = {k: as_array(v) for k, v in (result.get("params_after") or {}).items()}
    data = case.step["train"]
    X, y = np.asarray(data["X"]["array"]), np.asarray(data["y"]["array"])
    try:
        W1, W2 = params["W1"], params["W2"]
        if W1.shape[0] != X.shape[1]:  # ECE's layout: (H, D), (C, H)
            W1, W2 = W1.T, W2.T
        scores = np.maximum(X @ W1 + params["b1"], 0) @ W2 + params["b2"]
    except (KeyError, ValueError, AttributeError, TypeError):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == y))


def _judge_overfit(case: Any, mine: dict, theirs: dict) -> Check:
    accuracy, reference = mine.get("overfit_accuracy"), theirs.get("overfit_accuracy")
    losses = mine.get("overfit_losses") or [float("nan")] * 2
    if accuracy is not None and reference is not None and accuracy >= min(0.9, reference - 0.05):
        return _ok(f"training, {case.name}", f"fits {accuracy:.0%} of them")
    steps, samples = case.step["overfit"]["steps"], case.scale["N"]
    fitted = "none" if accuracy is None else f"{accuracy:.0%}"
    return Check(
        f"training, {case.name}",
        FAILED,
        f"{steps} steps of gradient descent on its own gradients fit {fitted} of the {samples} samples "
        f"(the reference: {reference:.0%}; its loss went from {losses[0]:.4g} to {losses[1]:.4g}): the "
        "gradients do not lower the loss as they should",
        "diff",
    )
