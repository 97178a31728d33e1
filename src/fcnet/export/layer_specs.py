"""A trained network as the plain list of inference layers every exporter writes (pure NumPy, no optional import).

``inference_layers(model)`` walks a FullyConnectedNet (or TwoLayerNet, or a course's subclass) and returns its
layers in inference form: dropout removed (inverted dropout is the identity at test time), batch norm with its
running statistics, layer norm with its gamma and beta, the L2 term irrelevant. ``network_from_layers`` goes the
other way, for weights that come back from PyTorch or a safetensors file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from fcnet import modules as M
from fcnet._version import __version__

# fcnet's kind of each layer; exporters map them to their own operators
LINEAR, BATCHNORM, LAYERNORM = "linear", "batchnorm", "layernorm"
FLATTEN, DROPOUT = (
    "flatten",
    "dropout",
)  # only in torch_sequence: PyTorch's layers that inference does not need
ACTIVATION_KINDS = ("relu", "leaky_relu", "tanh", "sigmoid")


@dataclass(frozen=True)
class LayerSpec:
    """One inference layer. linear: arrays W (D, M), b (M,); batchnorm: gamma, beta, running_mean, running_var
    (M,) and eps; layernorm: gamma, beta (M,) and eps; an activation: alpha for leaky_relu."""

    kind: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    eps: float = 1e-5
    alpha: float = 0.01
    p: float = 0.0  # a dropout entry's drop probability (torch_sequence only)


def _model_of(model: Any) -> Any:
    """The network inside a fitted FCNetClassifier, or the model itself."""
    inner = getattr(model, "model_", None)
    network = inner if inner is not None else model
    if not isinstance(getattr(network, "layers", None), M.Sequential):
        raise TypeError(
            f"cannot export a {type(model).__name__}: fcnet exports a FullyConnectedNet, a TwoLayerNet "
            "or a fitted FCNetClassifier (fit the estimator first)"
        )
    return network


def inference_layers(model: Any) -> list[LayerSpec]:
    """The model's layers at inference, in order, with copies of their arrays in the model's dtype."""
    network = _model_of(model)
    specs: list[LayerSpec] = []
    for name, layer in network.layers:
        if isinstance(layer, M.Affine):
            specs.append(LayerSpec(LINEAR, {"W": np.array(layer.W), "b": np.array(layer.b)}))
        elif isinstance(layer, M.BatchNorm):
            p = layer.bn_param
            specs.append(
                LayerSpec(
                    BATCHNORM,
                    {
                        "gamma": np.array(layer._param("gamma")),
                        "beta": np.array(layer._param("beta")),
                        "running_mean": np.array(p["running_mean"]),
                        "running_var": np.array(p["running_var"]),
                    },
                    eps=p["eps"],
                )
            )
        elif isinstance(layer, M.LayerNorm):
            specs.append(
                LayerSpec(
                    LAYERNORM,
                    {
                        "gamma": np.array(layer._param("gamma")),
                        "beta": np.array(layer._param("beta")),
                    },
                    eps=layer.ln_param["eps"],
                )
            )
        elif isinstance(layer, M.LeakyReLU):
            specs.append(LayerSpec("leaky_relu", alpha=layer.alpha))
        elif isinstance(layer, (M.ReLU, M.Tanh, M.Sigmoid)):
            specs.append(LayerSpec(type(layer).__name__.lower()))
        elif isinstance(layer, M.Dropout):
            continue  # the identity at inference
        else:
            raise TypeError(
                f"cannot export layer {name!r} ({type(layer).__name__}): fcnet exports Affine, "
                "BatchNorm, LayerNorm, ReLU, LeakyReLU, Tanh, Sigmoid and Dropout layers"
            )
    return specs


def dropout_of(model: Any) -> float:
    """The network's drop probability (0 without dropout)."""
    return float(getattr(_model_of(model), "dropout", 0.0))


def torch_sequence(model: Any) -> list[LayerSpec]:
    """The layers of the PyTorch Sequential that mirrors the model, in order: a flatten first, then the inference
    layers with a dropout after each activation when the model drops units. The one declaration of that layout:
    to_torch builds it, and the safetensors key names ('<index>.weight') are its positions."""
    p = dropout_of(model)
    sequence = [LayerSpec(FLATTEN)]
    for spec in inference_layers(model):
        sequence.append(spec)
        if spec.kind in ACTIVATION_KINDS and p > 0:
            sequence.append(LayerSpec(DROPOUT, p=p))
    return sequence


def class_names(model: Any) -> list[str]:
    """The names of the output classes: a fitted estimator's classes_, else '0', '1', ..."""
    classes = getattr(model, "classes_", None)
    if classes is not None:
        return [str(c) for c in classes]
    return [str(i) for i in range(_model_of(model).num_classes)]


def metadata(model: Any, names: Sequence[str] | None = None) -> dict[str, str]:
    """What an exported file says about where it came from: fcnet's version, the architecture (the model's
    get_config), the class names and the input shape, as strings (ONNX metadata_props, safetensors metadata)."""
    network = _model_of(model)
    estimator = (
        {"estimator": type(model).__name__} if network is not model else {}
    )  # labels are the classes_
    return {
        **estimator,
        "fcnet_version": __version__,
        "model_class": type(network).__name__,
        "architecture": json.dumps(network.get_config(), sort_keys=True),
        "class_names": json.dumps(list(names) if names is not None else class_names(model)),
        "input_shape": json.dumps(["batch", int(network.input_dim)]),
    }


def network_from_layers(
    specs: Sequence[LayerSpec],
    *,
    dropout: float = 0.0,
    dtype: Any = None,
    source: str = "the layers",
) -> Any:
    """A FullyConnectedNet in evaluation mode holding `specs` (linear - [norm] - activation, repeated, then a
    last linear), or a ValueError naming the first layer that does not fit that pattern."""
    from fcnet.models import FullyConnectedNet

    linears = [s for s in specs if s.kind == LINEAR]
    if not linears:
        raise ValueError(f"{source}: no linear layer; a network needs at least one")
    norms = {s.kind for s in specs if s.kind in (BATCHNORM, LAYERNORM)}
    activations = {
        (s.kind, s.alpha if s.kind == "leaky_relu" else None)
        for s in specs
        if s.kind in ACTIVATION_KINDS
    }
    if len(norms) > 1 or len(activations) > 1:
        raise ValueError(
            f"{source}: fcnet's FullyConnectedNet uses one normalization and one activation in every "
            f"hidden layer, got {sorted(norms)} and {sorted(a for a, _ in activations)}"
        )
    normalization = norms.pop() if norms else None
    activation, alpha = activations.pop() if activations else ("relu", None)
    expected = ([LINEAR] + ([normalization] if normalization else []) + [activation]) * (
        len(linears) - 1
    ) + [LINEAR]
    for position, (spec, kind) in enumerate(zip(specs, expected)):
        if spec.kind != kind:
            raise ValueError(
                f"{source}: layer {position} is a {spec.kind} where fcnet's FullyConnectedNet has a "
                f"{kind} (linear - [norm] - activation, repeated, then a linear)"
            )
    if len(specs) != len(expected):
        raise ValueError(
            f"{source}: {len(specs)} layers where a network of {len(linears)} linear layers has "
            f"{len(expected)} (linear - [norm] - activation, repeated, then a linear)"
        )
    dims = [linears[0].arrays["W"].shape[0]] + [s.arrays["W"].shape[1] for s in linears]
    for i, spec in enumerate(linears[1:], 1):
        if spec.arrays["W"].shape[0] != dims[i]:
            raise ValueError(
                f"{source}: linear layer {i + 1} takes {spec.arrays['W'].shape[0]} inputs but the "
                f"layer before gives {dims[i]}"
            )
    eps = {s.eps for s in specs if s.kind in (BATCHNORM, LAYERNORM)}
    if eps and eps != {1e-5}:
        raise ValueError(
            f"{source}: normalization eps {sorted(eps)}; fcnet's FullyConnectedNet uses 1e-5"
        )
    dtype = np.dtype(dtype if dtype is not None else linears[0].arrays["W"].dtype)
    model = FullyConnectedNet(
        dims[1:-1],
        input_dim=dims[0],
        num_classes=dims[-1],
        dropout=dropout,
        normalization=normalization,
        activation=activation,
        alpha=0.01 if alpha is None else alpha,
        dtype=dtype,
    )
    hidden, buffers = 0, {}
    for spec in specs:
        if spec.kind == LINEAR:
            hidden += 1
            model.params[f"W{hidden}"][...] = spec.arrays["W"]
            model.params[f"b{hidden}"][...] = spec.arrays["b"]
        elif spec.kind in (BATCHNORM, LAYERNORM):
            model.params[f"gamma{hidden}"][...] = spec.arrays["gamma"]
            model.params[f"beta{hidden}"][...] = spec.arrays["beta"]
            if spec.kind == BATCHNORM:
                buffers[f"running_mean{hidden}"] = spec.arrays["running_mean"].astype(dtype)
                buffers[f"running_var{hidden}"] = spec.arrays["running_var"].astype(dtype)
    if buffers:
        model.load_buffers(buffers)
    return model.eval()
