"""fcnet: fully-connected neural networks from modular NumPy layers."""

__version__ = "0.1.0"

from fcnet.io import load, save  # noqa: E402
from fcnet.models import FullyConnectedNet, TwoLayerNet  # noqa: E402

__all__ = ["FullyConnectedNet", "TwoLayerNet", "load", "save", "__version__"]
