"""The seeded calls each kind of function is checked on (plan steps for fcnet.grader.plan_runner): inputs of
several shapes (N-D, a batch of 1), scores near 1000, train and test modes with running statistics, dropout's
masks, three optimizer steps from the defaults and from a given state."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fcnet.grader.plan_arrays import encode


@dataclass(frozen=True)
class Case:
    """One call of a plan: its name in the report ("N-D input"), the plan step, and the sizes a factor may name
    (N: the batch, p: dropout's probability)."""

    name: str
    step: dict
    scale: dict = field(default_factory=dict)


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


def network_cases(vintage: int = 2019) -> tuple[Case, ...]:
    """cs231n's FullyConnectedNet([10, 8]) on 3 samples of 6 features, 5 classes, float64, weight scale 5e-2 (the
    notebook's gradient check, smaller so that a student's Python loops are checked in a second): without L2, with
    reg 3.14, and with batch and layer norm (cs231n 2017, `vintage` 2017: use_batchnorm, no layer norm)."""
    rng = np.random.default_rng(238)
    X, y = rng.standard_normal((3, 6)), rng.integers(0, 5, 3)
    cases = []
    for name, extra in [
        ("no L2", {"reg": 0.0}),
        ("reg 3.14", {"reg": 3.14}),
        ("batch norm, reg 3.14", {"reg": 3.14, "normalization": "batchnorm"}),
        ("layer norm", {"reg": 0.0, "normalization": "layernorm"}),
    ]:
        if vintage < 2019:  # cs231n 2017: use_batchnorm=True, and no layer norm yet
            if extra.get("normalization") == "layernorm":
                continue
            if extra.pop("normalization", None):
                extra = {**extra, "use_batchnorm": True}
        kwargs = {
            "hidden_dims": [10, 8],
            "input_dim": 6,
            "num_classes": 5,
            "weight_scale": 5e-2,
            "dtype": "float64",
            "seed": 0,
            **extra,
        }
        step = {
            "op": "network",
            "cls": "FullyConnectedNet",
            "kwargs": kwargs,
            "X": arr(X),
            "y": encode(y.astype(np.int64)),
            "np_seed": 0,
        }
        cases.append(Case(name, step, {"N": 3, "reg": extra["reg"]}))
    rng = np.random.default_rng(245)  # the notebooks' "overfit a small data set", smaller
    X, y = rng.standard_normal((50, 10)), rng.integers(0, 5, 50)
    kwargs = {"hidden_dims": [40, 40], "input_dim": 10, "num_classes": 5, "weight_scale": 1e-1}
    kwargs.update(dtype="float64", seed=0, reg=0.0)
    step = {"op": "network", "cls": "FullyConnectedNet", "kwargs": kwargs, "X": arr(X)}
    step.update(y=encode(y.astype(np.int64)), overfit={"steps": 150, "learning_rate": 0.5})
    cases.append(Case("overfits 50 samples", step, {"N": 50, "reg": 0.0}))
    return tuple(cases)


def two_layer_net_cases(method: str, transposed: bool) -> tuple[Case, ...]:
    """The assignment-1 TwoLayerNet (cs231n assignment 1 classifiers/neural_net.py, ECE C147 HW3
    nndl/neural_net.py) on the notebooks' toy model (4 inputs, 10 hidden units, 3 classes, 5 samples): its loss
    and gradients without and with L2 (reg 0.05, the notebooks' value), its predict, and its train on 90 samples of
    three separable blobs (100 steps of SGD). `transposed`: ECE keeps W1 as (H, D) and W2 as (C, H)."""
    rng = np.random.default_rng(239)
    D, H, C = 4, 10, 3

    def layout(fan_in, fan_out):
        return (fan_out, fan_in) if transposed else (fan_in, fan_out)

    params = {
        "W1": arr(1e-1 * rng.standard_normal(layout(D, H))),
        "b1": arr(1e-1 * rng.standard_normal(H)),
        "W2": arr(1e-1 * rng.standard_normal(layout(H, C))),
        "b2": arr(1e-1 * rng.standard_normal(C)),
    }
    X, y = 10 * rng.standard_normal((5, D)), np.array([0, 1, 2, 2, 1])
    base = {"op": "two_layer_net", "cls": "TwoLayerNet", "method": method, "sizes": [D, H, C]}
    base.update(params=params, X=arr(X), y=encode(y), np_seed=0)
    if method == "loss":
        return tuple(
            Case(name, {**base, "reg": reg}, {"N": 5, "reg": reg})
            for name, reg in (("toy model, no L2", 0.0), ("toy model, reg 0.05", 0.05))
        )
    if method == "predict":
        return (Case("toy model", base, {"N": 5}),)
    centres = 3.0 * rng.standard_normal((C, D))
    labels = np.arange(90) % C
    data = centres[labels] + 0.5 * rng.standard_normal((90, D))
    val_labels = np.arange(30) % C
    val = centres[val_labels] + 0.5 * rng.standard_normal((30, D))
    settings = {"learning_rate": 1e-1, "learning_rate_decay": 0.95, "reg": 1e-5}
    settings.update(num_iters=100, batch_size=30, verbose=False)
    train = {"X": arr(data), "y": encode(labels), "X_val": arr(val), "y_val": encode(val_labels)}
    return (Case("three blobs, 100 steps", {**base, "train": {**train, "kwargs": settings}}),)


def chain_cases() -> tuple[Case, ...]:
    """(affine - batch norm - ReLU) twice, forward and back through the student's own layers: what single-layer
    checks miss (a cache kept in a global that the second layer of a kind overwrites, a cache another layer
    changes, shapes that do not meet), on 2-D and N-D input. ReLU's inputs stay away from its kink: |gamma| <=
    0.15 and |beta| = 0.5, while |x_hat| <= sqrt(N - 1) < 2.3."""
    rng = np.random.default_rng(244)
    cases = []
    for name, shape in (("2-D input", (6, 5)), ("N-D input", (5, 2, 3))):
        sizes = [int(np.prod(shape[1:])), 4, 3]
        layers = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            gamma = np.clip(0.1 * rng.standard_normal(fan_out), -0.15, 0.15)
            beta = np.sign(rng.standard_normal(fan_out)) * 0.5
            weights = [rng.standard_normal((fan_in, fan_out)), rng.standard_normal(fan_out)]
            layers += [
                {
                    "forward": "affine_forward",
                    "backward": "affine_backward",
                    "params": [arr(w) for w in weights],
                },
                {
                    "forward": "batchnorm_forward",
                    "backward": "batchnorm_backward",
                    "params": [arr(gamma), arr(beta)],
                    "param": {"mode": "train", "momentum": 0.9, "eps": 1e-5},
                },
                {"forward": "relu_forward", "backward": "relu_backward"},
            ]
        step = {
            "op": "chain",
            "layers": layers,
            "x": arr(rng.standard_normal(shape)),
            "dout": arr(rng.standard_normal((shape[0], sizes[-1]))),
        }
        cases.append(Case(name, step, {"N": shape[0]}))
    return tuple(cases)
