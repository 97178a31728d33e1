"""The Solver: trains any model that exposes ``params`` and ``loss(X, y)`` (cs231n's interface).

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, seed=0)
    solver.train()

Beyond cs231n: seeded shuffled epochs, learning-rate schedules, early stopping, a per-epoch hook, a stop on
divergence, atomic checkpoints (fcnet's npz format) with exact resume, Ctrl-C handling, history export.
"""

from __future__ import annotations

import csv
import io as _io
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from fcnet import io
from fcnet._checks import check_labels
from fcnet.optim import UPDATE_RULES, get_update_rule
from fcnet.schedules import Exponential, describe, make_schedule

_CS231N_OPTIONS = {
    "update_rule": "sgd", "optim_config": None, "lr_decay": 1.0, "batch_size": 100, "num_epochs": 10,
    "num_train_samples": 1000, "num_val_samples": None, "checkpoint_name": None, "print_every": 10,
    "verbose": True,
}
_FCNET_OPTIONS = {
    "seed": None, "sample_with_replacement": False, "lr_schedule": None, "lr_schedule_options": None,
    "early_stopping_patience": None, "early_stopping_metric": "val_acc", "early_stopping_min_delta": 0.0,
    "epoch_callback": None, "progress": "auto", "resume": None,
}
EARLY_STOPPING_METRICS = ("val_acc", "val_loss")
_EVAL_BATCH = 1000  # samples per forward pass in the accuracy checks


class Solver:
    """Train `model` on `data` with minibatch gradient descent.

    data: dict with 'X_train' (N, d_1, ..., d_k), 'y_train' (N,), 'X_val', 'y_val' (extra keys are ignored).
    Options (cs231n): update_rule (a name in fcnet.optim.UPDATE_RULES or a callable), optim_config (dict given to
    every parameter's rule), lr_decay (per epoch), batch_size, num_epochs, num_train_samples (1000) and
    num_val_samples (None = all) for the per-epoch accuracy checks, checkpoint_name (a checkpoint
    '<checkpoint_name>_epoch_<e>.npz' every epoch), print_every (iterations), verbose.
    Options (fcnet):
      seed: seeds the generator behind batches, accuracy subsamples and dropout masks (runs are reproducible);
      sample_with_replacement: draw each batch independently, as cs231n does (default: shuffled epochs);
      lr_schedule: 'exponential' (= lr_decay), 'step', 'cosine' or 'plateau', with lr_schedule_options;
      early_stopping_patience: stop after this many epochs without improvement of early_stopping_metric
        ('val_acc' or 'val_loss') by more than early_stopping_min_delta;
      epoch_callback: called as callback(solver) after every epoch's check; it may set solver.stop_training;
      progress: 'auto' (a tqdm bar when verbose on a terminal), True or False;
      resume: a checkpoint path to continue from; the run then ends as the uninterrupted one would.
    After train(): loss_history, train_acc_history, val_acc_history, val_loss_history, lr_history, best_val_acc,
    best_params (also restored into the model), stop_reason, events.
    """

    def __init__(self, model: Any, data: dict, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(_CS231N_OPTIONS) - set(_FCNET_OPTIONS)
        if unknown:
            raise ValueError(f"Unrecognized arguments {sorted(unknown)}; known: "
                             f"{sorted(set(_CS231N_OPTIONS) | set(_FCNET_OPTIONS))}")
        options = {**_CS231N_OPTIONS, **_FCNET_OPTIONS, **kwargs}
        self.model = model
        self._set_data(data)
        self._set_options(options)
        self._reset()
        if options["resume"] is not None:
            self.load_checkpoint(options["resume"])

    # ---- configuration -----------------------------------------------------------------------------------------
    def _set_data(self, data: dict) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"data must be a dict, got {type(data).__name__}")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"data is missing {missing}; it needs X_train, y_train, X_val and y_val")
        num_classes = getattr(self.model, "num_classes", None)
        for split in ("train", "val"):
            X, y = np.asarray(data[f"X_{split}"]), np.asarray(data[f"y_{split}"])
            if X.ndim < 2 or X.shape[0] == 0:
                raise ValueError(f"X_{split} must have shape (N, ...) with N >= 1, got {X.shape}")
            if y.shape[:1] != X.shape[:1]:
                raise ValueError(f"X_{split} has {X.shape[0]} samples but y_{split} has "
                                 f"{y.shape[0] if y.ndim else 'no'} labels")
            if num_classes is not None:
                check_labels(f"y_{split}", y, X.shape[0], num_classes)
            if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
                raise ValueError(f"X_{split} holds {int(np.sum(~np.isfinite(X)))} non-finite values (NaN or inf)")
            input_dim = getattr(self.model, "input_dim", None)
            if input_dim is not None and int(np.prod(X.shape[1:])) != input_dim:
                raise ValueError(f"X_{split} has {int(np.prod(X.shape[1:]))} features per sample but the model "
                                 f"expects input_dim={input_dim}")
        self.X_train, self.y_train = data["X_train"], np.asarray(data["y_train"])
        self.X_val, self.y_val = data["X_val"], np.asarray(data["y_val"])

    def _set_options(self, o: dict) -> None:
        self.update_rule = get_update_rule(o["update_rule"])
        self.update_rule_name = o["update_rule"] if isinstance(o["update_rule"], str) else getattr(
            o["update_rule"], "__name__", "custom")
        self.optim_config = dict(o["optim_config"] or {})
        for name in ("batch_size", "num_epochs"):
            value = o[name]
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        self.batch_size, self.num_epochs = int(o["batch_size"]), int(o["num_epochs"])
        self.num_train_samples, self.num_val_samples = o["num_train_samples"], o["num_val_samples"]
        self.checkpoint_name, self.print_every, self.verbose = o["checkpoint_name"], o["print_every"], o["verbose"]
        if int(self.print_every) < 1:
            raise ValueError(f"print_every must be >= 1, got {self.print_every!r}")
        self.lr_decay = float(o["lr_decay"])
        self.seed, self.sample_with_replacement = o["seed"], bool(o["sample_with_replacement"])
        if o["lr_schedule"] is None:
            self.schedule = Exponential(self.lr_decay)
        else:
            if self.lr_decay != 1.0 and o["lr_schedule"] != "exponential":
                raise ValueError(f"lr_decay={self.lr_decay} and lr_schedule={o['lr_schedule']!r} conflict; give one")
            options = dict(o["lr_schedule_options"] or {})
            if o["lr_schedule"] == "exponential":
                options.setdefault("decay", self.lr_decay)
            self.schedule = make_schedule(o["lr_schedule"], **options)
        if o["early_stopping_metric"] not in EARLY_STOPPING_METRICS:
            raise ValueError(f"early_stopping_metric must be one of {list(EARLY_STOPPING_METRICS)}, "
                             f"got {o['early_stopping_metric']!r}")
        patience = o["early_stopping_patience"]
        if patience is not None and (not isinstance(patience, (int, np.integer)) or patience < 1):
            raise ValueError(f"early_stopping_patience must be an integer >= 1 or None, got {patience!r}")
        self.early_stopping_patience, self.early_stopping_metric = patience, o["early_stopping_metric"]
        self.early_stopping_min_delta = float(o["early_stopping_min_delta"])
        self.track_val_loss = hasattr(self.model, "evaluate")
        if self.early_stopping_metric == "val_loss" and patience is not None and not self.track_val_loss:
            raise ValueError("early_stopping_metric='val_loss' needs a model with an evaluate(X, y) method")
        self.epoch_callback: Callable | None = o["epoch_callback"]
        self.progress = o["progress"]

    def _reset(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        if hasattr(self.model, "set_rng"):
            self.model.set_rng(self._rng)
        self.epoch = 0
        self.t = 0
        self.best_val_acc = 0.0
        self.best_params: dict[str, np.ndarray] = {}
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.val_loss_history: list[float] = []
        self.lr_history: list[float] = []
        self.events: list[dict] = []
        self.stop_reason: str | None = None
        self.stop_training = False
        self._order: np.ndarray | None = None
        self.base_learning_rate = self.optim_config.get("learning_rate")
        if self.base_learning_rate is None:
            # the rule's own default, read off one call on a dummy parameter (None for a rule without one)
            self.base_learning_rate = self.update_rule(np.zeros(1), np.zeros(1), {})[1].get("learning_rate")
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}
        self._set_learning_rate(self.base_learning_rate)
        self.timings = {"loss": 0.0, "update": 0.0, "total": 0.0}

    def _set_learning_rate(self, lr: float | None) -> None:
        if lr is None:  # a custom rule that has no learning rate: nothing to schedule
            return
        for config in self.optim_configs.values():
            config["learning_rate"] = lr

    @property
    def iterations_per_epoch(self) -> int:
        return max(len(self.y_train) // self.batch_size, 1)

    @property
    def num_iterations(self) -> int:
        return self.num_epochs * self.iterations_per_epoch

    # ---- training ----------------------------------------------------------------------------------------------
    def _next_batch(self) -> np.ndarray:
        n = len(self.y_train)
        size = min(self.batch_size, n)
        if self.sample_with_replacement:
            return self._rng.choice(n, size)
        position = self.t % self.iterations_per_epoch
        if position == 0 or self._order is None:
            self._order = self._rng.permutation(n)
        return self._order[position * size:(position + 1) * size]

    def _step(self) -> bool:
        """One minibatch update. Returns False (and updates nothing) when the loss is not finite."""
        idx = self._next_batch()
        start = time.perf_counter()
        loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
        middle = time.perf_counter()
        self.loss_history.append(float(loss))
        if not math.isfinite(loss):
            return False
        for name, w in self.model.params.items():
            next_w, self.optim_configs[name] = self.update_rule(w, grads[name], self.optim_configs[name])
            w[...] = next_w  # in place: layers that hold the array itself see the update too
        self.timings["loss"] += middle - start
        self.timings["update"] += time.perf_counter() - middle
        return True

    def train(self) -> "Solver":
        """Run the optimization until num_epochs, early stopping, divergence or Ctrl-C; then restore the best
        parameters into the model."""
        start = time.perf_counter()
        bar = self._make_bar()
        try:
            while self.t < self.num_iterations and not self.stop_training:
                if not self._step():
                    self._diverged()
                    break
                self.t += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{self.loss_history[-1]:.4f}", refresh=False)
                if self.verbose and (self.t - 1) % self.print_every == 0:
                    self._print(f"(Iteration {self.t} / {self.num_iterations}) loss: {self.loss_history[-1]:f}", bar)
                epoch_end = self.t % self.iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                if self.t == 1 or epoch_end:
                    self._end_of_epoch_check(bar)
                if epoch_end and self.checkpoint_name:
                    self.save_checkpoint(f"{self.checkpoint_name}_epoch_{self.epoch}.npz")
            if self.stop_reason is None:
                self.stop_reason = "early_stopping" if self.stop_training else "completed"
        except KeyboardInterrupt:
            self.stop_reason = "interrupted"
            self.events.append({"event": "interrupted", "iteration": self.t, "epoch": self.epoch})
            if self.checkpoint_name:
                path = self.save_checkpoint(f"{self.checkpoint_name}_interrupted.npz")
                self._print(f"Interrupted: checkpoint saved to {path}", bar, force=True)
            else:
                self._print("Interrupted: keeping the best parameters so far", bar, force=True)
        finally:
            if bar is not None:
                bar.close()
            self.timings["total"] += time.perf_counter() - start
            self._restore_best()
        return self

    def _diverged(self) -> None:
        loss = self.loss_history[-1]
        lr = self._current_learning_rate()
        self.stop_reason = "diverged"
        self.events.append({"event": "diverged", "iteration": self.t + 1, "epoch": self.epoch, "loss": str(loss),
                            "learning_rate": lr})
        advice = ("The learning rate is probably too high: try a lower one" if lr is None else
                  f"The learning rate ({lr:g}) is probably too high: try a lower one, such as {lr / 10:g}")
        print(f"Training stopped at iteration {self.t + 1} (epoch {self.epoch}): the loss is {loss}. {advice}. "
              "The best parameters so far are kept.", file=sys.stderr)

    def _current_learning_rate(self) -> float | None:
        return next(iter(self.optim_configs.values()), {}).get("learning_rate")

    def _end_of_epoch_check(self, bar) -> None:
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples, _EVAL_BATCH)
        if self.track_val_loss:  # accuracy and loss from one pass
            X_val, y_val = self._subsample(self.X_val, self.y_val, self.num_val_samples)
            val_acc, val_loss = self.model.evaluate(X_val, y_val, _EVAL_BATCH)
            self.val_loss_history.append(float(val_loss))
        else:
            val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples, _EVAL_BATCH)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        line = f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}"
        self.lr_history.append(self._current_learning_rate())
        if self.verbose:
            self._print(line, bar)
        if not self.best_params or val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: np.array(v, copy=True) for k, v in self.model.params.items()}
        if self.epoch_callback is not None:
            self.epoch_callback(self)
        if self._no_improvement_for_patience():
            self.stop_training = True
            self.events.append({"event": "early_stopping", "iteration": self.t, "epoch": self.epoch})
            if self.verbose:
                self._print(f"Early stopping: no improvement of {self.early_stopping_metric} for "
                            f"{self.early_stopping_patience} epochs", bar)
        # the factor for the next epoch, from the epoch reached and the validation accuracy so far
        if self.base_learning_rate is not None:
            factor = self.schedule.factor(self.epoch, self.num_epochs, self.val_acc_history)
            self._set_learning_rate(self.base_learning_rate * factor)

    def _no_improvement_for_patience(self) -> bool:
        if self.early_stopping_patience is None:
            return False
        history = self.val_acc_history if self.early_stopping_metric == "val_acc" else [
            -v for v in self.val_loss_history]
        best_at = 0
        for i, value in enumerate(history):
            if value > history[best_at] + self.early_stopping_min_delta:
                best_at = i
        return len(history) - 1 - best_at >= self.early_stopping_patience

    def _restore_best(self) -> None:
        for name, value in self.best_params.items():
            self.model.params[name][...] = value

    def check_accuracy(self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None,
                       batch_size: int = 100) -> float:
        """Accuracy of the model on (X, y), on a random subsample of `num_samples` when given."""
        X, y = self._subsample(X, y, num_samples)
        n = len(y)
        if y.ndim == 2:
            y = y.argmax(axis=1)
        correct = 0
        for start in range(0, n, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
        return correct / n

    def _subsample(self, X: np.ndarray, y: np.ndarray, num_samples: int | None):
        if num_samples is not None and len(y) > num_samples:
            mask = self._rng.choice(len(y), num_samples)
            return X[mask], y[mask]
        return X, y

    # ---- output ------------------------------------------------------------------------------------------------
    def _make_bar(self):
        use_bar = self.progress is True or (self.progress == "auto" and self.verbose and sys.stdout.isatty())
        if not use_bar:
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None
        return tqdm(total=self.num_iterations, initial=self.t, unit="it", leave=True)

    def _print(self, line: str, bar, force: bool = False) -> None:
        if bar is not None:
            bar.write(line)
        elif self.verbose or force:
            print(line, flush=True)

    @property
    def history(self) -> dict[str, Any]:
        """Everything recorded, as plain lists (JSON-able)."""
        return {
            "loss_history": self.loss_history, "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history, "val_loss_history": self.val_loss_history,
            "lr_history": self.lr_history, "best_val_acc": self.best_val_acc, "epoch": self.epoch,
            "iteration": self.t, "stop_reason": self.stop_reason, "events": self.events,
        }

    def epoch_rows(self) -> list[dict[str, Any]]:
        """One row per accuracy check: epoch, train_acc, val_acc, val_loss (if tracked), learning rate, and the
        mean training loss of the iterations since the previous check."""
        rows = []
        per_epoch = self.iterations_per_epoch
        for epoch, (train_acc, val_acc) in enumerate(zip(self.train_acc_history, self.val_acc_history)):
            losses = self.loss_history[:1] if epoch == 0 else self.loss_history[(epoch - 1) * per_epoch:
                                                                                 epoch * per_epoch]
            row = {"epoch": epoch, "train_loss": float(np.mean(losses)) if losses else float("nan"),
                   "train_acc": train_acc, "val_acc": val_acc}
            if self.val_loss_history:
                row["val_loss"] = self.val_loss_history[epoch]
            row["learning_rate"] = self.lr_history[epoch]
            rows.append(row)
        return rows

    def save_history(self, path: str | Path) -> Path:
        """Write the history: '.json' (everything) or '.csv' (one row per epoch), atomically."""
        path = Path(path)
        if path.suffix == ".json":
            return io.write_text(path, json.dumps(self.history, indent=1))
        if path.suffix == ".csv":
            rows = self.epoch_rows()
            buffer = _io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["epoch"])
            writer.writeheader()
            writer.writerows(rows)
            return io.write_text(path, buffer.getvalue())
        raise ValueError(f"path must end in .json or .csv, got {path.name!r}")

    # ---- checkpoints -------------------------------------------------------------------------------------------
    def save_checkpoint(self, path: str | Path) -> Path:
        """Write everything needed to resume exactly: parameters, buffers, optimizer state, histories, best
        parameters, generator state, position in the epoch."""
        arrays = io.model_state(self.model)
        arrays.update({f"best/{k}": v for k, v in self.best_params.items()})
        optim_scalars: dict[str, dict] = {}
        for name, config in self.optim_configs.items():
            optim_scalars[name] = {}
            for key, value in config.items():
                if isinstance(value, np.ndarray):
                    arrays[f"optim/{name}/{key}"] = value
                else:
                    optim_scalars[name][key] = value
        for key in ("loss_history", "train_acc_history", "val_acc_history", "val_loss_history", "lr_history"):
            arrays[f"history/{key}"] = np.asarray(getattr(self, key), dtype=np.float64)
        if self._order is not None:
            arrays["order"] = self._order
        meta = {
            "kind": "checkpoint",
            "model_class": type(self.model).__name__,
            "model_config": self.model.get_config() if hasattr(self.model, "get_config") else None,
            "update_rule": self.update_rule_name, "batch_size": self.batch_size, "num_epochs": self.num_epochs,
            "schedule": describe(self.schedule), "base_learning_rate": self.base_learning_rate,
            "optim_scalars": optim_scalars, "epoch": self.epoch, "t": self.t, "best_val_acc": self.best_val_acc,
            "rng_state": self._rng.bit_generator.state, "events": self.events, "stop_reason": self.stop_reason,
        }
        return io.write_npz(path, arrays, meta)

    def load_checkpoint(self, path: str | Path) -> None:
        """Continue from a checkpoint written by :meth:`save_checkpoint` for the same architecture."""
        arrays, meta = io.read_npz(path, "checkpoint")
        ours = _architecture(self.model.get_config() if hasattr(self.model, "get_config") else None)
        theirs = _architecture(meta.get("model_config"))
        if meta.get("model_class") != type(self.model).__name__ or theirs != ours:
            raise ValueError(f"{path} is a checkpoint of a {meta.get('model_class')} {theirs}, "
                             f"not of this {type(self.model).__name__} {ours}")
        io.load_model_state(self.model, arrays, str(path))
        self.best_params = {k[len("best/"):]: v for k, v in arrays.items() if k.startswith("best/")}
        self.optim_configs = {}
        for name, scalars in meta["optim_scalars"].items():
            config = dict(scalars)
            prefix = f"optim/{name}/"
            config.update({k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)})
            self.optim_configs[name] = config
        for key in ("loss_history", "train_acc_history", "val_acc_history", "val_loss_history", "lr_history"):
            setattr(self, key, arrays[f"history/{key}"].tolist())
        self._order = arrays.get("order")
        self.epoch, self.t, self.best_val_acc = meta["epoch"], meta["t"], meta["best_val_acc"]
        self.base_learning_rate = meta["base_learning_rate"]
        self.events = list(meta["events"])
        self._rng.bit_generator.state = meta["rng_state"]


def _architecture(config: dict | None) -> dict | None:
    """What must agree between a checkpoint and the model resuming it (not the seed or the initial scale)."""
    if config is None:
        return None
    return {k: v for k, v in config.items() if k not in ("seed", "weight_scale", "reg")}


__all__ = ["Solver", "UPDATE_RULES"]
