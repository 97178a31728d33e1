"""fcnet models as PyTorch modules and back.

``to_torch(model)`` gives a ``torch.nn.Sequential`` that returns logits, as PyTorch models do: Flatten, then for
each hidden layer Linear (fcnet's W transposed), BatchNorm1d (running statistics; num_batches_tracked 0) or
LayerNorm, the activation, Dropout (fcnet's drop probability), and a last Linear; in eval mode, in the model's
dtype. ``from_torch(module)`` takes such a Sequential back into a FullyConnectedNet.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet.export.layer_specs import (
    BATCHNORM,
    DROPOUT,
    FLATTEN,
    LAYERNORM,
    LINEAR,
    LayerSpec,
    network_from_layers,
    torch_sequence,
)


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError(
            "exporting to PyTorch needs torch: pip install torch (CPU) or 'fcnet[export]'"
        ) from None
    return torch


def to_torch(model: Any) -> Any:
    """A torch.nn.Sequential computing `model`'s scores (logits) in eval mode, with copies of its arrays."""
    torch = _torch()
    nn = torch.nn
    sequence = torch_sequence(model)
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[
        sequence[1].arrays["W"].dtype
    ]

    def tensor(array: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(array)).to(dtype)

    layers: list[Any] = []
    for spec in sequence:
        if spec.kind == FLATTEN:
            layer = nn.Flatten()
        elif spec.kind == DROPOUT:
            layer = nn.Dropout(spec.p)
        elif spec.kind == LINEAR:
            W = spec.arrays["W"]
            layer = nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
            with torch.no_grad():
                layer.weight.copy_(tensor(W.T))
                layer.bias.copy_(tensor(spec.arrays["b"]))
        elif spec.kind == BATCHNORM:
            layer = nn.BatchNorm1d(
                len(spec.arrays["gamma"]), eps=spec.eps, momentum=0.1, dtype=dtype
            )
            with torch.no_grad():
                layer.weight.copy_(tensor(spec.arrays["gamma"]))
                layer.bias.copy_(tensor(spec.arrays["beta"]))
                layer.running_mean.copy_(tensor(spec.arrays["running_mean"]))
                layer.running_var.copy_(tensor(spec.arrays["running_var"]))
                # stays 0: fcnet's running averages use a fixed momentum (PyTorch's momentum=0.1 is cs231n's
                # 0.9) and do not count batches; PyTorch reads the count only when momentum=None
        elif spec.kind == LAYERNORM:
            layer = nn.LayerNorm(len(spec.arrays["gamma"]), eps=spec.eps, dtype=dtype)
            with torch.no_grad():
                layer.weight.copy_(tensor(spec.arrays["gamma"]))
                layer.bias.copy_(tensor(spec.arrays["beta"]))
        elif spec.kind == "leaky_relu":
            layer = nn.LeakyReLU(spec.alpha)
        else:
            layer = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[spec.kind]()
        layers.append(layer)
    return nn.Sequential(*layers).eval()


def from_torch(module: Any, *, dtype: Any = None) -> Any:
    """A FullyConnectedNet (in evaluation mode) equal to `module`: a torch.nn.Sequential of Flatten, Linear,
    BatchNorm1d, LayerNorm, ReLU, LeakyReLU, Tanh, Sigmoid, Dropout and Identity layers in fcnet's pattern
    (linear - [norm] - activation - [dropout], repeated, then a linear). A ValueError names the first layer it
    cannot take."""
    torch = _torch()
    nn = torch.nn
    if not isinstance(module, nn.Sequential):
        raise TypeError(f"from_torch takes a torch.nn.Sequential, got {type(module).__name__}")

    def array(t: Any) -> np.ndarray:
        return t.detach().cpu().numpy().copy()

    specs: list[LayerSpec] = []
    dropouts: set[float] = set()
    for index, (name, layer) in enumerate(module.named_children()):
        where = f"layer {name} ({type(layer).__name__})"
        if isinstance(layer, (nn.Flatten, nn.Identity)):
            if isinstance(layer, nn.Flatten) and specs:
                raise ValueError(
                    f"from_torch: {where} flattens after the first layer; fcnet flattens only inputs"
                )
            continue
        if isinstance(layer, nn.Linear):
            if layer.bias is None:
                raise ValueError(
                    f"from_torch: {where} has no bias; fcnet's affine layers have one"
                )
            specs.append(
                LayerSpec(LINEAR, {"W": array(layer.weight).T.copy(), "b": array(layer.bias)})
            )
        elif isinstance(layer, nn.BatchNorm1d):
            if not (layer.affine and layer.track_running_stats):
                raise ValueError(
                    f"from_torch: {where} needs affine=True and track_running_stats=True"
                )
            specs.append(
                LayerSpec(
                    BATCHNORM,
                    {
                        "gamma": array(layer.weight),
                        "beta": array(layer.bias),
                        "running_mean": array(layer.running_mean),
                        "running_var": array(layer.running_var),
                    },
                    eps=float(layer.eps),
                )
            )
        elif isinstance(layer, nn.LayerNorm):
            if (
                len(layer.normalized_shape) != 1
                or not layer.elementwise_affine
                or layer.bias is None
            ):
                raise ValueError(
                    f"from_torch: {where} must normalize the last dimension with a weight and a bias"
                )
            specs.append(
                LayerSpec(
                    LAYERNORM,
                    {"gamma": array(layer.weight), "beta": array(layer.bias)},
                    eps=float(layer.eps),
                )
            )
        elif isinstance(layer, nn.LeakyReLU):
            specs.append(LayerSpec("leaky_relu", alpha=float(layer.negative_slope)))
        elif isinstance(layer, (nn.ReLU, nn.Tanh, nn.Sigmoid)):
            specs.append(LayerSpec(type(layer).__name__.lower()))
        elif isinstance(layer, nn.Dropout):
            dropouts.add(float(layer.p))
        else:
            raise ValueError(
                f"from_torch: cannot take {where} (position {index}): fcnet's FullyConnectedNet is "
                "built of Linear, BatchNorm1d, LayerNorm, ReLU, LeakyReLU, Tanh, Sigmoid and Dropout"
            )
    if len(dropouts) > 1:
        raise ValueError(
            f"from_torch: dropout probabilities {sorted(dropouts)}; fcnet uses one for every layer"
        )
    return network_from_layers(
        specs, dropout=dropouts.pop() if dropouts else 0.0, dtype=dtype, source="from_torch"
    )
