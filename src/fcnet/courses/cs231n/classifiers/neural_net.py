"""cs231n assignment 1 ``classifiers/neural_net.py``: ``TwoLayerNet(input_size, hidden_size, output_size,
std=1e-4)`` with ``loss(X, y=None, reg=0.0)``, ``train(...)`` and ``predict(X)``; W1 (D, H), W2 (H, C), and the
L2 term ``reg * (sum(W1**2) + sum(W2**2))`` (the course's check: loss 1.30378789133 at reg 0.05)."""

from fcnet.courses._neural_net import AssignmentOneTwoLayerNet

__all__ = ["TwoLayerNet"]


class TwoLayerNet(AssignmentOneTwoLayerNet):
    __doc__ = AssignmentOneTwoLayerNet.__doc__
