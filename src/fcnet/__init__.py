"""fcnet: fully-connected neural networks from modular NumPy layers."""

from fcnet._version import __version__
from fcnet.saving import load, save
from fcnet.models import FullyConnectedNet, TwoLayerNet

__all__ = ["FullyConnectedNet", "TwoLayerNet", "load", "save", "__version__"]
