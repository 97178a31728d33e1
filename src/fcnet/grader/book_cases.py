"""The seeded calls "Deep Learning from Scratch" (斎藤康毅, 2016) is checked on: its common/functions.py on
batches and single vectors (scores near 1000 for softmax, labels and one-hot targets for the loss), its
common/layers.py objects forward and backward (N-D input for Affine, train and test mode for batch norm), its
common/optimizer.py classes over three updates from their defaults and from given settings, and ch05's
TwoLayerNet."""

from __future__ import annotations

import numpy as np

from fcnet.grader.cases import Case, _away_from_zero, arr
from fcnet.grader.plan_arrays import encode


def _labels(rng: np.random.Generator, n: int, classes: int) -> dict:
    return encode(rng.integers(0, classes, n).astype(np.int64))


def _one_hot(rng: np.random.Generator, n: int, classes: int) -> dict:
    return arr(np.eye(classes)[rng.integers(0, classes, n)])


def function_cases(name: str) -> tuple[Case, ...]:
    """sigmoid and softmax on a batch and on one vector; cross_entropy_error on labels, one-hot targets and one
    sample (the book reshapes a vector to a batch of one)."""
    rng = np.random.default_rng(240)

    def call(args: list) -> dict:
        return {"op": "call", "fn": name, "args": args}

    if name == "cross_entropy_error":
        probabilities = rng.dirichlet(np.ones(5), size=4) * 0.9 + 0.02
        one = rng.dirichlet(np.ones(5)) * 0.9 + 0.02
        zero = probabilities.copy()
        labels = rng.integers(0, 5, 4)
        zero[0] = 0.25
        # the right class's probability 0: the delta keeps the loss finite
        zero[0, labels[0]] = 0.0
        return (
            Case("labels", call([arr(probabilities), _labels(rng, 4, 5)]), {"N": 4}),
            Case("one-hot targets", call([arr(probabilities), _one_hot(rng, 4, 5)]), {"N": 4}),
            Case("one sample, one-hot", call([arr(one), arr(np.eye(5)[2])])),
            Case("a zero probability", call([arr(zero), encode(labels)]), {"N": 4}),
        )
    batch = 3 * rng.standard_normal((4, 5))
    if name == "softmax":
        batch = batch + 1000.0
    return (
        Case("batch", call([arr(batch)]), {"N": 4}),
        Case("one vector", call([arr(3 * rng.standard_normal(5))])),
    )


def _object(cls: str, init: list, args: list, dout, attrs=(), numeric=None, **extra) -> dict:
    step = {"op": "object", "cls": cls, "init": init, "args": args, "dout": dout}
    return {**step, "attrs": list(attrs), "numeric": numeric or {}, **extra}


def layer_cases(name: str) -> tuple[Case, ...]:
    """The book's layer objects, forward then backward with a random upstream gradient (never all ones); the
    MNIST-MLP homework's LeakyRelu and Affine are checked on the same calls."""
    rng = np.random.default_rng(241)
    if name in ("Relu", "Sigmoid", "LeakyRelu"):
        shapes = [("2-D input", (4, 5), 1.0), ("N-D input", (2, 3, 4), 1.0)]
        if name == "LeakyRelu":  # which side alpha scales shows only where every x has one sign
            shapes.append(("every x positive", (3, 4), 0.0))
        return tuple(
            Case(
                label,
                _object(
                    name,
                    [],
                    [arr(np.abs(x) if signs == 0.0 else x)],
                    arr(rng.standard_normal(shape)),
                    numeric={"dx": "arg0"},
                ),
                {"N": shape[0]},
            )
            for label, shape, signs in shapes
            for x in [_away_from_zero(rng, shape)]
        )
    if name == "Affine":
        cases = []
        for label, shape in (("2-D input", (4, 6)), ("N-D input", (3, 2, 3))):
            D = int(np.prod(shape[1:]))
            init = [arr(rng.standard_normal((D, 5))), arr(rng.standard_normal(5))]
            step = _object(
                name,
                init,
                [arr(rng.standard_normal(shape))],
                arr(rng.standard_normal((shape[0], 5))),
                ("dW", "db"),
                {"dx": "arg0", "dW": "init0", "db": "init1"},
            )
            cases.append(Case(label, step, {"N": shape[0]}))
        return tuple(cases)
    if name == "SoftmaxWithLoss":
        # moderate scores: the book's 1e-7 in the log stays below 1e-5 of dx
        x = rng.standard_normal((4, 5))
        cases = [
            Case(label, _object(name, [], [arr(x), t], None, numeric={"dx": "arg0"}), {"N": 4})
            for label, t in (("labels", _labels(rng, 4, 5)), ("one-hot", _one_hot(rng, 4, 5)))
        ]
        labels = rng.integers(0, 5, 4)
        far = x.copy()
        far[0, labels[0]] -= 1000.0  # its probability underflows to 0
        step = _object(name, [], [arr(far), encode(labels)], None)
        return (*cases, Case("a score 1000 below the rest", step, {"N": 4}))
    if name == "BatchNormalization":
        x = 2 + 3 * rng.standard_normal((6, 4))
        gamma, beta = 1 + 0.1 * rng.standard_normal(4), 0.1 * rng.standard_normal(4)
        train = _object(
            name,
            [arr(gamma), arr(beta)],
            [arr(x)],
            arr(rng.standard_normal((6, 4))),
            ("dgamma", "dbeta", "running_mean", "running_var"),
            {"dx": "arg0", "dgamma": "init0", "dbeta": "init1"},
            kwargs={"train_flg": True},
        )
        stats = [arr(rng.standard_normal(4)), arr(1 + np.abs(rng.standard_normal(4)))]
        test = _object(
            name, [arr(gamma), arr(beta), 0.9, *stats], [arr(x)], None, kwargs={"train_flg": False}
        )
        test["backward"] = False
        return (Case("train mode", train, {"N": 6}), Case("test mode", test, {"N": 6}))
    if name == "Dropout":
        x = 1 + np.abs(rng.standard_normal((200, 100)))
        dout = rng.standard_normal((200, 100))
        return tuple(
            Case(
                f"{mode} mode, dropout_ratio = {ratio}",
                {
                    **_object(name, [ratio], [arr(x)], arr(dout), kwargs={"train_flg": train}),
                    "np_seed": 5,
                    "backward": train,
                },
                {"p": ratio},
            )
            for ratio in (0.3, 0.6)
            for mode, train in (("train", True), ("test", False))
        )
    raise KeyError(name)


def optimizer_cases(name: str, settings: dict) -> tuple[Case, ...]:
    """Three updates of two parameters, from the class's defaults and from given settings."""
    rng = np.random.default_rng(242)
    params = {"W1": arr(rng.standard_normal((4, 5))), "b1": arr(rng.standard_normal(5))}
    grads = [
        {"W1": arr(rng.standard_normal((4, 5))), "b1": arr(rng.standard_normal(5))}
        for _ in range(3)
    ]
    step = {"op": "optimizer", "cls": name, "params": params, "grads": grads}
    return (
        Case("from its defaults", {**step, "kwargs": {}}),
        Case(f"with {settings}", {**step, "kwargs": settings}),
    )


def book_net_cases() -> tuple[Case, ...]:
    """ch05's TwoLayerNet(6, 10, 5) with given parameters on 4 samples: labels and one-hot targets."""
    rng = np.random.default_rng(243)
    params = {
        "W1": arr(0.3 * rng.standard_normal((6, 10))),
        "b1": arr(0.1 * rng.standard_normal(10)),
        "W2": arr(0.3 * rng.standard_normal((10, 5))),
        "b2": arr(0.1 * rng.standard_normal(5)),
    }
    X = arr(rng.standard_normal((4, 6)))
    step = {"op": "book_net", "cls": "TwoLayerNet", "sizes": [6, 10, 5], "params": params, "X": X}
    return (
        Case("labels", {**step, "t": _labels(rng, 4, 5)}, {"N": 4}),
        Case("one-hot targets", {**step, "t": _one_hot(rng, 4, 5)}, {"N": 4}),
    )
