"""Measurements while training, taken on the current minibatch every K iterations (pure NumPy):

- per activation layer: the mean and standard deviation of its outputs, the fraction of dead units (a ReLU unit at
  zero for the whole batch) or of saturated activations (tanh or sigmoid beyond 0.97 of their range);
- per parameter: its norm, its gradient's norm, and the update-to-weight ratio ||w_after - w_before|| / ||w||
  (cs231n's "babysitting the learning process": near 1e-3 is healthy); batch norm's gamma and beta as their mean.

A record is a plain dict (JSON-able), kept in the Solver's history and its checkpoints.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from fcnet import modules as M

SATURATION = 0.97  # of the activation's range (Glorot & Bengio 2010 watch tanh and sigmoid near their limits)
MEASUREMENTS_PER_EPOCH = 20


def every(iterations_per_epoch: int, per_epoch: int = MEASUREMENTS_PER_EPOCH) -> int:
    """Iterations between two measurements: at most `per_epoch` measurements an epoch (every iteration when an
    epoch is shorter)."""
    return max(1, -(-iterations_per_epoch // per_epoch))


def activation_stats(layer: Any, out: np.ndarray) -> dict[str, float] | None:
    """Mean, std and the fraction of dead units (ReLU) or saturated activations (tanh, sigmoid) of one layer's
    output (N, H); None for a layer that is not an activation."""
    out = out.reshape(out.shape[0], -1)
    stats = {"mean": float(out.mean()), "std": float(out.std())}
    if isinstance(layer, M.ReLU):
        stats["dead"] = float(np.mean(np.all(out <= 0, axis=0)))
    elif isinstance(layer, M.LeakyReLU):
        stats["dead"] = float(
            np.mean(np.all(out <= 0, axis=0))
        )  # leaky units still pass a gradient
    elif isinstance(layer, M.Tanh):
        stats["saturated"] = float(np.mean(np.abs(out) > SATURATION))
    elif isinstance(layer, M.Sigmoid):
        stats["saturated"] = float(np.mean(np.abs(2 * out - 1) > SATURATION))
    else:
        return None
    stats["kind"] = type(layer).__name__
    return stats


def _norm(array: np.ndarray) -> float:
    flat = np.ravel(array)
    return float(np.sqrt(np.dot(flat, flat)))


class TrainingMonitor:
    """Takes the measurements for a Solver: `due(t)` says whether iteration t is measured; around that step,
    `observing(model)` collects the activation statistics and `record(...)` the parameters'."""

    def __init__(self, interval: int) -> None:
        self.interval = max(1, int(interval))
        self._layers: dict[str, dict[str, float]] = {}

    def due(self, t: int) -> bool:
        return t % self.interval == 0

    @contextmanager
    def observing(self, model: Any) -> Iterator[None]:
        """Collect the activation statistics of the model's forward passes in the block."""
        layers = getattr(model, "layers", None)
        if not isinstance(layers, M.Sequential):
            yield
            return
        self._layers = {}

        def observe(name: str, layer: Any, out: np.ndarray) -> None:
            stats = activation_stats(layer, out)
            if stats is not None:
                self._layers[name] = stats

        layers.observer = observe
        try:
            yield
        finally:
            layers.observer = None

    @staticmethod
    def snapshot(params: Any) -> dict[str, np.ndarray]:
        return {name: np.array(value, copy=True) for name, value in params.items()}

    def record(
        self,
        t: int,
        epoch: int,
        loss: float,
        grads: dict[str, np.ndarray],
        before: dict[str, np.ndarray],
        params: Any,
        learning_rate: float | None,
    ) -> dict[str, Any]:
        """The measurements of iteration t: loss, learning rate, layers, and per parameter its norm, gradient norm
        and update-to-weight ratio (gamma and beta also by their mean)."""
        stats = {}
        for name, old in before.items():
            new = np.asarray(params[name])
            norm = _norm(
                old
            )  # in the arrays' own dtype: a float64 copy of every weight would cost 10% of a step
            grad = grads.get(name)
            entry = {
                "norm": norm,
                "grad_norm": _norm(grad) if grad is not None else None,
                "update_ratio": _norm(new - old) / norm if norm > 0 else None,
            }
            if name.startswith(("gamma", "beta")):
                entry["mean"] = float(new.mean())
            stats[name] = entry
        return {
            "iteration": int(t),
            "epoch": int(epoch),
            "loss": float(loss),
            "learning_rate": None if learning_rate is None else float(learning_rate),
            "layers": self._layers,
            "params": stats,
        }
