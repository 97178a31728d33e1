"""A Solver's checkpoints: what one holds (model, optimizer state, history, best state, generator state, position
in the epoch, the settings and data a resumed run must share) and how a run resumes from one, everything checked
before anything changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fcnet import saving
from fcnet._solver_checks import check_resumable, check_run_info, check_trainer
from fcnet.best_state import BestState
from fcnet.history import History
from fcnet.optimizer import Optimizer
from fcnet.schedules import describe


def resume_settings(solver: Any) -> dict[str, Any]:
    """What a checkpoint must share with the Solver resuming it (fcnet._solver_checks.RESUME_SETTINGS)."""
    o = solver.options
    return {
        "update_rule": solver.update_rule_name,
        "batch_size": o.batch_size,
        "hyperparameters": {
            **solver.optimizer.hyperparameters,
            "learning_rate": solver.base_learning_rate,
        },
        "schedule": describe(o.schedule),
        "sample_with_replacement": o.sample_with_replacement,
        "num_train_samples": o.num_train_samples,
        "num_val_samples": o.num_val_samples,
    }


def save_checkpoint(solver: Any, path: str | Path) -> Path:
    """Write everything needed to resume exactly: model, optimizer state, history, best state, generator
    state, position in the epoch, and the settings a resumed run must share."""
    trainer = {
        "epoch": solver.epoch,
        "t": solver.t,
        **solver.best.meta(),
        "num_epochs": solver.options.num_epochs,
        "rng_state": solver._rng.bit_generator.state,
        "stop_reason": solver.stop_reason,
        "settings": resume_settings(solver),
        "run": solver.run_info,
    }
    order = {} if solver._order is None else {"order": solver._order}
    return saving.write_checkpoint(
        path,
        solver.model,
        solver.optimizer.state_dict(),
        solver.history.arrays(),
        solver.events,
        solver.best.arrays or {},
        trainer,
        order,
        solver.history.diagnostics,
    )


def load_checkpoint(solver: Any, path: str | Path) -> None:
    """Continue from a checkpoint written by save_checkpoint for the same architecture and settings
    (num_epochs may differ: a larger one extends the run). Everything is checked before anything changes: a
    checkpoint with missing, mistyped or out-of-range fields is refused as damaged, naming the file."""
    ckpt = saving.read_checkpoint(path)
    try:
        if isinstance(
            ckpt["trainer"], dict
        ):  # other data first: it also changes the epoch's length
            check_run_info(path, ckpt["trainer"].get("run"), solver.run_info)
        trainer = check_trainer(path, ckpt["trainer"], solver.iterations_per_epoch)
        check_resumable(path, ckpt, solver.model, resume_settings(solver))
        Optimizer(solver.model.params, solver.optimizer.rule).load_state_dict(
            ckpt["optimizer"]
        )  # a check, first
        saving.check_model_state(solver.model, ckpt["model"], str(path))
        if ckpt["best"]:
            saving.check_model_state(solver.model, ckpt["best"], f"{path} (best state)")
        history = History.from_arrays(ckpt["history"], ckpt["events"], ckpt["diagnostics"])
        best = BestState.from_checkpoint(ckpt["best"], trainer)
        rng = solver._generator()
        try:
            rng.bit_generator.state = trainer["rng_state"]
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(
                f"{path} is damaged: its rng_state is not a state of this run's generator ({exc})"
            ) from None
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(
            f"{path} is damaged: a field is missing or of the wrong type ({type(exc).__name__}: "
            f"{exc}); resume from an earlier checkpoint or start a new run"
        ) from None
    saving.load_model_state(solver.model, ckpt["model"], str(path), checked=True)  # checked above
    solver.optimizer.load_state_dict(ckpt["optimizer"])
    solver.history, solver.best = history, best
    solver._order = ckpt["trainer_arrays"].get("order")
    solver.epoch, solver.t, solver.stop_reason = trainer["epoch"], trainer["t"], None
    solver._rng = rng
