"""cs231n 2017 assignment 1 ``classifiers/neural_net.py``: as :mod:`fcnet.courses.cs231n.classifiers.neural_net`."""

from fcnet.courses.cs231n.classifiers.neural_net import TwoLayerNet

__all__ = ["TwoLayerNet"]
