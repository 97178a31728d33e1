"""When a training run has diverged, and what to tell its user.

The rule: a run has diverged at the first minibatch loss that is not finite, or that exceeds `factor` times its
starting level (the run's first loss, or 1 if that is smaller). A healthy run's loss stays within a few times its
start (the courses' experiments peak below 3x); a learning rate far too high sends it up by orders of magnitude
within a few steps. The same test on the validation loss keeps an exploded state from being taken as the best.
"""

from __future__ import annotations

import math

import numpy as np

DIVERGENCE_FACTOR = 100.0
LARGE_INPUT_FOR_ADVICE = 1e3


def exploded(loss: float, first_loss: float | None, factor: float | None) -> bool:
    """True when `loss` is not finite, or above `factor` times max(first_loss, 1) (factor None: never)."""
    return not math.isfinite(loss) or loss > loss_limit(first_loss, factor)


def loss_limit(first_loss: float | None, factor: float | None) -> float:
    """The finite loss above which a run has diverged: `factor` times max(first_loss, 1); inf for factor None."""
    if factor is None:
        return math.inf
    reference = 1.0 if first_loss is None else max(first_loss, 1.0)
    return factor * reference


def explain(
    loss: float,
    first_loss: float,
    factor: float | None,
    updates_done: int,
    learning_rate: float | None,
    input_scale: float,
    dtype: np.dtype,
    weight_decay: float = 0.0,
) -> str:
    """What happened and its likely causes, without suggesting values that make no sense."""
    what = (
        f"the loss is {loss}"
        if not math.isfinite(loss)
        else f"the loss {loss:.3g} is over {factor:g} times its starting level {first_loss:.3g}"
    )
    causes = []
    shrink = (learning_rate or 0.0) * (weight_decay or 0.0)
    if (
        updates_done > 0 and shrink >= 1
    ):  # each step multiplies the weights by 1 - lr * weight_decay <= 0
        causes.append(
            f"weight_decay ({weight_decay:g}) times the learning rate ({learning_rate:g}) is {shrink:g}, "
            f"so each step multiplies the weights by {1 - shrink:g}; use a weight_decay below "
            f"{1 / learning_rate:g} (typical values are 1e-4 to 1e-2)"
        )
    elif (
        updates_done > 0 and learning_rate
    ):  # before any update, the learning rate cannot be the cause
        causes.append(
            f"the learning rate ({learning_rate:g}) is too high; try {learning_rate / 10:g} or lower"
        )
    if input_scale > LARGE_INPUT_FOR_ADVICE:
        causes.append(f"the inputs reach {input_scale:.3g}; standardize them to about unit scale")
    if dtype.itemsize < 4:
        causes.append(f"the model's dtype {dtype} has a small range; use float32")
    cause = (
        "; or ".join(causes) or "the model or the data (the loss was not finite before any update)"
    )
    return f"{what}. Likely cause: {cause}"
