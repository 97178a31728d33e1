"""fcnet models as ONNX graphs, built with the onnx package (``onnx.helper``) and checked with ``onnx.checker``.

The graph takes ``input`` (batch, input_dim), the batch dimension dynamic, in the model's dtype (float32 or
float64), and gives ``label`` (batch,) and ``probabilities`` (batch, C), or ``logits`` with
probabilities=False. For a fitted FCNetClassifier, ``label`` holds the class labels themselves (int64 or string),
as skl2onnx's graphs of scikit-learn classifiers do. The model's metadata_props carry fcnet's version, the
architecture, the class names and the input shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from fcnet.export.layer_specs import (
    BATCHNORM,
    LAYERNORM,
    LINEAR,
    class_names,
    inference_layers,
    metadata,
)

MIN_OPSET = 17  # LayerNormalization is an operator from opset 17
_ACTIVATIONS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "exporting to ONNX needs the onnx package: pip install 'fcnet[export]'"
        ) from None
    return onnx


def build_onnx(
    model: Any,
    *,
    opset: int = MIN_OPSET,
    probabilities: bool = True,
    input_name: str = "input",
    dtype: Any = None,
) -> Any:
    """The onnx.ModelProto of `model` (FullyConnectedNet, TwoLayerNet or fitted FCNetClassifier)."""
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if not isinstance(opset, int) or isinstance(opset, bool) or opset < MIN_OPSET:
        raise ValueError(
            f"opset must be an integer >= {MIN_OPSET} (LayerNormalization), got {opset!r}"
        )
    if not isinstance(input_name, str) or not input_name:
        raise ValueError(f"input_name must be a non-empty string, got {input_name!r}")
    specs = inference_layers(model)
    dtype = np.dtype(dtype if dtype is not None else specs[0].arrays["W"].dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    elem = helper.np_dtype_to_tensor_dtype(dtype)
    nodes, initializers = [], []

    def node(op: str, inputs: list[str], outputs: list[str], **attributes: Any) -> None:
        nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0], **attributes))

    def constant(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    x = emit_layers(specs, input_name, node, constant, fresh=lambda hint: hint)
    scores = "probabilities" if probabilities else "logits"
    if probabilities:
        nodes.append(helper.make_node("Softmax", [x], [scores], axis=1))
    else:
        nodes.append(helper.make_node("Identity", [x], [scores]))
    label_type = _label_nodes(model, scores, nodes, initializers)
    props = metadata(model)
    num_classes = specs[-1].arrays["W"].shape[1]
    graph = helper.make_graph(
        nodes,
        "fcnet",
        [
            helper.make_tensor_value_info(
                input_name, elem, ["batch", specs[0].arrays["W"].shape[0]]
            )
        ],
        [
            helper.make_tensor_value_info("label", label_type, ["batch"]),
            helper.make_tensor_value_info(scores, elem, ["batch", num_classes]),
        ],
        initializers,
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="fcnet",
        producer_version=props["fcnet_version"],
    )
    proto.ir_version = min(proto.ir_version, 9)  # what onnxruntime 1.16 and later read
    helper.set_model_props(proto, props)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def emit_layers(
    specs: list, x: str, node: Callable, constant: Callable, fresh: Callable[[str], str]
) -> str:
    """Add the nodes of the inference layers `specs` after tensor `x` and return the name of the scores.

    node(op, inputs, outputs, **attributes) adds a node; constant(name, array) adds an initializer in the graph's
    dtype and returns its name; fresh(hint) gives an unused tensor name. (build_onnx and the skl2onnx converter
    pass their own.)"""
    for i, spec in enumerate(specs):
        out = fresh(f"layer{i}_{spec.kind}")
        if spec.kind == LINEAR:
            node(
                "Gemm",
                [
                    x,
                    constant(fresh(f"W{i}"), spec.arrays["W"]),
                    constant(fresh(f"b{i}"), spec.arrays["b"]),
                ],
                [out],
            )
        elif spec.kind == BATCHNORM:
            names = [
                constant(fresh(f"{k}{i}"), spec.arrays[k])
                for k in ("gamma", "beta", "running_mean", "running_var")
            ]
            node("BatchNormalization", [x, *names], [out], epsilon=spec.eps)
        elif spec.kind == LAYERNORM:
            names = [constant(fresh(f"{k}{i}"), spec.arrays[k]) for k in ("gamma", "beta")]
            node("LayerNormalization", [x, *names], [out], axis=-1, epsilon=spec.eps)
        elif (
            spec.kind == "leaky_relu"
        ):  # max(x, alpha x) as Where: onnxruntime's LeakyRelu has no float64 kernel
            scaled, positive = fresh(f"scaled{i}"), fresh(f"positive{i}")
            node("Mul", [x, constant(fresh(f"alpha{i}"), np.array(spec.alpha))], [scaled])
            node("Greater", [x, constant(fresh(f"zero{i}"), np.zeros(()))], [positive])
            node("Where", [positive, x, scaled], [out])
        else:
            node(_ACTIVATIONS[spec.kind], [x], [out])
        x = out
    return x


def _label_nodes(model: Any, scores: str, nodes: list, initializers: list) -> int:
    """Append ArgMax (and, for an estimator, a Gather of its classes_) giving 'label'; return its element type."""
    from onnx import TensorProto, helper, numpy_helper

    classes = getattr(model, "classes_", None)
    if classes is None:
        nodes.append(helper.make_node("ArgMax", [scores], ["label"], axis=1, keepdims=0))
        return TensorProto.INT64
    nodes.append(helper.make_node("ArgMax", [scores], ["index"], axis=1, keepdims=0))
    if np.issubdtype(np.asarray(classes).dtype, np.integer):
        values, elem = np.asarray(classes, dtype=np.int64), TensorProto.INT64
    else:
        values, elem = np.array(class_names(model), dtype=object), TensorProto.STRING
    initializers.append(numpy_helper.from_array(values, "classes"))
    nodes.append(helper.make_node("Gather", ["classes", "index"], ["label"], axis=0))
    return elem


def to_onnx(
    model: Any,
    path: str | Path,
    *,
    opset: int = MIN_OPSET,
    probabilities: bool = True,
    input_name: str = "input",
    dtype: Any = None,
) -> Path:
    """Write `model` as an ONNX file at `path` (atomically) and return the path. See build_onnx."""
    from fcnet.saving import atomic_file

    proto = build_onnx(
        model, opset=opset, probabilities=probabilities, input_name=input_name, dtype=dtype
    )
    path = Path(path)
    with atomic_file(path, "wb") as f:
        f.write(proto.SerializeToString())
    return path
