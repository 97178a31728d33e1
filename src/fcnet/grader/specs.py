"""What the grader checks, as data: for each function a course asks students to write, the file it lives in, the
plan of calls it is run on (seeded inputs of several shapes) and how its results are judged.

The plans are built here, in the trusted grader, and run on the student's function (in the sandbox), on the
course's reference (fcnet.courses) and on the catalogue's mutants, always the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from fcnet.grader.plan_runner import encode


@dataclass(frozen=True)
class Case:
    """One call of a plan: its name in the report ("N-D input"), the plan step, and the sizes a factor may name
    (N: the batch, p: dropout's probability)."""

    name: str
    step: dict
    scale: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionSpec:
    """A function to write: its name, the module (dotted, from the submission's root) that holds it, how it is
    judged (kind: forward, backward, loss, rule, dropout_forward, dropout_backward), its cases, the names of its
    outputs, and the reference (module path and attribute in fcnet.courses)."""

    name: str
    module: str
    kind: str
    cases: tuple[Case, ...]
    outputs: tuple[str, ...] = ("out",)
    reference: str = ""
    state_keys: tuple[str, ...] = ()


def arr(a: np.ndarray) -> dict:
    return encode(np.asarray(a, dtype=np.float64))


def _away_from_zero(rng: np.random.Generator, shape) -> np.ndarray:
    """Values at least 0.1 from 0, so that centred differences never cross a ReLU's kink."""
    x = rng.standard_normal(shape)
    return np.sign(x) * (0.1 + np.abs(x))


def _pair(
    forward: str, backward: str | None, args: list, dout=None, param=None, numeric=()
) -> dict:
    return {
        "op": "pair",
        "forward": forward,
        "backward": backward,
        "args": [arr(a) for a in args],
        "param": param,
        "dout": None if dout is None else arr(dout),
        "numeric": list(numeric),
    }


def affine_cases(backward: bool) -> tuple[Case, ...]:
    rng = np.random.default_rng(231)
    cases = []
    for name, x_shape, m in [
        ("2-D input", (4, 5), 3),
        ("N-D input", (3, 2, 4, 5), 6),
        ("batch of 1", (1, 7), 2),
    ]:
        d = int(np.prod(x_shape[1:]))
        x, w, b = rng.standard_normal(x_shape), rng.standard_normal((d, m)), rng.standard_normal(m)
        dout = rng.standard_normal((x_shape[0], m)) if backward else None
        step = _pair(
            "affine_forward",
            "affine_backward" if backward else None,
            [x, w, b],
            dout,
            numeric=(0, 1, 2) if backward else (),
        )
        cases.append(Case(name, step, {"N": x_shape[0]}))
    return tuple(cases)


def relu_cases(backward: bool) -> tuple[Case, ...]:
    rng = np.random.default_rng(232)
    cases = []
    for name, shape in [("2-D input", (4, 6)), ("3-D input", (2, 3, 4))]:
        x = _away_from_zero(rng, shape)
        dout = rng.standard_normal(shape) if backward else None
        cases.append(
            Case(
                name,
                _pair(
                    "relu_forward",
                    "relu_backward" if backward else None,
                    [x],
                    dout,
                    numeric=(0,) if backward else (),
                ),
                {"N": shape[0]},
            )
        )
    return tuple(cases)


def loss_cases(fn: str) -> tuple[Case, ...]:
    rng = np.random.default_rng(233)
    cases = []
    for name, n, c, offset in [
        ("small scores", 6, 4, 0.0),
        ("batch of 1", 1, 5, 0.0),
        ("scores near 1000", 5, 3, 1000.0),
    ]:
        x = offset + rng.standard_normal(
            (n, c)
        )  # near 1000 exp overflows unless the row max is subtracted
        y = rng.integers(0, c, n)
        numeric = (0,) if offset == 0.0 else ()
        step = {
            "op": "call",
            "fn": fn,
            "args": [arr(x), encode(y.astype(np.int64))],
            "numeric": list(numeric),
        }
        cases.append(Case(name, step, {"N": n}))
    return tuple(cases)


def norm_cases(kind: str, backward: str | None) -> tuple[Case, ...]:
    """Batch norm (train and test mode) or layer norm cases; a random upstream gradient (never all ones: batch
    norm's input gradient vanishes on it)."""
    rng = np.random.default_rng(234 if kind == "batchnorm" else 235)
    forward = f"{kind}_forward"
    cases = []
    for name, n, d in [("4 x 5", 4, 5), ("7 x 3", 7, 3)]:
        x = 3.0 * rng.standard_normal((n, d)) + 2.0
        gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
        dout = rng.standard_normal((n, d)) if backward else None
        if kind == "batchnorm":
            param = {
                "mode": "train",
                "momentum": 0.9,
                "eps": 1e-5,
                "running_mean": arr(rng.standard_normal(d)),
                "running_var": arr(np.abs(rng.standard_normal(d)) + 0.5),
            }
        else:
            param = {"eps": 1e-5}
        numeric = (0, 1, 2) if backward else ()
        cases.append(
            Case(
                f"train mode, {name}" if kind == "batchnorm" else name,
                _pair(forward, backward, [x, gamma, beta], dout, param, numeric),
                {"N": n, "D": d},
            )
        )
        if kind == "batchnorm" and backward is None:
            test = dict(param, mode="test")
            cases.append(
                Case(
                    f"test mode, {name}",
                    _pair(forward, None, [x, gamma, beta], None, test),
                    {"N": n, "D": d},
                )
            )
    return tuple(cases)


def dropout_cases(backward: bool) -> tuple[Case, ...]:
    rng = np.random.default_rng(236)
    x = 0.5 + rng.random((200, 100))  # positive, so a kept unit is out / x = its scale
    cases = []
    for p in (0.3, 0.8):
        for repeat in ("", ", again"):
            if backward and repeat:
                continue
            dout = rng.standard_normal(x.shape) if backward else None
            step = _pair(
                "dropout_forward",
                "dropout_backward" if backward else None,
                [x],
                dout,
                {"mode": "train", "p": p, "seed": 123},
            )
            cases.append(Case(f"train mode, p = {p}{repeat}", step, {"p": p}))
    test = _pair(
        "dropout_forward",
        "dropout_backward" if backward else None,
        [x],
        rng.standard_normal(x.shape) if backward else None,
        {"mode": "test", "p": 0.3},
    )
    cases.append(Case("test mode", test, {"p": 0.3}))
    return tuple(cases)


def rule_cases(fn: str, hyper: dict, state: dict) -> tuple[Case, ...]:
    """Three steps from the rule's defaults (config None), and three from a given config with state."""
    rng = np.random.default_rng(237)
    shape = (4, 5)
    w = rng.standard_normal(shape)
    dws = [rng.standard_normal(shape) for _ in range(3)]
    given = {**hyper, **{k: (arr(v(shape, rng)) if callable(v) else v) for k, v in state.items()}}
    return (
        Case(
            "from its defaults (config None)",
            {"op": "rule", "fn": fn, "w": arr(w), "dws": [arr(d) for d in dws], "config": None},
        ),
        Case(
            "from a given config and state",
            {"op": "rule", "fn": fn, "w": arr(w), "dws": [arr(d) for d in dws], "config": given},
        ),
    )


def _abs_normal(shape, rng):
    return np.abs(rng.standard_normal(shape))


def _normal(shape, rng):
    return rng.standard_normal(shape)


def cs231n_functions(root: str = "cs231n") -> tuple[FunctionSpec, ...]:
    """cs231n assignment 2 (2019 onwards): layers.py and optim.py. `root` is the package name (daseCV uses its
    own)."""
    layers, optim = f"{root}.layers", f"{root}.optim"
    ref_layers, ref_optim = "fcnet.courses.cs231n.layers", "fcnet.courses.cs231n.optim"
    return (
        FunctionSpec(
            "affine_forward", layers, "forward", affine_cases(False), ("out",), ref_layers
        ),
        FunctionSpec(
            "affine_backward",
            layers,
            "backward",
            affine_cases(True),
            ("dx", "dw", "db"),
            ref_layers,
        ),
        FunctionSpec("relu_forward", layers, "forward", relu_cases(False), ("out",), ref_layers),
        FunctionSpec("relu_backward", layers, "backward", relu_cases(True), ("dx",), ref_layers),
        FunctionSpec(
            "svm_loss", layers, "loss", loss_cases("svm_loss"), ("loss", "dx"), ref_layers
        ),
        FunctionSpec(
            "softmax_loss", layers, "loss", loss_cases("softmax_loss"), ("loss", "dx"), ref_layers
        ),
        FunctionSpec(
            "batchnorm_forward",
            layers,
            "forward",
            norm_cases("batchnorm", None),
            ("out",),
            ref_layers,
        ),
        FunctionSpec(
            "batchnorm_backward",
            layers,
            "backward",
            norm_cases("batchnorm", "batchnorm_backward"),
            ("dx", "dgamma", "dbeta"),
            ref_layers,
        ),
        FunctionSpec(
            "batchnorm_backward_alt",
            layers,
            "backward",
            norm_cases("batchnorm", "batchnorm_backward_alt"),
            ("dx", "dgamma", "dbeta"),
            ref_layers,
        ),
        FunctionSpec(
            "layernorm_forward",
            layers,
            "forward",
            norm_cases("layernorm", None),
            ("out",),
            ref_layers,
        ),
        FunctionSpec(
            "layernorm_backward",
            layers,
            "backward",
            norm_cases("layernorm", "layernorm_backward"),
            ("dx", "dgamma", "dbeta"),
            ref_layers,
        ),
        FunctionSpec(
            "dropout_forward",
            layers,
            "dropout_forward",
            dropout_cases(False),
            ("out",),
            ref_layers,
        ),
        FunctionSpec(
            "dropout_backward",
            layers,
            "dropout_backward",
            dropout_cases(True),
            ("dx",),
            ref_layers,
        ),
        FunctionSpec(
            "sgd_momentum",
            optim,
            "rule",
            rule_cases(
                "sgd_momentum", {"learning_rate": 1e-2, "momentum": 0.9}, {"velocity": _normal}
            ),
            ("next_w",),
            ref_optim,
            ("velocity",),
        ),
        FunctionSpec(
            "rmsprop",
            optim,
            "rule",
            rule_cases(
                "rmsprop",
                {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
                {"cache": _abs_normal},
            ),
            ("next_w",),
            ref_optim,
            ("cache",),
        ),
        FunctionSpec(
            "adam",
            optim,
            "rule",
            rule_cases(
                "adam",
                {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                {"m": _normal, "v": _abs_normal, "t": 5},
            ),
            ("next_w",),
            ref_optim,
            ("m", "v", "t"),
        ),
    )


def ece_functions() -> tuple[FunctionSpec, ...]:
    """ECE C147/C247 (HW3-HW4): nndl/layers.py (cs231n's layers, dropout's p the drop probability unless the
    student's docstring says keep) and nndl/optim.py (the course's state names: rmsprop's 'a', Adam's 'v' and
    'a' for the first and second moments)."""
    layer_names = (
        "affine_forward",
        "affine_backward",
        "relu_forward",
        "relu_backward",
        "svm_loss",
        "softmax_loss",
        "batchnorm_forward",
        "batchnorm_backward",
        "dropout_forward",
        "dropout_backward",
    )
    layers = tuple(
        FunctionSpec(
            s.name, "nndl.layers", s.kind, s.cases, s.outputs, "fcnet.courses.ece.nndl.layers"
        )
        for s in cs231n_functions("nndl")
        if s.name in layer_names
    )
    ref = "fcnet.courses.ece.nndl.optim"
    return layers + (
        FunctionSpec(
            "sgd_momentum",
            "nndl.optim",
            "rule",
            rule_cases(
                "sgd_momentum", {"learning_rate": 1e-2, "momentum": 0.9}, {"velocity": _normal}
            ),
            ("next_w",),
            ref,
            ("velocity",),
        ),
        FunctionSpec(
            "sgd_nesterov_momentum",
            "nndl.optim",
            "rule",
            rule_cases(
                "sgd_nesterov_momentum",
                {"learning_rate": 1e-2, "momentum": 0.9},
                {"velocity": _normal},
            ),
            ("next_w",),
            ref,
            ("velocity",),
        ),
        FunctionSpec(
            "rmsprop",
            "nndl.optim",
            "rule",
            rule_cases(
                "rmsprop",
                {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
                {"a": _abs_normal},
            ),
            ("next_w",),
            ref,
            ("a",),
        ),
        FunctionSpec(
            "adam",
            "nndl.optim",
            "rule",
            rule_cases(
                "adam",
                {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                {"v": _normal, "a": _abs_normal, "t": 5},
            ),
            ("next_w",),
            ref,
            ("v", "a", "t"),
        ),
    )


Reference = Callable[..., Any]
