"""daseCV ``classifiers/neural_net.py``: cs231n assignment 1's TwoLayerNet (W1 (D, H), ``reg * sum(W**2)``)."""

from fcnet.courses.cs231n.classifiers.neural_net import TwoLayerNet

__all__ = ["TwoLayerNet"]
