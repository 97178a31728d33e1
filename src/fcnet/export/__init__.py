"""Models that leave fcnet: ONNX graphs, PyTorch modules, safetensors files.

    from fcnet.export import to_onnx, to_torch, from_torch, to_safetensors, from_safetensors
    to_onnx(model, "model.onnx")               # onnxruntime, onnxruntime-web, any ONNX runtime
    torch_model = to_torch(model)              # torch.nn.Sequential returning logits, in eval mode
    to_safetensors(model, "model.safetensors") # weights with PyTorch's key names: to_torch(model).load_state_dict

torch, onnx, onnxruntime, safetensors and skl2onnx are optional (``pip install 'fcnet[export]'``), imported only
when a function needs them. ``register_skl2onnx()`` lets skl2onnx convert a scikit-learn Pipeline that holds an
FCNetClassifier.
"""

from fcnet.export.layer_specs import LayerSpec, inference_layers, network_from_layers
from fcnet.export.onnx_export import build_onnx, to_onnx
from fcnet.export.safetensors_export import from_safetensors, to_safetensors
from fcnet.export.skl2onnx_converter import register_skl2onnx
from fcnet.export.torch_export import from_torch, to_torch

__all__ = [
    "to_onnx",
    "build_onnx",
    "to_torch",
    "from_torch",
    "to_safetensors",
    "from_safetensors",
    "register_skl2onnx",
    "LayerSpec",
    "inference_layers",
    "network_from_layers",
]
