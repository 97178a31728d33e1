"""The book's ``common/multi_layer_net.py``: ``MultiLayerNet``, the fully-connected network with weight decay
(chapter 6): :class:`~fcnet.courses.dlfs.common.multi_layer_net_extend.MultiLayerNetExtend` without dropout or
batch norm, whose ``predict``, ``loss`` take no train_flg."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from fcnet.courses.dlfs.common.multi_layer_net_extend import MultiLayerNetExtend

__all__ = ["MultiLayerNet"]


class MultiLayerNet(MultiLayerNetExtend):
    """{Affine - activation} x len(hidden_size_list) - Affine - SoftmaxWithLoss; see MultiLayerNetExtend."""

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: Any = "relu",
        weight_decay_lambda: float = 0,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size_list,
            output_size,
            activation,
            weight_init_std,
            weight_decay_lambda,
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores (N, C)."""
        return self._predict(x, False)

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """The mean cross-entropy of the scores of x against t (labels or one-hot) plus the weight decay."""
        return super().loss(x, t)

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Every parameter's gradient by centred differences (h = 1e-4) of the loss."""
        return super().numerical_gradient(x, t)
