"""An exported ``.onnx`` file served by onnxruntime with the interface ``fcnet predict`` and ``fcnet evaluate`` use
(predict, predict_proba, input_dim, num_classes, class names), so a user can check the exported file on the same
data as the model it came from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MAX_ONNX_BYTES = 2**31  # protobuf's limit for one file


class OnnxModel:
    """A classifier graph with one input (batch, input_dim) and outputs 'label' and 'probabilities' (or 'logits'),
    as fcnet.export.to_onnx writes; other ONNX classifiers whose first floating output holds (batch, C) scores
    work too."""

    def __init__(self, path: str | Path) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ImportError(
                "reading .onnx files needs onnxruntime: pip install 'fcnet[export]'"
            ) from None
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        if path.stat().st_size > MAX_ONNX_BYTES:
            raise ValueError(
                f"{path} has {path.stat().st_size:,} bytes, more than an ONNX file can hold"
            )
        try:
            self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except (
            Exception
        ) as exc:  # onnxruntime raises its own exception types for unreadable graphs
            raise ValueError(
                f"{path} is not an ONNX model onnxruntime can run: {str(exc).splitlines()[0]}"
            ) from None
        inputs = self.session.get_inputs()
        if (
            len(inputs) != 1
            or len(inputs[0].shape) != 2
            or not isinstance(inputs[0].shape[1], int)
        ):
            raise ValueError(
                f"{path} must take one input of shape (batch, features), it takes "
                f"{[(i.name, i.shape) for i in inputs]}"
            )
        self.path, self.input_name = path, inputs[0].name
        self.input_dim = int(inputs[0].shape[1])
        self.dtype = np.float64 if inputs[0].type == "tensor(double)" else np.float32
        scores = [
            o
            for o in self.session.get_outputs()
            if o.type in ("tensor(float)", "tensor(double)") and len(o.shape) == 2
        ]
        if not scores or not isinstance(scores[0].shape[1], int):
            raise ValueError(
                f"{path} has no (batch, classes) score output; its outputs: "
                f"{[(o.name, o.shape) for o in self.session.get_outputs()]}"
            )
        self.scores_name, self.num_classes = scores[0].name, int(scores[0].shape[1])
        self.probabilities = scores[0].name != "logits"
        props = self.session.get_modelmeta().custom_metadata_map
        try:
            names = json.loads(props.get("class_names", "null"))
        except json.JSONDecodeError:
            names = None
        self.class_names = (
            [str(n) for n in names]
            if isinstance(names, list) and len(names) == self.num_classes
            else None
        )
        self.estimator_labels = (
            self.class_names if "estimator" in props else None
        )  # what the graph's labels are

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities (N, C) from the graph (a softmax of its logits when it gives logits)."""
        X = np.asarray(X, dtype=self.dtype).reshape(len(X), -1)
        if X.shape[1] != self.input_dim:
            raise ValueError(
                f"{self.path} takes {self.input_dim} features per sample, got {X.shape[1]}"
            )
        (scores,) = self.session.run([self.scores_name], {self.input_name: X})
        if self.probabilities:
            return scores
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The index of the most probable class (N,)."""
        return self.predict_proba(X).argmax(axis=1)
