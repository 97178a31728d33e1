"""The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
`lr_find`): a copy of the model trains for about 100 iterations while the learning rate grows exponentially from
1e-7 to 10, and the run stops once the smoothed loss explodes (4 times its lowest). The suggestion is the rate at
which the smoothed loss falls fastest (the steepest negative slope against log10 of the rate). The model given is
never changed.

    result = lr_find(model, data, update_rule="adam")
    result.suggestion, result.plot("lr_find.png")
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fcnet._checks import check_int, check_real
from fcnet.optimizer import Optimizer

SMOOTHING = 0.98  # fastai's: an exponential moving average of the loss, bias-corrected
EXPLOSION = 4.0  # stop when the smoothed loss exceeds this many times its lowest
SKIP_START = 5  # the first iterations' slopes are noise


@dataclass(frozen=True)
class LRFindResult:
    """The rates tried, the raw and smoothed losses, the suggested rate and why the test stopped."""

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    stop_reason: str

    def plot(self, path: str | Path | None = None):
        """Loss against learning rate (log scale), the suggestion marked; saved to `path` when given."""
        from fcnet.plots import _figure, _save

        fig = _figure(6.4, 4.2)
        ax = fig.add_subplot()
        ax.plot(
            self.learning_rates, self.losses, color="0.75", linewidth=0.8, label="minibatch loss"
        )
        ax.plot(self.learning_rates, self.smoothed, color="C0", label="smoothed")
        i = int(np.argmin(np.abs(self.learning_rates - self.suggestion)))
        ax.plot(
            [self.suggestion],
            [self.smoothed[i]],
            "o",
            color="C3",
            label=f"suggestion {self.suggestion:.2g}",
        )
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.set_title("Learning-rate range test")
        low = min(np.nanmin(self.smoothed), np.nanmin(self.losses))
        high = np.nanmax(self.smoothed[: max(2, len(self.smoothed) // 2)])
        ax.set_ylim(low - 0.1 * abs(low), max(high, low) * 1.5 + 1e-12)
        ax.legend()
        return _save(fig, path)


def lr_find(
    model: Any,
    data: dict,
    *,
    update_rule: str = "sgd",
    optim_config: dict | None = None,
    batch_size: int = 64,
    num_iterations: int = 100,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    seed: int | None = 0,
) -> LRFindResult:
    """Run the range test on a copy of `model` with data['X_train'], data['y_train'] (see the module)."""
    num_iterations = check_int("num_iterations", num_iterations, 10)
    batch_size = check_int("batch_size", batch_size, 1)
    start_lr = check_real("start_lr", start_lr, 0.0, low_open=True)
    end_lr = check_real("end_lr", end_lr, start_lr, low_open=True)
    X, y = data["X_train"], np.asarray(data["y_train"])
    if len(y) == 0:
        raise ValueError("data['y_train'] is empty: the range test needs training samples")
    trial = copy.deepcopy(model)
    trial.train() if hasattr(trial, "train") else None
    config = {k: v for k, v in (optim_config or {}).items() if k != "learning_rate"}
    optimizer = Optimizer(trial.params, update_rule, learning_rate=start_lr, **config)
    rng = np.random.default_rng(seed)
    rates = start_lr * (end_lr / start_lr) ** (np.arange(num_iterations) / (num_iterations - 1))
    losses, smoothed = [], []
    average, best, stop_reason = 0.0, np.inf, "at the last rate"
    order = rng.permutation(len(y))
    position = 0
    with np.errstate(all="ignore"):
        for k, lr in enumerate(rates):
            if position + batch_size > len(y):
                order, position = rng.permutation(len(y)), 0
            idx = order[position : position + batch_size]
            position += batch_size
            loss, grads = trial.loss(X[idx], y[idx])
            loss = float(loss)
            if not np.isfinite(loss):
                stop_reason = f"at a non-finite loss (rate {lr:.2g})"
                break
            average = SMOOTHING * average + (1 - SMOOTHING) * loss
            value = average / (1 - SMOOTHING ** (k + 1))
            losses.append(loss)
            smoothed.append(value)
            best = min(best, value)
            if k > SKIP_START and value > EXPLOSION * best:
                stop_reason = f"when the loss exploded (rate {lr:.2g})"
                break
            optimizer.learning_rate = float(lr)
            optimizer.step(grads)
    n = len(losses)
    if n < SKIP_START + 3:
        raise ValueError(
            f"the loss exploded after {n} iterations, at rate {rates[max(n - 1, 0)]:.2g}: give a "
            "smaller start_lr"
        )
    tried, smooth = rates[:n], np.array(smoothed)
    lowest = int(np.argmin(smooth))
    window = slice(SKIP_START, max(lowest, SKIP_START + 2))
    slopes = np.gradient(smooth, np.log10(tried))
    suggestion = float(tried[window][int(np.argmin(slopes[window]))])
    return LRFindResult(tried, np.array(losses), smooth, suggestion, stop_reason)
