"""The book's ``ch05/two_layer_net.py``: ``TwoLayerNet(input_size, hidden_size, output_size,
weight_init_std=0.01)``, Affine - Relu - Affine - SoftmaxWithLoss built from layers, with ``predict``, ``loss``,
``accuracy``, ``numerical_gradient`` and ``gradient`` (backpropagation)."""

from __future__ import annotations

from collections import OrderedDict

from fcnet.courses.dlfs.common.multi_layer_net import MultiLayerNet

__all__ = ["TwoLayerNet"]


class TwoLayerNet(MultiLayerNet):
    """W1 (input_size, hidden_size), W2 (hidden_size, output_size) as ``weight_init_std * np.random.randn``
    (W1 first, NumPy's global generator), biases zero; layers 'Affine1', 'Relu1', 'Affine2'; ``lastLayer``."""

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01
    ) -> None:
        super().__init__(
            input_size,
            [hidden_size],
            output_size,
            activation="relu",
            weight_init_std=weight_init_std,
        )
        self.layers = OrderedDict(
            (("Relu1" if key.startswith("Activation") else key), layer)
            for key, layer in self.layers.items()
        )
        self.lastLayer = self.last_layer
