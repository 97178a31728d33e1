"""Findings: what a run's history says about why a network does or does not learn, in plain words (pure
functions of the history; no model needed, so `fcnet diagnose RUN_DIR` works on a finished run).

Each finding has a kind from KINDS, the layer or parameter it concerns, the evidence (numbers and the epochs they
come from) and what to try. The thresholds and where each rule comes from:

- learning_rate_high: the run diverged, or the median update-to-weight ratio of the weights is above 1e-2 in the
  last quarter of the measurements or above 1e-1 in the first quarter; learning_rate_low: below 1e-5 while the
  loss fell by less than 10%, unless dead or saturated units or vanishing gradients explain it (cs231n's lecture
  notes on babysitting the learning process: a ratio near 1e-3 is healthy).
- dead_units: more than half of a ReLU layer's units are zero for the whole batch in the last measurements
  (Karpathy, "A Recipe for Training Neural Networks": watch for dead ReLUs).
- saturated_units: more than half of a tanh/sigmoid layer's activations beyond 0.97 of their range (Glorot &
  Bengio 2010, on saturation of deep sigmoid networks).
- vanishing_gradients: the first layer's weight gradient is below 1e-3 times the last layer's;
  exploding_gradients: above 1e3 times, or any gradient norm above 1e4 (Glorot & Bengio 2010).
- not_learning: the training loss at the end is still above 95% of its first value.
- overfitting: training accuracy at least 0.2 above validation accuracy at the end (Karpathy's recipe: "overfit,
  then regularize").
- underfitting: training accuracy at the end below 0.75 and within 0.05 of validation accuracy although the loss
  fell by at least 5% with a healthy update ratio, and has levelled off (the mean loss of the run's last quarter
  within 5% of the quarter before): the network is too small or too constrained, not just short of epochs.
- unscaled_inputs: inputs reach beyond 10 in magnitude (cs231n: zero-centre and scale the data).
- initial_loss_off: the first loss differs from log(C) (the loss of uniform guesses) by more than half of it
  (cs231n's notes and Karpathy's recipe: check the loss at initialisation).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

KINDS = (
    "learning_rate_high",
    "learning_rate_low",
    "dead_units",
    "saturated_units",
    "vanishing_gradients",
    "exploding_gradients",
    "not_learning",
    "overfitting",
    "underfitting",
    "unscaled_inputs",
    "initial_loss_off",
)
RATIO_HIGH, RATIO_LOW, EARLY_HIGH = 1e-2, 1e-5, 1e-1
DEAD, SATURATED = 0.5, 0.5
VANISHING, EXPLODING, HUGE_GRADIENT = 1e-3, 1e3, 1e4
GAP, UNDERFIT_ACCURACY, STALLED = 0.2, 0.75, 0.05
INPUT_SCALE = 10.0


@dataclass(frozen=True)
class Finding:
    """One finding: its kind (one of KINDS), the layer or parameter it concerns (or None), the evidence and the
    advice, in plain words."""

    kind: str
    where: str | None
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: str = ""

    def line(self) -> str:
        place = f" ({self.where})" if self.where else ""
        numbers = ", ".join(f"{k} {_fmt(v)}" for k, v in self.evidence.items())
        return f"{self.kind}{place}: {numbers}. {self.advice}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _last(records: list[dict], fraction: float = 0.25) -> list[dict]:
    return records[-max(1, int(len(records) * fraction)) :]


def _weights(records: list[dict]) -> list[str]:
    names = [n for n in (records[-1]["params"] if records else {}) if n.startswith("W")]
    return sorted(names, key=lambda n: int(n[1:]) if n[1:].isdigit() else 0)


def diagnose(
    history: dict[str, Any],
    *,
    num_classes: int | None = None,
    input_scale: float | None = None,
    reg: float = 0.0,
) -> list[Finding]:
    """The findings of a run. `history` is a History.to_dict() with the run's summary (stop_reason); a healthy
    run gets none."""
    findings: list[Finding] = []
    losses = [float(v) for v in history.get("loss_history", [])]
    train, val = history.get("train_acc_history", []), history.get("val_acc_history", [])
    records = history.get("diagnostics") or []
    diverged = history.get("stop_reason") == "diverged"
    weights = _weights(records)
    last = _last(records)

    if input_scale is not None and input_scale > INPUT_SCALE:
        findings.append(
            Finding(
                "unscaled_inputs",
                None,
                {"largest |x|": float(input_scale)},
                "Scale the inputs to about unit size: standardize them (fcnet.data.standardize) or "
                "divide by their range (255 for pixels).",
            )
        )
    if losses and num_classes and reg == 0 and math.isfinite(losses[0]):
        expected = math.log(num_classes)
        if abs(losses[0] - expected) > 0.5 * expected:
            findings.append(
                Finding(
                    "initial_loss_off",
                    None,
                    {"first loss": losses[0], "log(C)": expected},
                    "At initialisation the loss should be near log(C), the loss of uniform "
                    "guesses: make the initial weights smaller ('he' or 'xavier' scale) and check "
                    "the labels.",
                )
            )
    ratio = _median_ratio(last, weights)
    early = (
        max((_median_ratio([r], weights) or 0.0) for r in records[: max(1, len(records) // 4)])
        if records
        else None
    )
    high = (
        diverged
        or (ratio is not None and ratio > RATIO_HIGH)
        or (early is not None and early > EARLY_HIGH)
    )
    if high:
        evidence = {"median update/weight ratio": ratio, "largest early ratio": early}
        evidence = {k: v for k, v in evidence.items() if v is not None}
        if diverged:
            evidence["stopped"] = f"diverged at iteration {len(losses)}"
        findings.append(
            Finding(
                "learning_rate_high",
                None,
                evidence,
                "Lower the learning rate (by 10x to start with); `fcnet lr-find` suggests one.",
            )
        )
    falling = len(losses) > 1 and losses[-1] < 0.9 * losses[0]
    low_candidate = not high and ratio is not None and ratio < RATIO_LOW and not falling
    for name, stats in last[-1]["layers"].items() if last else []:
        dead = float(
            np.mean([r["layers"][name].get("dead", 0.0) for r in last if name in r["layers"]])
        )
        saturated = float(
            np.mean([r["layers"][name].get("saturated", 0.0) for r in last if name in r["layers"]])
        )
        if dead > DEAD:
            findings.append(
                Finding(
                    "dead_units",
                    name,
                    {"dead units": dead, "epoch": last[-1]["epoch"]},
                    "Most units never fire: lower the learning rate, start the biases at zero, use "
                    "'he' initialisation, or leaky_relu.",
                )
            )
        if saturated > SATURATED:
            findings.append(
                Finding(
                    "saturated_units",
                    name,
                    {"saturated activations": saturated, "epoch": last[-1]["epoch"]},
                    "The activations sit at their limits where the gradient is ~0: use relu, "
                    "'xavier' initialisation, scaled inputs, or batch norm.",
                )
            )
    explained = any(f.kind in ("dead_units", "saturated_units") for f in findings)
    if len(weights) >= 2 and last:
        first, final = weights[0], weights[-1]
        grads = [
            (r["params"][first]["grad_norm"], r["params"][final]["grad_norm"])
            for r in last
            if _finite(r["params"][first]["grad_norm"])
            and _finite(r["params"][final]["grad_norm"])
        ]
        ratio_depth = (
            float(np.median([a / b for a, b in grads if b > 0]))
            if any(b > 0 for _, b in grads)
            else None
        )
        largest = max(
            (
                p["grad_norm"]
                for r in last
                for p in r["params"].values()
                if _finite(p["grad_norm"])
            ),
            default=0.0,
        )
        if ratio_depth is not None and ratio_depth < VANISHING:
            findings.append(
                Finding(
                    "vanishing_gradients",
                    first,
                    {f"|d{first}| / |d{final}|": ratio_depth},
                    "The gradient fades on its way down: use relu instead of sigmoid/tanh, 'he' or "
                    "'xavier' initialisation, batch norm, or fewer layers.",
                )
            )
        elif (ratio_depth is not None and ratio_depth > EXPLODING) or largest > HUGE_GRADIENT:
            findings.append(
                Finding(
                    "exploding_gradients",
                    first,
                    {f"|d{first}| / |d{final}|": ratio_depth, "largest gradient norm": largest},
                    "The gradient grows on its way down: lower the learning rate, use smaller "
                    "initial weights, or batch norm.",
                )
            )
    explained = explained or any(
        f.kind in ("vanishing_gradients", "exploding_gradients") for f in findings
    )
    if (
        low_candidate and not explained
    ):  # weights that cannot move for another reason are not a rate problem
        findings.append(
            Finding(
                "learning_rate_low",
                None,
                {"median update/weight ratio": ratio},
                "The weights barely move: raise the learning rate (by 10x to start with), or use "
                "Adam; `fcnet lr-find` suggests one.",
            )
        )
    if len(losses) > 1 and not diverged and losses[-1] > 0.95 * losses[0]:
        findings.append(
            Finding(
                "not_learning",
                None,
                {"first loss": losses[0], "last loss": losses[-1]},
                "The loss has not fallen: check the learning rate (fcnet lr-find), the labels, and "
                "that the network can overfit a few samples.",
            )
        )
    if train and val and not diverged:
        gap = float(train[-1] - val[-1])
        if gap >= GAP:
            findings.append(
                Finding(
                    "overfitting",
                    None,
                    {
                        "train accuracy": float(train[-1]),
                        "validation accuracy": float(val[-1]),
                        "epoch": len(train) - 1,
                    },
                    "The network memorises the training set: add data, L2 (reg), dropout, or stop "
                    "earlier (early stopping).",
                )
            )
        learned = len(losses) > 1 and losses[-1] <= 0.95 * losses[0]
        healthy_rate = ratio is None or RATIO_LOW <= ratio <= RATIO_HIGH
        if (
            train[-1] < UNDERFIT_ACCURACY
            and abs(gap) <= 0.05
            and learned
            and healthy_rate
            and not high
            and _levelled_off(losses)
        ):
            findings.append(
                Finding(
                    "underfitting",
                    None,
                    {"train accuracy": float(train[-1]), "validation accuracy": float(val[-1])},
                    "Training and validation accuracy are both low although the loss falls at a "
                    "healthy rate and has levelled off: use a wider or deeper network.",
                )
            )
    return findings


def _levelled_off(losses: list[float]) -> bool:
    """The mean loss of the last quarter of the run is within STALLED of the quarter before it."""
    quarter = max(2, len(losses) // 4)
    if len(losses) < 2 * quarter:
        return False
    before, after = np.mean(losses[-2 * quarter : -quarter]), np.mean(losses[-quarter:])
    return bool(before - after < STALLED * abs(before))


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _median_ratio(records: list[dict], weights: list[str]) -> float | None:
    ratios = [
        r["params"][w]["update_ratio"]
        for r in records
        for w in weights
        if _finite(r["params"][w].get("update_ratio"))
    ]
    return float(np.median(ratios)) if ratios else None
