"""What the grader checks, as data: for each function a course asks students to write, the file it lives in, the
plan of calls it is run on (seeded inputs of several shapes) and how its results are judged.

The plans are built here, in the trusted grader, and run on the student's function (in the sandbox), on the
course's reference (fcnet.courses) and on the catalogue's mutants, always the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from fcnet.grader.cases import (
    Case as Case,  # re-exported: a spec's cases
    _abs_normal,
    _normal,
    affine_cases,
    chain_cases,
    dropout_cases,
    loss_cases,
    network_cases,
    norm_cases,
    two_layer_net_cases,
    relu_cases,
    rule_cases,
)


@dataclass(frozen=True)
class FunctionSpec:
    """A function to write: its name, the module (dotted, from the submission's root) that holds it, how it is
    judged (kind: forward, backward, loss, rule, dropout_forward, dropout_backward, network), its cases, the names
    of its outputs, the reference (module path and attribute in fcnet.courses), and for a network the reference
    layers judged in place of the student's (so that a layer's mistake is charged to the layer alone), as modules or
    ``"module:name,name"``; `given`, the code the course hands out finished (the MNIST-MLP homework's softmax and
    loss, with a bug of the course's own), which stands in its place in both runs."""

    name: str
    module: str
    kind: str
    cases: tuple[Case, ...]
    outputs: tuple[str, ...] = ("out",)
    reference: str = ""
    state_keys: tuple[str, ...] = ()
    # reference modules put in place of the student's layers (a network)
    swap_in: tuple[str, ...] = ()
    # what the course hands out, swapped in for the run on the student's own layers too
    given: tuple[str, ...] = ()


def cs231n_functions(root: str = "cs231n", vintage: int = 2019) -> tuple[FunctionSpec, ...]:
    """cs231n assignment 2 (2019 onwards): layers.py and optim.py. `root` is the package name (daseCV uses its
    own); `vintage` 2017: dropout's p the drop probability, no layer norm, FullyConnectedNet(use_batchnorm=...)."""
    specs = _cs231n_functions(root, vintage)
    if vintage < 2019:
        return tuple(s for s in specs if not s.name.startswith("layernorm"))
    return specs


def _cs231n_functions(root: str, vintage: int) -> tuple[FunctionSpec, ...]:
    layers, optim = f"{root}.layers", f"{root}.optim"
    course = "cs231n" if vintage >= 2019 else "cs231n_2017"
    ref_layers, ref_optim = f"fcnet.courses.{course}.layers", "fcnet.courses.cs231n.optim"
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
            "affine_batchnorm_relu_chain",
            layers,
            "chain",
            chain_cases(),
            ("dx", "dw1", "db1", "dgamma1", "dbeta1", "dw2", "db2", "dgamma2", "dbeta2"),
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
        FunctionSpec(
            "FullyConnectedNet",
            f"{root}.classifiers.fc_net",
            "network",
            network_cases(vintage),
            (),
            f"fcnet.courses.{course}.classifiers.fc_net",
            swap_in=(ref_layers,),
        ),
    ) + two_layer_net_functions(
        f"{root}.classifiers.neural_net", "fcnet.courses.cs231n.classifiers.neural_net", False
    )


def two_layer_net_functions(
    module: str, reference: str, transposed: bool
) -> tuple[FunctionSpec, ...]:
    """The assignment-1 TwoLayerNet's loss, predict and train (cs231n assignment 1, daseCV, ECE C147 HW3)."""
    return tuple(
        FunctionSpec(
            f"TwoLayerNet.{method}",
            module,
            "two_layer_net",
            two_layer_net_cases(method, transposed),
            (),
            reference,
        )
        for method in ("loss", "predict", "train")
    )


def ece_functions() -> tuple[FunctionSpec, ...]:
    """ECE C147/C247 (HW3-HW4): nndl/layers.py (cs231n's layers, dropout's p the drop probability unless the
    student's docstring says keep) and nndl/optim.py (the course's state names: rmsprop's 'a', Adam's 'v' and
    'a' for the first and second moments)."""
    layer_names = (
        "affine_batchnorm_relu_chain",
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
    return (
        layers
        + (
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
        + two_layer_net_functions("nndl.neural_net", "fcnet.courses.ece.nndl.neural_net", True)
    )


Reference = Callable[..., Any]


def dlfs_functions() -> tuple[FunctionSpec, ...]:
    """ "Deep Learning from Scratch" (斎藤康毅, 2016), chapters 3 to 6: common/functions.py, the layer objects of
    common/layers.py, the optimizers of common/optimizer.py, ch05/two_layer_net.py."""
    from fcnet.grader.book_cases import (
        book_net_cases,
        function_cases,
        layer_cases,
        optimizer_cases,
    )

    ref = "fcnet.courses.dlfs.common"
    functions = tuple(
        FunctionSpec(
            name,
            "common.functions",
            "function",
            function_cases(name),
            ("out",),
            f"{ref}.functions",
        )
        for name in ("sigmoid", "softmax", "cross_entropy_error")
    )
    outputs = {
        "Relu": ("out", "dx"),
        "Sigmoid": ("out", "dx"),
        "Affine": ("out", "dx", "dW", "db"),
        "SoftmaxWithLoss": ("out", "dx"),
        "BatchNormalization": ("out", "dx", "dgamma", "dbeta", "running_mean", "running_var"),
        "Dropout": ("out", "dx"),
    }
    layers = tuple(
        FunctionSpec(
            name, "common.layers", "layer_object", layer_cases(name), names, f"{ref}.layers"
        )
        for name, names in outputs.items()
    )
    settings = {
        "SGD": {"lr": 0.1},
        "Momentum": {"lr": 0.1, "momentum": 0.8},
        "Nesterov": {"lr": 0.1, "momentum": 0.8},
        "AdaGrad": {"lr": 0.1},
        "RMSprop": {"lr": 0.1, "decay_rate": 0.9},
        "Adam": {"lr": 0.1, "beta1": 0.8, "beta2": 0.99},
    }
    optimizers = tuple(
        FunctionSpec(
            name,
            "common.optimizer",
            "optimizer_object",
            optimizer_cases(name, given),
            (),
            f"{ref}.optimizer",
        )
        for name, given in settings.items()
    )
    net = FunctionSpec(
        "TwoLayerNet",
        "ch05.two_layer_net",
        "book_net",
        book_net_cases(),
        (),
        "fcnet.courses.dlfs.ch05.two_layer_net",
    )
    return functions + layers + optimizers + (net,)
