"""A skl2onnx converter for FCNetClassifier, so that skl2onnx converts a whole Pipeline (StandardScaler,
FCNetClassifier, ...) to one ONNX graph, with the options skl2onnx gives MLPClassifier (zipmap, nocl).

    from fcnet.export import register_skl2onnx
    register_skl2onnx()
    onx = skl2onnx.to_onnx(Pipeline([("scale", StandardScaler()), ("net", FCNetClassifier())]).fit(X, y),
                           X[:1].astype(np.float32), options={FCNetClassifier: {"zipmap": False}})
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet.export.layer_specs import inference_layers
from fcnet.export.onnx_export import emit_layers


def _convert(scope: Any, operator: Any, container: Any) -> None:
    """skl2onnx's converter protocol: write the nodes of operator.raw_operator (a fitted FCNetClassifier)."""
    from skl2onnx.common.data_types import guess_proto_type
    from skl2onnx.proto import onnx_proto

    estimator = operator.raw_operator
    specs = inference_layers(estimator)
    proto_dtype = guess_proto_type(operator.inputs[0].type)
    if proto_dtype != onnx_proto.TensorProto.DOUBLE:
        proto_dtype = onnx_proto.TensorProto.FLOAT
    dtype = np.float64 if proto_dtype == onnx_proto.TensorProto.DOUBLE else np.float32

    def node(op: str, inputs: list[str], outputs: list[str], **attributes: Any) -> None:
        container.add_node(
            op, inputs, outputs, name=scope.get_unique_operator_name(op), **attributes
        )

    def constant(name: str, array: np.ndarray) -> str:
        array = np.asarray(array, dtype=dtype)
        container.add_initializer(name, proto_dtype, list(array.shape), array.ravel().tolist())
        return name

    x = scope.get_unique_variable_name("cast_input")
    node("Cast", [operator.inputs[0].full_name], [x], to=proto_dtype)
    scores = emit_layers(specs, x, node, constant, scope.get_unique_variable_name)
    node("Softmax", [scores], [operator.outputs[1].full_name], axis=1)
    classes = estimator.classes_
    index = scope.get_unique_variable_name("index")
    node("ArgMax", [operator.outputs[1].full_name], [index], axis=1, keepdims=0)
    if np.issubdtype(classes.dtype, np.integer):
        values, class_type = classes.astype(np.int64), onnx_proto.TensorProto.INT64
    else:
        values, class_type = (
            np.array([str(c).encode("utf-8") for c in classes]),
            onnx_proto.TensorProto.STRING,
        )
    name = scope.get_unique_variable_name("classes")
    container.add_initializer(name, class_type, list(values.shape), values.tolist())
    node("Gather", [name, index], [operator.outputs[0].full_name], axis=0)


def register_skl2onnx() -> None:
    """Teach skl2onnx to convert FCNetClassifier (alias 'FcnetFCNetClassifier'); idempotent."""
    try:
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
    except ImportError:
        raise ImportError(
            "converting a Pipeline needs skl2onnx: pip install 'fcnet[export]'"
        ) from None
    from fcnet.sklearn import FCNetClassifier

    update_registered_converter(
        FCNetClassifier,
        "FcnetFCNetClassifier",
        calculate_linear_classifier_output_shapes,
        _convert,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )
