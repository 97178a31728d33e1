"""What a training run records, and its export to CSV and JSON.

The Solver appends one training loss per iteration and, at every accuracy check (after the first iteration and at
the end of each epoch), the train and validation accuracy, the validation loss (when the model can compute it) and
the learning rate in force for the next epoch.
"""

from __future__ import annotations

import csv
import io as _io
import json
from pathlib import Path
from typing import Any

import numpy as np

from fcnet import saving

SERIES = ("loss_history", "train_acc_history", "val_acc_history", "val_loss_history", "lr_history")


class History:
    """Lists of floats named as cs231n names them (``loss_history``, ``train_acc_history``, ``val_acc_history``)
    plus ``val_loss_history`` and ``lr_history``, and ``events`` (early stopping, divergence, interruption)."""

    def __init__(self) -> None:
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.val_loss_history: list[float] = []
        self.lr_history: list[float | None] = []
        self.events: list[dict[str, Any]] = []
        self.diagnostics: list[
            dict[str, Any]
        ] = []  # fcnet.diagnostics.monitor's records, when measured

    def record_check(
        self, train_acc: float, val_acc: float, val_loss: float | None, learning_rate: float | None
    ) -> None:
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_loss is not None:
            self.val_loss_history.append(val_loss)
        self.lr_history.append(learning_rate)

    def checks_since_best(self, metric: str, min_delta: float = 0.0) -> int:
        """How many checks ago `metric` ('val_acc', or 'val_loss' where lower is better) last improved by more
        than `min_delta` on its best value before."""
        values = (
            self.val_acc_history if metric == "val_acc" else [-v for v in self.val_loss_history]
        )
        best_at = 0
        for i, value in enumerate(values):
            if value > values[best_at] + min_delta:
                best_at = i
        return max(len(values) - 1 - best_at, 0)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every series as a float64 array (None as NaN), for a checkpoint."""
        return {
            name: np.asarray(
                [np.nan if v is None else v for v in getattr(self, name)], dtype=np.float64
            )
            for name in SERIES
        }

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, np.ndarray],
        events: list[dict[str, Any]],
        diagnostics: list[dict[str, Any]] | None = None,
    ) -> "History":
        history = cls()
        for name in SERIES:
            setattr(history, name, np.asarray(arrays[name], dtype=np.float64).tolist())
        history.events = list(events)
        if diagnostics is not None and not (
            isinstance(diagnostics, list) and all(isinstance(d, dict) for d in diagnostics)
        ):
            raise TypeError(
                f"diagnostics must be a list of records, got {type(diagnostics).__name__}"
            )
        history.diagnostics = list(diagnostics or [])
        return history

    def to_dict(self) -> dict[str, Any]:
        """Every series and the events, as plain lists (JSON-able)."""
        return {
            **{name: list(getattr(self, name)) for name in SERIES},
            "events": list(self.events),
            "diagnostics": list(self.diagnostics),
        }

    def epoch_rows(self, iterations_per_epoch: int) -> list[dict[str, Any]]:
        """One row per accuracy check: epoch, mean training loss of the iterations since the previous check,
        train_acc, val_acc, val_loss (when tracked), learning_rate."""
        rows = []
        for epoch, (train_acc, val_acc) in enumerate(
            zip(self.train_acc_history, self.val_acc_history)
        ):
            losses = (
                self.loss_history[:1]
                if epoch == 0
                else self.loss_history[
                    (epoch - 1) * iterations_per_epoch : epoch * iterations_per_epoch
                ]
            )
            row = {
                "epoch": epoch,
                "train_loss": float(np.mean(losses)) if losses else float("nan"),
                "train_acc": train_acc,
                "val_acc": val_acc,
            }
            if epoch < len(self.val_loss_history):
                row["val_loss"] = self.val_loss_history[epoch]
            row["learning_rate"] = self.lr_history[epoch]
            rows.append(row)
        return rows

    def save_diagnostics(self, path: str | Path) -> Path:
        """The measurements as CSV, one row per value: iteration, epoch, name (a layer or parameter), statistic,
        value (atomically)."""
        buffer = _io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["iteration", "epoch", "name", "statistic", "value"])
        for record in self.diagnostics:
            head = [record["iteration"], record["epoch"]]
            writer.writerow([*head, "", "loss", record["loss"]])
            for group in ("layers", "params"):
                for name, stats in record[group].items():
                    writer.writerows(
                        [*head, name, key, value] for key, value in stats.items() if key != "kind"
                    )
        return saving.write_text(Path(path), buffer.getvalue())

    def save(
        self, path: str | Path, iterations_per_epoch: int, summary: dict[str, Any] | None = None
    ) -> Path:
        """Write '.json' (every series, the events and `summary`) or '.csv' (one row per check), atomically."""
        path = Path(path)
        if path.suffix == ".json":
            return saving.write_text(
                path, json.dumps({**self.to_dict(), **(summary or {})}, indent=1)
            )
        if path.suffix == ".csv":
            rows = self.epoch_rows(iterations_per_epoch)
            buffer = _io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["epoch"])
            writer.writeheader()
            writer.writerows(rows)
            return saving.write_text(path, buffer.getvalue())
        raise ValueError(f"path must end in .json or .csv, got {path.name!r}")
