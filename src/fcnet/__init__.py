"""fcnet: fully-connected neural networks from modular NumPy layers."""

__version__ = "0.1.0"
