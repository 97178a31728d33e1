"""What the grader checks in the MNIST-MLP homework (bilibili 《数之道》, a three-layer MLP with hand-written
optimizers): the functions its notebook asks students to write, as specs, and the seeded calls they run on.

The notebook keeps everything in one file; a submission is that notebook (.ipynb or its exported .py), whose
definitions the grader writes as ``mnist_mlp.py``, or a folder holding ``mnist_mlp.py``. The update functions read
their state from the notebook's globals (``v``, ``u``, ``s``, ``grads_squared``), which the notebook sets with
top-level calls (``v, u = initialize_adam(network)``) that its definitions do not carry: the plan binds them to
zeros like the parameters before the first update, as those calls do, and counts ``network.t`` up before each
update, as the course's ``train_network`` does. The course's own ``cross_entropy_error`` indexes ``pred[:, y]``
(every row against every label); its finished softmax and loss are the course's, not the student's, so the
reference's stand in for them in both runs of TwoLayerNet.
"""

from __future__ import annotations

import numpy as np

from fcnet.grader.book_cases import _labels, _one_hot, layer_cases
from fcnet.grader.cases import Case, arr
from fcnet.grader.specs import FunctionSpec

MODULE = "mnist_mlp"  # the notebook's definitions, as one module
REFERENCE = "fcnet.courses.mnist_mlp"
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
GIVEN = f"{REFERENCE}:SoftmaxWithLoss,softmax,cross_entropy_error"  # finished in the notebook
LAYERS = GIVEN + ",initialize_parameters,LeakyRelu,Affine"  # and what the student writes

# each update function: the globals it reads, and the settings of its second case (given by name)
RULES = {
    "update_parameters_with_adagrad": (("grads_squared",), {"epsilon": 1e-3}),
    "update_parameters_with_rmsprop": (("grads_squared",), {"epsilon": 1e-3, "beta": 0.9}),
    "update_parameters_with_momentum": (("v",), {"beta": 0.8}),
    "update_parameters_with_nesterov_momentum": (("v",), {"beta": 0.8}),
    "update_parameters_with_adam": (("v", "u"), {"epsilon": 1e-3, "beta1": 0.8, "beta2": 0.99}),
    "update_parameters_with_adambelief": (
        ("v", "s"),
        {"epsilon": 1e-3, "beta1": 0.8, "beta2": 0.99},
    ),
}


def _params(rng: np.random.Generator, sizes: tuple[int, int, int], std: float) -> dict:
    """The course's parameters for sizes (D, H, K): W1 (D, H), W2 (H, H), W3 (H, K), biases."""
    D, H, K = sizes
    shapes = {"W1": (D, H), "b1": (H,), "W2": (H, H), "b2": (H,), "W3": (H, K), "b3": (K,)}
    return {key: std * rng.standard_normal(shapes[key]) for key in KEYS}


def update_cases(name: str) -> tuple[Case, ...]:
    """Three updates of the course's six parameters: called as train_network calls it (the learning rate alone,
    the function's own defaults for the rest), then with its settings given by name."""
    rng = np.random.default_rng(250)
    params = _params(rng, (6, 5, 3), 0.5)
    grads = [{k: arr(v) for k, v in _params(rng, (6, 5, 3), 1.0).items()} for _ in range(3)]
    state, settings = RULES[name]
    step = {
        "op": "course_update",
        "fn": name,
        "params": {k: arr(v) for k, v in params.items()},
        "grads": grads,
        "state": list(state),
    }
    return (
        Case("as train_network calls it", {**step, "args": [0.01], "kwargs": {}}),
        Case(f"with {settings}", {**step, "args": [0.1], "kwargs": settings}),
    )


def network_cases() -> tuple[Case, ...]:
    """TwoLayerNet(6, 5, 3) with given parameters on 4 samples: one-hot targets (the course's) and labels."""
    rng = np.random.default_rng(251)
    params = {k: arr(v) for k, v in _params(rng, (6, 5, 3), 0.5).items()}
    X = arr(rng.standard_normal((4, 6)))
    step = {"op": "book_net", "cls": "TwoLayerNet", "sizes": [6, 5, 3], "params": params, "X": X}
    return (
        Case("one-hot targets", {**step, "t": _one_hot(rng, 4, 3)}, {"N": 4}),
        Case("labels", {**step, "t": _labels(rng, 4, 3)}, {"N": 4}),
    )


def initialization_cases(name: str) -> tuple[Case, ...]:
    if name == "initialize_parameters":
        return tuple(
            Case(
                f"initialize_parameters{tuple(args)}",
                {"op": "course_call", "fn": name, "args": args},
            )
            for args in ([784, 300, 10, 0.01], [6, 5, 3, 0.5])
        )
    params = _params(np.random.default_rng(252), (6, 5, 3), 0.5)
    step = {"op": "course_call", "fn": name, "network": {k: arr(v) for k, v in params.items()}}
    return (Case("a network of six parameters", step),)


def mnist_mlp_functions() -> tuple[FunctionSpec, ...]:
    """The notebook's START CODE HERE parts: initialize_parameters, LeakyRelu, Affine, TwoLayerNet.predict and
    .loss, the six update functions and initialize_adambelief."""
    layers = tuple(
        FunctionSpec(name, MODULE, "layer_object", layer_cases(name), outputs, REFERENCE)
        for name, outputs in (("LeakyRelu", ("out", "dx")), ("Affine", ("out", "dx", "dW", "db")))
    )
    network = tuple(
        FunctionSpec(
            f"TwoLayerNet.{method}",
            MODULE,
            "book_net",
            network_cases(),
            outputs,
            REFERENCE,
            swap_in=(LAYERS,),
            given=(GIVEN,),
        )
        for method, outputs in (("predict", ("predict", "accuracy")), ("loss", ("loss", "grads")))
    )
    rules = tuple(
        FunctionSpec(name, MODULE, "course_update", update_cases(name), (), REFERENCE)
        for name in RULES
    )
    initializers = tuple(
        FunctionSpec(name, MODULE, "course_call", initialization_cases(name), ("out",), REFERENCE)
        for name in ("initialize_parameters", "initialize_adambelief")
    )
    return initializers[:1] + layers + network + rules + initializers[1:]
