"""What a training run keeps: the model's whole state (parameters and buffers) at its best check so far."""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet import saving


class BestState:
    """Copies of a model's arrays ('param/…', 'buffer/…') with the validation accuracy, the score that ranked
    them (higher is better) and the epoch. val_acc None: the initial state, kept as a fallback, not yet measured."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] | None = None
        self.val_acc: float | None = None
        self.score: float | None = None
        self.epoch = 0

    def keep(self, model: Any, val_acc: float | None, score: float | None, epoch: int) -> None:
        self.arrays = {k: np.array(v, copy=True) for k, v in saving.model_state(model).items()}
        self.val_acc, self.score, self.epoch = val_acc, score, epoch

    def offer(self, model: Any, val_acc: float, score: float, epoch: int) -> bool:
        """Keep the model's current state when `score` beats the kept one's (or none was ranked yet)."""
        if self.score is None or score > self.score:
            self.keep(model, val_acc, score, epoch)
            return True
        return False

    def restore(self, model: Any) -> None:
        if self.arrays is not None:
            saving.load_model_state(model, self.arrays, "the best state")

    def params(self) -> dict[str, np.ndarray]:
        return saving.section(self.arrays or {}, "param/")

    def meta(self) -> dict[str, Any]:
        """The JSON part, for a checkpoint (the arrays go beside it)."""
        return {"best_val_acc": self.val_acc, "best_epoch": self.epoch, "best_score": self.score}

    @classmethod
    def from_checkpoint(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> "BestState":
        best = cls()
        best.arrays = arrays or None
        best.val_acc, best.epoch = meta["best_val_acc"], meta.get("best_epoch", 0)
        best.score = meta.get("best_score", best.val_acc)
        return best
