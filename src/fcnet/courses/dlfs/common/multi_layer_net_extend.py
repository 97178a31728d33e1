"""The book's ``common/multi_layer_net_extend.py``: ``MultiLayerNetExtend``, the fully-connected network with
weight decay, dropout and batch normalization (chapter 6)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

import numpy as np

from fcnet.courses.dlfs.common.gradient import numerical_gradient
from fcnet.courses.dlfs.common.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)

__all__ = ["MultiLayerNetExtend"]

ACTIVATIONS = {"sigmoid": Sigmoid, "relu": Relu}


def weight_scale(weight_init_std: Any, fan_in: int) -> float:
    """The book's initial scale: 'relu'/'he' -> sqrt(2 / fan_in) (He), 'sigmoid'/'xavier' -> sqrt(1 / fan_in)
    (Xavier), else the number given."""
    name = str(weight_init_std).lower()
    if name in ("relu", "he"):
        return np.sqrt(2.0 / fan_in)
    if name in ("sigmoid", "xavier"):
        return np.sqrt(1.0 / fan_in)
    return weight_init_std


class MultiLayerNetExtend:
    """{Affine - [BatchNorm] - activation - [Dropout]} x len(hidden_size_list) - Affine - SoftmaxWithLoss.

    input_size: D; hidden_size_list: the hidden widths; output_size: C; activation: 'relu' or 'sigmoid';
    weight_init_std: a number, 'relu'/'he' or 'sigmoid'/'xavier'; weight_decay_lambda: the L2 term
    ``0.5 * lambda * sum(W**2)`` over every W; use_dropout, dropout_ration (the book's spelling): the book's
    non-inverted dropout; use_batchnorm. Weights are ``scale * np.random.randn(fan_in, fan_out)``, W1 first,
    from NumPy's global generator; ``params`` holds W1, b1, ..., then gamma1, beta1, ... for batch norm.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: Any = "relu",
        weight_decay_lambda: float = 0,
        use_dropout: bool = False,
        dropout_ration: float = 0.5,
        use_batchnorm: bool = False,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        self.input_size, self.output_size = input_size, output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.use_dropout, self.use_batchnorm = use_dropout, use_batchnorm
        self.params: dict[str, np.ndarray] = {}
        sizes = [input_size, *self.hidden_size_list, output_size]
        for idx in range(1, len(sizes)):
            scale = weight_scale(weight_init_std, sizes[idx - 1])
            self.params[f"W{idx}"] = scale * np.random.randn(sizes[idx - 1], sizes[idx])
            self.params[f"b{idx}"] = np.zeros(sizes[idx])
        self.layers: OrderedDict[str, Any] = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"])
            if use_batchnorm:
                self.params[f"gamma{idx}"] = np.ones(sizes[idx])
                self.params[f"beta{idx}"] = np.zeros(sizes[idx])
                self.layers[f"BatchNorm{idx}"] = BatchNormalization(
                    self.params[f"gamma{idx}"], self.params[f"beta{idx}"]
                )
            self.layers[f"Activation_function{idx}"] = ACTIVATIONS[activation]()
            if use_dropout:
                self.layers[f"Dropout{idx}"] = Dropout(dropout_ration)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (N, C); dropout and batch norm in training mode when train_flg."""
        return self._predict(x, train_flg)

    def _predict(self, x: np.ndarray, train_flg: bool) -> np.ndarray:
        for key, layer in self.layers.items():
            x = (
                layer.forward(x, train_flg)
                if ("Dropout" in key or "BatchNorm" in key)
                else layer.forward(x)
            )
        return x

    def _weight_decay(self) -> float:
        return sum(
            0.5 * self.weight_decay_lambda * np.sum(self.params[f"W{idx}"] ** 2)
            for idx in range(1, self.hidden_layer_num + 2)
        )

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """The mean cross-entropy of the scores of x against t (labels or one-hot) plus the weight decay."""
        return self.last_layer.forward(self._predict(x, train_flg), t) + self._weight_decay()

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """The fraction of x whose highest score is its label (t labels or one-hot rows)."""
        y = np.argmax(self._predict(x, False), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def _keys(self) -> list[str]:
        keys = []
        for idx in range(1, self.hidden_layer_num + 2):
            keys += [f"W{idx}", f"b{idx}"]
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                keys += [f"gamma{idx}", f"beta{idx}"]
        return keys

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Every parameter's gradient by centred differences (h = 1e-4) of the training-mode loss."""

        def loss_w(_):
            return MultiLayerNetExtend.loss(self, x, t, train_flg=True)

        return {key: numerical_gradient(loss_w, self.params[key]) for key in self._keys()}

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Every parameter's gradient by backpropagation (training mode), weight decay included."""
        MultiLayerNetExtend.loss(self, x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{idx}"]
            grads[f"W{idx}"] = affine.dW + self.weight_decay_lambda * self.params[f"W{idx}"]
            grads[f"b{idx}"] = affine.db
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                grads[f"gamma{idx}"] = self.layers[f"BatchNorm{idx}"].dgamma
                grads[f"beta{idx}"] = self.layers[f"BatchNorm{idx}"].dbeta
        return grads
