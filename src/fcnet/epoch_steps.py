"""What a Solver does after each check of the model (after the first iteration and at every epoch's end), as small
steps fed one record of the check's figures, in the spirit of Keras's callbacks.

A step is a callable ``step(solver, record) -> None``; ``Solver.epoch_steps`` lists them in the order they run
(DEFAULT_STEPS). Add one with ``solver.epoch_steps.append(step)``; a step may set ``solver.stop_training``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

Solver = (
    Any  # fcnet.solver.Solver, which imports this module (named here for the reader, not imported)
)


@dataclass(frozen=True)
class EpochRecord:
    """The figures of one check: after iteration `iteration`, in epoch `epoch` (`epoch_end`: the epoch just ended;
    False for the check after the first iteration). val_loss is None for a model without evaluate(); `healthy`
    is False when the validation loss has exploded (such a state is never kept as the best)."""

    epoch: int
    iteration: int
    epoch_end: bool
    train_acc: float
    val_acc: float
    val_loss: float | None
    learning_rate: float | None
    healthy: bool


def score(solver: Solver, record: EpochRecord) -> float:
    """Higher is better: the validation accuracy, or minus the validation loss when early stopping watches the loss
    (one metric both decides when to stop and which state to keep, as in Keras)."""
    o = solver.options
    if (
        o.early_stopping_patience
        and o.early_stopping_metric == "val_loss"
        and record.val_loss is not None
    ):
        return -record.val_loss
    return record.val_acc


def keep_best(solver: Solver, record: EpochRecord) -> None:
    """Keep the model's whole state when its score beats the best so far."""
    if record.healthy:
        solver.best.offer(solver.model, record.val_acc, score(solver, record), record.epoch)


def call_epoch_callback(solver: Solver, record: EpochRecord) -> None:
    """The user's ``epoch_callback(solver)``."""
    if solver.options.epoch_callback is not None:
        solver.options.epoch_callback(solver)


def stop_early(solver: Solver, record: EpochRecord) -> None:
    """Stop when the watched metric has not improved by min_delta for `early_stopping_patience` checks."""
    o = solver.options
    if (
        o.early_stopping_patience
        and solver.history.checks_since_best(o.early_stopping_metric, o.early_stopping_min_delta)
        >= o.early_stopping_patience
    ):
        solver.stop_training = True
        solver.events.append(
            {"event": "early_stopping", "iteration": record.iteration, "epoch": record.epoch}
        )
        solver.say(
            f"Early stopping: no improvement of {o.early_stopping_metric} for {o.early_stopping_patience} "
            "epochs"
        )


def schedule_learning_rate(solver: Solver, record: EpochRecord) -> None:
    """Set the learning rate of the next epoch from the schedule."""
    if solver.base_learning_rate is not None:
        factor = solver.options.schedule.factor(
            record.epoch, solver.options.num_epochs, solver.val_acc_history
        )
        solver.optimizer.learning_rate = solver.base_learning_rate * factor


def save_epoch_checkpoint(solver: Solver, record: EpochRecord) -> None:
    """At an epoch's end, '<checkpoint_name>_epoch_<e>.npz'; then keep the last `keep_checkpoints` and the best."""
    name = solver.options.checkpoint_name
    if not (record.epoch_end and name):
        return
    solver.save_checkpoint(f"{name}_epoch_{record.epoch}.npz")
    keep = solver.options.keep_checkpoints
    if keep is None:
        return
    kept = set(range(record.epoch - keep + 1, record.epoch + 1)) | {solver.best.epoch}
    base = Path(name)
    for path in base.parent.glob(f"{base.name}_epoch_*.npz"):
        epoch = path.stem.rpartition("_")[2]
        if epoch.isdigit() and int(epoch) not in kept:
            path.unlink(missing_ok=True)


EpochStep = Callable[[Solver, EpochRecord], None]
DEFAULT_STEPS: tuple[EpochStep, ...] = (
    keep_best,
    call_epoch_callback,
    stop_early,
    schedule_learning_rate,
    save_epoch_checkpoint,
)
