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

import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from fcnet import compiled_steps, divergence, solver_checkpoints, solver_events
from fcnet._checks import inputs_checked
from fcnet._solver_checks import check_data
from fcnet._progress import deferred_interrupt, emit, make_bar
from fcnet.best_state import BestState
from fcnet.divergence import DIVERGENCE_FACTOR
from fcnet.diagnostics.monitor import TrainingMonitor, every
from fcnet.epoch_steps import DEFAULT_STEPS, EpochRecord, EpochStep
from fcnet.history import History
from fcnet.optim import UPDATE_RULES
from fcnet.optimizer import Optimizer
from fcnet.schedules import Exponential
from fcnet.solver_options import SolverOptions, keyword_signature

_EVAL_BATCH = 1000  # samples per forward pass in the accuracy checks
_OWN = {"_step", "_next_batch", "_epoch_order"}  # the methods a compiled run of steps stands for


class Solver:
    """Train `model` on `data` = {'X_train': (N, d_1, ..., d_k), 'y_train': (N,), 'X_val', 'y_val'} with
    minibatch gradient descent ('sample_weight_train' (N,) and 'sample_weight_val', when present, weight the
    training loss and the validation accuracy and loss).

    The keyword options are fcnet.solver_options.SolverOptions' fields (cs231n's update_rule, optim_config,
    lr_decay, batch_size, num_epochs, num_train_samples, num_val_samples, checkpoint_name, print_every, verbose;
    fcnet's schedules, early stopping, divergence, restore_best, epoch_callback, progress, resume, ...); pass them
    as keywords or as one ``options=SolverOptions(...)``. They are checked before anything else and kept, frozen,
    in ``solver.options``. After every check (iteration 1 and each epoch's end) the steps in ``solver.epoch_steps``
    run (fcnet.epoch_steps: keep the best state, the callback, early stopping, the schedule, the checkpoint).
    After train(): loss_history, train_acc_history, val_acc_history, val_loss_history, lr_history (also in
    solver.history), best_val_acc, best_params, stop_reason ('completed', 'early_stopping', 'diverged',
    'interrupted'); the model holds the best state.
    """

    def __init__(
        self, model: Any, data: dict, *, options: SolverOptions | None = None, **kwargs: Any
    ) -> None:
        if options is not None and kwargs:
            raise TypeError(
                f"give the options either as options=SolverOptions(...) or as keywords, not both "
                f"(got options and {sorted(kwargs)})"
            )
        unknown = sorted(set(kwargs) - set(SolverOptions.names()))
        if unknown:
            raise TypeError(
                f"Solver got unknown option(s) {unknown}; known: {list(SolverOptions.names())}"
            )
        o = self.options = options if options is not None else SolverOptions(**kwargs)
        self.model = model
        self.X_train, self.y_train, self.X_val, self.y_val, self._input_scale = check_data(
            model, data
        )
        self.sample_weight = data.get("sample_weight_train")  # checked by check_data
        self.val_weight = data.get("sample_weight_val")
        self.optimizer = Optimizer(model.params, o.update_rule, **o.optim_config)
        self.update_rule_name = self.optimizer.rule_name
        self.base_learning_rate = self.optimizer.learning_rate
        if self.base_learning_rate is None and o.schedule != Exponential(1.0):
            raise ValueError(
                "a learning-rate schedule needs a learning_rate in optim_config for a custom update rule"
            )
        self.track_val_loss = hasattr(model, "evaluate")
        if (
            o.early_stopping_metric == "val_loss"
            and o.early_stopping_patience
            and not self.track_val_loss
        ):
            raise ValueError(
                "early_stopping_metric='val_loss' needs a model with an evaluate(X, y) method"
            )
        self.epoch_steps: list[EpochStep] = list(DEFAULT_STEPS)
        self.monitor = TrainingMonitor(every(self.iterations_per_epoch)) if o.diagnostics else None
        self._rng = self._generator()
        # what decided the data (a run directory's dataset, split seed, ...)
        self.run_info: dict | None = None
        self.epoch = self.t = 0
        self.history = History()
        self.best = BestState()
        self.stop_reason: str | None = None
        self.stop_training = False
        self._order: np.ndarray | None = None
        self._bar = None
        # "steps": compiled runs of steps (fcnet.compiled_steps), their losses and updates together
        self.timings = {"loss": 0.0, "update": 0.0, "steps": 0.0, "total": 0.0}
        # once one step of this Solver has run checked, the next skip per-call input checks (see _step)
        self._first_step_checked = False
        if o.resume is not None:
            self.load_checkpoint(o.resume)

    def _generator(self):
        """The generator of minibatches, check subsamples and dropout masks; its state goes into checkpoints."""
        return np.random.default_rng(self.options.seed)

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

    @property
    def loss_history(self) -> list[float]:
        return self.history.loss_history

    @property
    def train_acc_history(self) -> list[float]:
        return self.history.train_acc_history

    @property
    def val_acc_history(self) -> list[float]:
        return self.history.val_acc_history

    @property
    def val_loss_history(self) -> list[float | None]:
        return self.history.val_loss_history

    @property
    def lr_history(self) -> list[float | None]:
        return self.history.lr_history

    def _restore_best(self) -> None:
        self.best.restore(self.model)
        # fell back to the initial state: say how good it is
        if self.best.val_acc is None and self.t > 0:
            self.best.val_acc = self.check_accuracy(
                self.X_val, self.y_val, self.options.num_val_samples, _EVAL_BATCH
            )

    # ---- training ----------------------------------------------------------------------------------------------
    @property
    def iterations_per_epoch(self) -> int:
        return max(len(self.y_train) // self.options.batch_size, 1)

    @property
    def num_iterations(self) -> int:
        return self.options.num_epochs * self.iterations_per_epoch

    def _next_batch(self) -> np.ndarray:
        n = len(self.y_train)
        size = min(self.options.batch_size, n)
        if self.options.sample_with_replacement:
            return self._rng.choice(n, size)
        position = self.t % self.iterations_per_epoch
        return self._epoch_order()[position * size : (position + 1) * size]

    def _epoch_order(self) -> np.ndarray:
        """The epoch's permutation of the training rows, drawn at its first step."""
        if self.t % self.iterations_per_epoch == 0 or self._order is None:
            self._order = self._rng.permutation(len(self.y_train))
        return self._order

    def _advance(self) -> tuple[int, bool]:
        """The next step, or the steps up to the next event as one compiled call when fcnet.compiled_steps takes
        them: (updates made, whether the loss diverged)."""
        # a Solver whose steps are not Solver's own (a course's batches, a spy) goes step by step
        own = not _OWN & vars(self).keys()
        own = own and all(getattr(type(self), n) is getattr(Solver, n) for n in _OWN)
        ran = compiled_steps.advance(self) if own else None
        if ran is None:
            stepped = self._step()
            return int(stepped), not stepped
        return ran

    def _step(self) -> bool:
        """One minibatch update. Returns False (and updates nothing) when the loss has diverged."""
        idx = self._next_batch()
        start = time.perf_counter()
        measured = self.monitor is not None and self.monitor.due(self.t)
        # after one checked step, the batches (rows of the data checked at the start) skip the per-call checks
        trusted = self._first_step_checked and getattr(self.model, "trusts_checked_batches", False)
        with (
            self.monitor.observing(self.model) if measured else nullcontext(),
            inputs_checked() if trusted else nullcontext(),
        ):
            # as cs231n calls it: a hand-built model need not take weights
            if self.sample_weight is None:
                loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
            else:
                loss, grads = self.model.loss(
                    self.X_train[idx], self.y_train[idx], sample_weight=self.sample_weight[idx]
                )
        middle = time.perf_counter()
        self._first_step_checked = True
        self.loss_history.append(float(loss))
        if self._exploded(float(loss)):
            return False
        before = self.monitor.snapshot(self.model.params) if measured else None
        self.optimizer.step(grads)
        if measured:
            self.history.diagnostics.append(
                self.monitor.record(
                    self.t + 1,
                    self.epoch,
                    float(loss),
                    grads,
                    before,
                    self.model.params,
                    self.optimizer.learning_rate,
                )
            )
        self.timings["loss"] += middle - start
        self.timings["update"] += time.perf_counter() - middle
        return True

    def _exploded(self, loss: float) -> bool:
        return divergence.exploded(
            loss,
            self.loss_history[0] if self.loss_history else None,
            self.options.divergence_factor,
        )

    def train(self) -> "Solver":
        """Run the optimization until num_epochs, early stopping, divergence or Ctrl-C; then restore the best
        state (parameters and buffers) into the model."""
        o, start = self.options, time.perf_counter()
        self._bar = make_bar(o.progress, o.verbose, self.num_iterations, self.t)
        dropout_rng = getattr(self.model, "dropout_rng", None)
        if self.best.arrays is None:  # the fallback when no checked state is healthy
            self.best.keep(self.model, None, None, 0)
        try:
            with (
                dropout_rng(self._rng) if dropout_rng else nullcontext(),
                deferred_interrupt() as interrupts,
            ):
                while self.t < self.num_iterations and not self.stop_training:
                    if interrupts.requested():
                        raise KeyboardInterrupt
                    # a second Ctrl-C waits for the step: no half update is saved
                    with interrupts.critical():
                        updates, diverged = self._advance()
                        self.t += updates
                    if updates:
                        self._report_iteration(updates)
                    if diverged:
                        solver_events.diverged(self)
                        break
                    epoch_end = self.t % self.iterations_per_epoch == 0
                    self.epoch += epoch_end
                    if self.t == 1 or epoch_end:
                        record = self._check(epoch_end)
                        for step in self.epoch_steps:
                            step(self, record)
            if self.stop_reason is None:
                self.stop_reason = "early_stopping" if self.stop_training else "completed"
        except KeyboardInterrupt:
            solver_events.interrupted(self)
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
            self.timings["total"] += time.perf_counter() - start
            if o.restore_best or self.stop_reason == "diverged":
                self._restore_best()
        return self

    def _report_iteration(self, steps: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(steps)
            self._bar.set_postfix(loss=f"{self.loss_history[-1]:.4f}", refresh=False)
        if self.options.verbose and (self.t - 1) % self.options.print_every == 0:
            self.say(
                f"(Iteration {self.t} / {self.num_iterations}) loss: {self.loss_history[-1]:f}"
            )

    def _check(self, epoch_end: bool) -> EpochRecord:
        """Measure the model (train and validation accuracy, validation loss), record it in the history and print
        it; the record the epoch steps are fed."""
        o = self.options
        train_acc = self.check_accuracy(
            self.X_train, self.y_train, o.num_train_samples, _EVAL_BATCH
        )
        val_loss = None
        if self.track_val_loss:  # accuracy and loss from one pass
            X_val, y_val, w_val = self._subsample(
                self.X_val, self.y_val, o.num_val_samples, self.val_weight
            )
            val_acc, val_loss = self.model.evaluate(X_val, y_val, _EVAL_BATCH, sample_weight=w_val)
            val_loss = float(val_loss)
        else:
            val_acc = self.check_accuracy(self.X_val, self.y_val, o.num_val_samples, _EVAL_BATCH)
        self.history.record_check(train_acc, val_acc, val_loss, self.optimizer.learning_rate)
        self.say(
            f"(Epoch {self.epoch} / {o.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}"
        )
        return EpochRecord(
            epoch=self.epoch,
            iteration=self.t,
            epoch_end=epoch_end,
            train_acc=train_acc,
            val_acc=val_acc,
            val_loss=val_loss,
            learning_rate=self.optimizer.learning_rate,
            healthy=val_loss is None or not self._exploded(val_loss),
        )

    def check_accuracy(
        self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None, batch_size: int = 100
    ) -> float:
        """Accuracy of the model on (X, y), on a random subsample of `num_samples` when given."""
        X, y, _ = self._subsample(X, y, num_samples)
        y = y.argmax(axis=1) if y.ndim == 2 else y
        correct = 0
        for start in range(0, len(y), batch_size):
            scores = self.model.loss(X[start : start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start : start + batch_size]))
        return correct / len(y)

    def _subsample(self, X: np.ndarray, y: np.ndarray, num_samples: int | None, weights=None):
        if num_samples is not None and len(y) > num_samples:
            mask = self._rng.choice(len(y), num_samples)
            return X[mask], y[mask], None if weights is None else weights[mask]
        return X, y, weights

    # ---- output ------------------------------------------------------------------------------------------------
    def say(self, line: str, force: bool = False) -> None:
        """Print a line of the run (when verbose, or `force`), above the progress bar if there is one."""
        emit(line, self._bar, self.options.verbose or force)

    def diagnose(self) -> list:
        """What the history says about this run: fcnet.diagnostics.findings.diagnose (a list of Finding, empty for a
        healthy run; the activation and gradient findings need diagnostics=True)."""
        from fcnet.diagnostics.findings import diagnose

        return diagnose({**self.history.to_dict(), **self.summary()}, **self.facts())

    def facts(self) -> dict[str, Any]:
        """What the findings need beyond the history: classes, the largest input, the L2 strength."""
        reg = float(getattr(self.model, "reg", 0.0) or 0.0)
        classes = getattr(self.model, "num_classes", None)
        return {"num_classes": classes, "input_scale": float(self._input_scale), "reg": reg}

    def summary(self) -> dict[str, Any]:
        """How the run ended: best_val_acc, epoch, iteration, stop_reason."""
        return {
            "best_val_acc": self.best_val_acc,
            "epoch": self.epoch,
            "iteration": self.t,
            "stop_reason": self.stop_reason,
        }

    def save_history(self, path: str | Path) -> Path:
        """Write the history: '.json' (everything, with the summary) or '.csv' (one row per check), atomically."""
        return self.history.save(path, self.iterations_per_epoch, self.summary())

    # ---- checkpoints (fcnet.solver_checkpoints) ----------------------------------------------------------------
    def save_checkpoint(self, path: str | Path) -> Path:
        """Write everything needed to resume exactly: model, optimizer state, history, best state, generator
        state, position in the epoch, and the settings a resumed run must share."""
        return solver_checkpoints.save_checkpoint(self, path)

    def load_checkpoint(self, path: str | Path) -> None:
        """Continue from a checkpoint written by :meth:`save_checkpoint` for the same architecture and settings
        (num_epochs may differ: a larger one extends the run). Everything is checked before anything changes: a
        checkpoint with missing, mistyped or out-of-range fields is refused as damaged, naming the file."""
        solver_checkpoints.load_checkpoint(self, path)


Solver.__signature__ = keyword_signature(("model", "data"))  # help(Solver) shows every option

__all__ = ["Solver", "SolverOptions", "UPDATE_RULES", "DIVERGENCE_FACTOR"]
