"""Loss layers as objects: ``forward(scores, y)`` gives the mean loss, ``backward()`` its gradient with respect to
the scores, both from one fcnet.layers kernel (softmax_loss, svm_loss) looked up when called."""

from __future__ import annotations

import numpy as np

from fcnet import layers as L


class _Loss:
    """A loss layer: ``forward(x, y)`` -> scalar loss, ``backward(dout=1)`` -> dx."""

    kernel = "softmax_loss"  # the fcnet.layers kernel, looked up when called

    def __init__(self) -> None:
        self.loss: float | None = None
        self._dx: np.ndarray | None = None

    def forward(
        self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> float:
        """The (weighted) mean loss of scores x (N, C) for labels y; sample_weight (N,) or None."""
        self.loss, self._dx = getattr(L, self.kernel)(x, y, sample_weight)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        if self._dx is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._dx * dout if dout != 1 else self._dx

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxWithLoss(_Loss):
    """Softmax cross-entropy; y as integer labels (N,) or one-hot rows (N, C)."""

    kernel = "softmax_loss"


class SVMLoss(_Loss):
    """Multiclass hinge loss; y as integer labels (N,) or one-hot rows (N, C)."""

    kernel = "svm_loss"
