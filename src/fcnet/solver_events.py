"""How a Solver's run ends early: Ctrl-C (interrupted) or a loss that diverged, each recorded as an event and
said in one line."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from fcnet import divergence


def interrupted(solver: Any) -> None:
    """Ctrl-C: record the event and save an _interrupted checkpoint (when the run keeps checkpoints)."""
    solver.stop_reason = "interrupted"
    solver.events.append({"event": "interrupted", "iteration": solver.t, "epoch": solver.epoch})
    if solver.options.checkpoint_name:
        path = solver.save_checkpoint(f"{solver.options.checkpoint_name}_interrupted.npz")
        solver.say(f"Interrupted: checkpoint saved to {path}", force=True)
    else:
        solver.say("Interrupted: keeping the best state so far", force=True)


def diverged(solver: Any) -> None:
    """A diverged loss: record the event and say why (fcnet.divergence.explain) on stderr."""
    loss, lr = solver.loss_history[-1], solver.optimizer.learning_rate
    solver.stop_reason = "diverged"
    solver.events.append(
        {
            "event": "diverged",
            "iteration": solver.t + 1,
            "epoch": solver.epoch,
            "loss": str(loss),
            "learning_rate": lr,
        }
    )
    why = divergence.explain(
        loss,
        solver.loss_history[0],
        solver.options.divergence_factor,
        solver.t,
        lr,
        solver._input_scale,
        np.dtype(getattr(solver.model, "dtype", np.float64)),
        solver.optimizer.hyperparameters.get("weight_decay", 0.0),
    )
    print(
        f"Training stopped at iteration {solver.t + 1} (epoch {solver.epoch}): {why}. The best state from before "
        "is kept.",
        file=sys.stderr,
    )
