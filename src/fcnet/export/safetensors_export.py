"""fcnet models as safetensors files (weights only, no code, safe to load from anyone) with PyTorch's key names.

The keys are those of the ``torch.nn.Sequential`` that :func:`fcnet.export.to_torch` builds ('1.weight',
'1.bias', '2.running_mean', ...), so ``to_torch(model).load_state_dict(safetensors.torch.load_file(path))`` works;
the header's metadata holds the architecture (activation, normalization, dropout) that weights alone cannot say.
Reading needs only NumPy and the safetensors package, not torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from fcnet.export.layer_specs import (
    BATCHNORM,
    DROPOUT,
    FLATTEN,
    LAYERNORM,
    LINEAR,
    LayerSpec,
    dropout_of,
    metadata,
    network_from_layers,
    torch_sequence,
)

# PyTorch's names of each kind's arrays in a state_dict
_TORCH_KEYS = {
    LINEAR: {"W": "weight", "b": "bias"},
    BATCHNORM: {
        "gamma": "weight",
        "beta": "bias",
        "running_mean": "running_mean",
        "running_var": "running_var",
    },
    LAYERNORM: {"gamma": "weight", "beta": "bias"},
}
MAX_FILE_BYTES = 2**34  # 16 GiB: larger than any network fcnet builds on one machine


def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "safetensors files need the safetensors package: pip install 'fcnet[export]'"
        ) from None
    return safetensors.numpy


def torch_layout(model: Any) -> list[tuple[int, LayerSpec]]:
    """Each inference layer with its index in to_torch's Sequential (layer_specs.torch_sequence)."""
    return [
        (index, spec)
        for index, spec in enumerate(torch_sequence(model))
        if spec.kind not in (FLATTEN, DROPOUT)
    ]


def state_dict(model: Any) -> dict[str, np.ndarray]:
    """The arrays of to_torch(model).state_dict() (num_batches_tracked included), as NumPy arrays."""
    out: dict[str, np.ndarray] = {}
    for index, spec in torch_layout(model):
        for ours, theirs in _TORCH_KEYS.get(spec.kind, {}).items():
            array = spec.arrays[ours].T if ours == "W" else spec.arrays[ours]
            out[f"{index}.{theirs}"] = np.ascontiguousarray(array)
        if spec.kind == BATCHNORM:
            out[f"{index}.num_batches_tracked"] = np.zeros((), dtype=np.int64)
    return out


def to_safetensors(model: Any, path: str | Path) -> Path:
    """Write `model`'s weights to `path` (atomically) with PyTorch's key names and fcnet's metadata."""
    from fcnet.saving import atomic_file

    st = _safetensors_numpy()
    meta = {
        **metadata(model),
        "format": "pt",
        "dropout": repr(dropout_of(model)),
    }
    data = st.save(state_dict(model), metadata=meta)
    path = Path(path)
    with atomic_file(path, "wb") as f:
        f.write(data)
    return path


def _header(path: Path) -> dict[str, Any]:
    """The file's JSON header, read and checked before any tensor is: a safetensors file is 8 bytes of header
    length, the header, then the tensors' bytes."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(
                f"{path} is not a safetensors file: {size} bytes, shorter than its 8-byte header length"
            )
        length = int.from_bytes(head, "little")
        if not 2 <= length <= min(size - 8, 100_000_000):
            raise ValueError(
                f"{path} is not a safetensors file: its header declares {length} bytes, the file has "
                f"{size - 8} after the length"
            )
        try:
            header = json.loads(f.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"{path} is not a safetensors file: its header is not JSON ({exc})"
            ) from None
    if not isinstance(header, dict):
        raise ValueError(
            f"{path} is not a safetensors file: its header is a {type(header).__name__}"
        )
    return header


def from_safetensors(path: str | Path) -> Any:
    """The FullyConnectedNet (in evaluation mode) of a file written by :func:`to_safetensors`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path} has {path.stat().st_size:,} bytes, more than {MAX_FILE_BYTES:,}")
    meta = _header(path).get("__metadata__") or {}
    try:
        config = json.loads(meta["architecture"])
        dropout = float(meta.get("dropout", "0.0"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{path} has no fcnet architecture in its metadata ({type(exc).__name__}: {exc}); it was "
            "not written by fcnet.export.to_safetensors"
        ) from None
    from fcnet.models import FullyConnectedNet

    try:
        template = FullyConnectedNet(**{k: v for k, v in config.items() if k not in ("seed",)})
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{path}: its architecture metadata is not a network fcnet can build ({exc})"
        ) from None
    tensors = _safetensors_numpy().load_file(str(path))
    specs = []
    for index, spec in torch_layout(template):
        arrays = {}
        for ours, theirs in _TORCH_KEYS.get(spec.kind, {}).items():
            key = f"{index}.{theirs}"
            expected = spec.arrays[ours].shape
            if key not in tensors:
                raise ValueError(f"{path} has no tensor {key!r}, which its architecture needs")
            array = tensors[key].T if ours == "W" else tensors[key]
            if array.shape != expected:
                raise ValueError(
                    f"{path}: tensor {key!r} has shape {tensors[key].shape}, its architecture needs "
                    f"{expected[::-1] if ours == 'W' else expected}"
                )
            arrays[ours] = array
        specs.append(LayerSpec(spec.kind, arrays, eps=spec.eps, alpha=spec.alpha))
    return network_from_layers(specs, dropout=dropout, dtype=config.get("dtype"), source=str(path))
