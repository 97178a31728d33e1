"""One exported file per format, for ``fcnet export``: what each format writes and how a user loads it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FORMATS = {
    "onnx": ".onnx",  # onnxruntime.InferenceSession(path); fcnet predict/evaluate take it too
    "torch": ".pt2",  # torch.export.load(path).module(): a PyTorch program, no pickled classes
    "safetensors": ".safetensors",  # fcnet.export.from_safetensors(path), or load_state_dict on to_torch's module
}


def export_model(
    model: Any, fmt: str, out: str | Path, *, opset: int = 17, probabilities: bool = True
) -> Path:
    """Write `model` (a FullyConnectedNet, TwoLayerNet or fitted FCNetClassifier) as `fmt` at `out`, atomically;
    the suffix must be the format's."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {list(FORMATS)}, got {fmt!r}")
    out = Path(out)
    if out.suffix != FORMATS[fmt]:
        raise ValueError(f"--out {out} must end in {FORMATS[fmt]} for format {fmt}")
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory; give a file name ending in {FORMATS[fmt]}")
    if fmt == "onnx":
        from fcnet.export.onnx_export import to_onnx

        return to_onnx(model, out, opset=opset, probabilities=probabilities)
    if fmt == "safetensors":
        from fcnet.export.safetensors_export import to_safetensors

        return to_safetensors(model, out)
    return _save_torch_program(model, out)


def _save_torch_program(model: Any, out: Path) -> Path:
    """torch.export's program of to_torch(model), with a dynamic batch dimension, written atomically."""
    from fcnet.export.torch_export import _torch, to_torch
    from fcnet.saving import atomic_file

    torch = _torch()
    module = to_torch(model)
    first = module[1]
    example = torch.zeros(2, first.in_features, dtype=first.weight.dtype)
    program = torch.export.export(
        module, (example,), dynamic_shapes=({0: torch.export.Dim("batch", min=1)},)
    )
    with atomic_file(out, "wb") as f:
        torch.export.save(program, f)
    return out
