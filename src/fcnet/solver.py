"""The Solver: trains any model that exposes ``params`` and ``loss(X, y)`` (cs231n's interface).

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, seed=0)
    solver.train()

Beyond cs231n: seeded shuffled epochs, learning-rate schedules, early stopping, a per-epoch hook, a stop on
divergence, atomic checkpoints (fcnet's npz format) with exact resume, Ctrl-C handling, history export.

What the run keeps is the best state by validation accuracy (by validation loss when early stopping watches the
loss): parameters *and* buffers (batch-norm running statistics), so that after ``train()`` the model scores
``best_val_acc`` on the validation set.

Divergence (fcnet.divergence): training stops at the first non-finite loss, or at a loss above
``divergence_factor`` (100) times its starting level; a state whose validation loss has exploded is never taken as
the best, so the state kept is one from before the explosion (the initial one if need be).
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable

import numpy as np

from fcnet import divergence, io
from fcnet._solver_checks import check_data, check_options, check_resumable, check_run_info, check_trainer
from fcnet._progress import deferred_interrupt, emit, make_bar
from fcnet.best_state import BestState
from fcnet.divergence import DIVERGENCE_FACTOR
from fcnet.history import SERIES, History
from fcnet.optim import UPDATE_RULES
from fcnet.optimizer import Optimizer
from fcnet.schedules import Exponential, describe

_EVAL_BATCH = 1000  # samples per forward pass in the accuracy checks


def _series(name: str) -> property:
    return property(lambda self: getattr(self.history, name), doc=f"The history's {name} (a list).")


class Solver:
    """Train `model` on `data` = {'X_train': (N, d_1, ..., d_k), 'y_train': (N,), 'X_val', 'y_val'} with
    minibatch gradient descent ('sample_weight_train' (N,) and 'sample_weight_val', when present, weight the
    training loss and the validation accuracy and loss).

    cs231n's options: update_rule (a name in fcnet.optim.UPDATE_RULES or a callable), optim_config (the rule's
    hyperparameters, checked: see fcnet.optim.HYPERPARAMETERS), lr_decay (per epoch, in (0, 1]), batch_size,
    num_epochs, num_train_samples / num_val_samples (subsamples for the accuracy checks; None = all),
    checkpoint_name (a checkpoint '<checkpoint_name>_epoch_<e>.npz' every epoch), print_every, verbose.
    fcnet's: keep_checkpoints (keep the last K epoch checkpoints and the best epoch's; None: all), seed (batches,
    check subsamples and dropout masks; runs are reproducible), sample_with_replacement (cs231n's independent
    batches; default: shuffled epochs), lr_schedule ('exponential', 'step', 'cosine', 'plateau') with
    lr_schedule_options, early_stopping_patience / _metric ('val_acc' or 'val_loss') / _min_delta,
    divergence_factor (None: stop only on a non-finite loss), restore_best (False: keep the last state, unless the
    run diverged), epoch_callback (called as callback(solver) after every check; it may set
    solver.stop_training), progress ('auto': a tqdm bar when verbose on a terminal), resume (a checkpoint to
    continue from; the run then ends as the uninterrupted one would).
    After train(): loss_history, train_acc_history, val_acc_history, val_loss_history, lr_history (also in
    solver.history), best_val_acc, best_params, stop_reason ('completed', 'early_stopping', 'diverged',
    'interrupted'); the model holds the best state.
    """

    loss_history, train_acc_history, val_acc_history, val_loss_history, lr_history = map(_series, SERIES)

    def __init__(self, model: Any, data: dict, *, update_rule: str | Callable = "sgd",
                 optim_config: dict | None = None, lr_decay: float = 1.0, batch_size: int = 100,
                 num_epochs: int = 10, num_train_samples: int | None = 1000, num_val_samples: int | None = None,
                 checkpoint_name: str | None = None, keep_checkpoints: int | None = None,
                 print_every: int = 10, verbose: bool = True,
                 seed: int | None = None, sample_with_replacement: bool = False, lr_schedule: str | None = None,
                 lr_schedule_options: dict | None = None, early_stopping_patience: int | None = None,
                 early_stopping_metric: str = "val_acc", early_stopping_min_delta: float = 0.0,
                 divergence_factor: float | None = DIVERGENCE_FACTOR, restore_best: bool = True,
                 epoch_callback: Callable | None = None,
                 progress: bool | str = "auto", resume: str | Path | None = None) -> None:
        o = check_options({k: v for k, v in locals().items() if k not in ("self", "model", "data")})
        self.model = model
        self.X_train, self.y_train, self.X_val, self.y_val, self._input_scale = check_data(model, data)
        self.sample_weight = data.get("sample_weight_train")  # checked by check_data
        self.val_weight = data.get("sample_weight_val")
        self.optimizer = Optimizer(model.params, o["update_rule"], **o["optim_config"])
        self.update_rule_name = self.optimizer.rule_name
        self.base_learning_rate = self.optimizer.learning_rate
        self.schedule = o["schedule"]
        if self.base_learning_rate is None and self.schedule != Exponential(1.0):
            raise ValueError("a learning-rate schedule needs a learning_rate in optim_config for a custom update rule")
        self.track_val_loss = hasattr(model, "evaluate")
        if o["early_stopping_metric"] == "val_loss" and o["early_stopping_patience"] and not self.track_val_loss:
            raise ValueError("early_stopping_metric='val_loss' needs a model with an evaluate(X, y) method")
        for name in ("batch_size", "num_epochs", "num_train_samples", "num_val_samples", "checkpoint_name",
                     "keep_checkpoints", "print_every", "verbose", "seed", "sample_with_replacement",
                     "early_stopping_patience", "early_stopping_metric", "early_stopping_min_delta",
                     "divergence_factor", "epoch_callback", "progress", "lr_decay", "restore_best"):
            setattr(self, name, o[name])
        self._rng = self._generator()
        self.run_info: dict | None = None  # what decided the data (a run directory's dataset, split seed, ...)
        self.epoch = self.t = 0
        self.history = History()
        self.best = BestState()
        self.stop_reason: str | None = None
        self.stop_training = False
        self._order: np.ndarray | None = None
        self.timings = {"loss": 0.0, "update": 0.0, "total": 0.0}
        if resume is not None:
            self.load_checkpoint(resume)

    def _generator(self):
        """The generator of minibatches, check subsamples and dropout masks; its state goes into checkpoints."""
        return np.random.default_rng(self.seed)

    # ---- what the run keeps ------------------------------------------------------------------------------------
    @property
    def best_val_acc(self) -> float:
        return 0.0 if self.best.val_acc is None else self.best.val_acc

    @property
    def best_params(self) -> dict[str, np.ndarray]:
        """Copies of the best parameters (the buffers that go with them are restored too)."""
        return self.best.params()

    @property
    def optim_configs(self) -> dict[str, dict]:
        """cs231n's per-parameter optimizer configs (hyperparameters and state), for reading."""
        return self.optimizer.configs()

    @property
    def events(self) -> list[dict]:
        return self.history.events

    def _score(self, val_acc: float, val_loss: float | None) -> float:
        """Higher is better: the validation accuracy, or minus the validation loss when early stopping watches the
        loss (one metric both decides when to stop and which state to keep, as in Keras)."""
        if self.early_stopping_patience and self.early_stopping_metric == "val_loss" and val_loss is not None:
            return -val_loss
        return val_acc

    def _restore_best(self) -> None:
        self.best.restore(self.model)
        if self.best.val_acc is None and self.t > 0:  # fell back to the initial state: say how good it is
            self.best.val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples, _EVAL_BATCH)

    # ---- training ----------------------------------------------------------------------------------------------
    @property
    def iterations_per_epoch(self) -> int:
        return max(len(self.y_train) // self.batch_size, 1)

    @property
    def num_iterations(self) -> int:
        return self.num_epochs * self.iterations_per_epoch

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
        """One minibatch update. Returns False (and updates nothing) when the loss has diverged."""
        idx = self._next_batch()
        start = time.perf_counter()
        if self.sample_weight is None:  # as cs231n calls it: a hand-built model need not take sample weights
            loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
        else:
            loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx], sample_weight=self.sample_weight[idx])
        middle = time.perf_counter()
        self.loss_history.append(float(loss))
        if self._exploded(float(loss)):
            return False
        self.optimizer.step(grads)
        self.timings["loss"] += middle - start
        self.timings["update"] += time.perf_counter() - middle
        return True

    def _exploded(self, loss: float) -> bool:
        return divergence.exploded(loss, self.loss_history[0] if self.loss_history else None, self.divergence_factor)

    def train(self) -> "Solver":
        """Run the optimization until num_epochs, early stopping, divergence or Ctrl-C; then restore the best
        state (parameters and buffers) into the model."""
        start = time.perf_counter()
        bar = make_bar(self.progress, self.verbose, self.num_iterations, self.t)
        dropout_rng = getattr(self.model, "dropout_rng", None)
        if self.best.arrays is None:
            self.best.keep(self.model, None, None, 0)  # the fallback when no checked state is healthy
        try:
            with dropout_rng(self._rng) if dropout_rng else nullcontext(), deferred_interrupt() as interrupts:
                while self.t < self.num_iterations and not self.stop_training:
                    if interrupts.requested():
                        raise KeyboardInterrupt
                    with interrupts.critical():  # a second Ctrl-C waits for the step: no half update is saved
                        stepped = self._step()
                        self.t += stepped
                    if not stepped:
                        self._diverged()
                        break
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{self.loss_history[-1]:.4f}", refresh=False)
                    if self.verbose and (self.t - 1) % self.print_every == 0:
                        self._print(f"(Iteration {self.t} / {self.num_iterations}) loss: {self.loss_history[-1]:f}",
                                    bar)
                    epoch_end = self.t % self.iterations_per_epoch == 0
                    self.epoch += epoch_end
                    if self.t == 1 or epoch_end:
                        self._end_of_epoch_check(bar)
                    if epoch_end and self.checkpoint_name:
                        self.save_checkpoint(f"{self.checkpoint_name}_epoch_{self.epoch}.npz")
                        self._prune_checkpoints()
            if self.stop_reason is None:
                self.stop_reason = "early_stopping" if self.stop_training else "completed"
        except KeyboardInterrupt:
            self.stop_reason = "interrupted"
            self.events.append({"event": "interrupted", "iteration": self.t, "epoch": self.epoch})
            if self.checkpoint_name:
                path = self.save_checkpoint(f"{self.checkpoint_name}_interrupted.npz")
                self._print(f"Interrupted: checkpoint saved to {path}", bar, force=True)
            else:
                self._print("Interrupted: keeping the best state so far", bar, force=True)
        finally:
            if bar is not None:
                bar.close()
            self.timings["total"] += time.perf_counter() - start
            if self.restore_best or self.stop_reason == "diverged":
                self._restore_best()
        return self

    def _prune_checkpoints(self) -> None:
        """Keep the last `keep_checkpoints` epoch checkpoints and the best epoch's."""
        if self.keep_checkpoints is None:
            return
        kept = set(range(self.epoch - self.keep_checkpoints + 1, self.epoch + 1)) | {self.best.epoch}
        base = Path(self.checkpoint_name)
        for path in base.parent.glob(f"{base.name}_epoch_*.npz"):
            epoch = path.stem.rpartition("_")[2]
            if epoch.isdigit() and int(epoch) not in kept:
                path.unlink(missing_ok=True)

    def _diverged(self) -> None:
        loss, lr = self.loss_history[-1], self.optimizer.learning_rate
        self.stop_reason = "diverged"
        self.events.append({"event": "diverged", "iteration": self.t + 1, "epoch": self.epoch, "loss": str(loss),
                            "learning_rate": lr})
        why = divergence.explain(loss, self.loss_history[0], self.divergence_factor, self.t, lr, self._input_scale,
                                 np.dtype(getattr(self.model, "dtype", np.float64)),
                                 self.optimizer.hyperparameters.get("weight_decay", 0.0))
        print(f"Training stopped at iteration {self.t + 1} (epoch {self.epoch}): {why}. The best state from before "
              "is kept.", file=sys.stderr)

    def _end_of_epoch_check(self, bar) -> None:
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples, _EVAL_BATCH)
        val_loss = None
        if self.track_val_loss:  # accuracy and loss from one pass
            X_val, y_val, w_val = self._subsample(self.X_val, self.y_val, self.num_val_samples, self.val_weight)
            val_acc, val_loss = self.model.evaluate(X_val, y_val, _EVAL_BATCH, sample_weight=w_val)
            val_loss = float(val_loss)
        else:
            val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples, _EVAL_BATCH)
        self.history.record_check(train_acc, val_acc, val_loss, self.optimizer.learning_rate)
        self._print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}", bar)
        healthy = val_loss is None or not self._exploded(val_loss)
        if healthy:
            self.best.offer(self.model, val_acc, self._score(val_acc, val_loss), self.epoch)
        if self.epoch_callback is not None:
            self.epoch_callback(self)
        if self.early_stopping_patience and self.history.checks_since_best(
                self.early_stopping_metric, self.early_stopping_min_delta) >= self.early_stopping_patience:
            self.stop_training = True
            self.events.append({"event": "early_stopping", "iteration": self.t, "epoch": self.epoch})
            self._print(f"Early stopping: no improvement of {self.early_stopping_metric} for "
                        f"{self.early_stopping_patience} epochs", bar)
        if self.base_learning_rate is not None:  # the factor for the next epoch
            factor = self.schedule.factor(self.epoch, self.num_epochs, self.val_acc_history)
            self.optimizer.learning_rate = self.base_learning_rate * factor

    def check_accuracy(self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None,
                       batch_size: int = 100) -> float:
        """Accuracy of the model on (X, y), on a random subsample of `num_samples` when given."""
        X, y, _ = self._subsample(X, y, num_samples)
        y = y.argmax(axis=1) if y.ndim == 2 else y
        correct = 0
        for start in range(0, len(y), batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
        return correct / len(y)

    def _subsample(self, X: np.ndarray, y: np.ndarray, num_samples: int | None, weights=None):
        if num_samples is not None and len(y) > num_samples:
            mask = self._rng.choice(len(y), num_samples)
            return X[mask], y[mask], None if weights is None else weights[mask]
        return X, y, weights

    # ---- output ------------------------------------------------------------------------------------------------
    def _print(self, line: str, bar, force: bool = False) -> None:
        emit(line, bar, self.verbose or force)

    def summary(self) -> dict[str, Any]:
        """How the run ended: best_val_acc, epoch, iteration, stop_reason."""
        return {"best_val_acc": self.best_val_acc, "epoch": self.epoch, "iteration": self.t,
                "stop_reason": self.stop_reason}

    def save_history(self, path: str | Path) -> Path:
        """Write the history: '.json' (everything, with the summary) or '.csv' (one row per check), atomically."""
        return self.history.save(path, self.iterations_per_epoch, self.summary())

    # ---- checkpoints -------------------------------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        return {"update_rule": self.update_rule_name, "batch_size": self.batch_size,
                "hyperparameters": {**self.optimizer.hyperparameters, "learning_rate": self.base_learning_rate},
                "schedule": describe(self.schedule), "sample_with_replacement": self.sample_with_replacement,
                "num_train_samples": self.num_train_samples, "num_val_samples": self.num_val_samples}

    def save_checkpoint(self, path: str | Path) -> Path:
        """Write everything needed to resume exactly: model, optimizer state, history, best state, generator
        state, position in the epoch, and the settings a resumed run must share."""
        trainer = {"epoch": self.epoch, "t": self.t, **self.best.meta(),
                   "num_epochs": self.num_epochs, "rng_state": self._rng.bit_generator.state,
                   "stop_reason": self.stop_reason, "settings": self._settings(), "run": self.run_info}
        order = {} if self._order is None else {"order": self._order}
        return io.write_checkpoint(path, self.model, self.optimizer.state_dict(), self.history.arrays(),
                                   self.events, self.best.arrays or {}, trainer, order)

    def load_checkpoint(self, path: str | Path) -> None:
        """Continue from a checkpoint written by :meth:`save_checkpoint` for the same architecture and settings
        (num_epochs may differ: a larger one extends the run). Everything is checked before anything changes: a
        checkpoint with missing, mistyped or out-of-range fields is refused as damaged, naming the file."""
        ckpt = io.read_checkpoint(path)
        try:
            if isinstance(ckpt["trainer"], dict):  # other data first: it also changes the epoch's length
                check_run_info(path, ckpt["trainer"].get("run"), self.run_info)
            trainer = check_trainer(path, ckpt["trainer"], self.iterations_per_epoch)
            check_resumable(path, ckpt, self.model, self._settings())
            Optimizer(self.model.params, self.optimizer.rule).load_state_dict(ckpt["optimizer"])  # a check, first
            io.check_model_state(self.model, ckpt["model"], str(path))
            if ckpt["best"]:
                io.check_model_state(self.model, ckpt["best"], f"{path} (best state)")
            history = History.from_arrays(ckpt["history"], ckpt["events"])
            best = BestState.from_checkpoint(ckpt["best"], trainer)
            rng = self._generator()
            try:
                rng.bit_generator.state = trainer["rng_state"]
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"{path} is damaged: its rng_state is not a state of this run's generator "
                                 f"({exc})") from None
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise ValueError(f"{path} is damaged: a field is missing or of the wrong type ({type(exc).__name__}: "
                             f"{exc}); resume from an earlier checkpoint or start a new run") from None
        io.load_model_state(self.model, ckpt["model"], str(path), checked=True)  # checked above
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.history, self.best = history, best
        self._order = ckpt["trainer_arrays"].get("order")
        self.epoch, self.t, self.stop_reason = trainer["epoch"], trainer["t"], None
        self._rng = rng


__all__ = ["Solver", "UPDATE_RULES", "DIVERGENCE_FACTOR"]
