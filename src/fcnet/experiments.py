"""Experiments on a configured network beyond one run: the update rules compared on the same network (the MNIST MLP
homework's comparison), and the numerical gradient check behind `fcnet gradcheck`."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from fcnet.run_config import TrainConfig
from fcnet.runs import check_trainable
from fcnet.runs import accuracy, build_model, load_data, make_solver, num_classes_of
from fcnet.solver import Solver


# the MNIST MLP homework's learning rates for its comparison
HOMEWORK_LEARNING_RATES = {
    "sgd": 0.1,
    "sgd_momentum": 1e-3,
    "nesterov_momentum": 1e-3,
    "adagrad": 1e-3,
    "rmsprop": 1e-3,
    "adam": 1e-3,
    "adabelief": 1e-3,
}


def rule_configs(
    config: TrainConfig, rules: Sequence[str], learning_rates: dict[str, float] | None = None
) -> dict[str, TrainConfig]:
    """`config` for each update rule (with its learning rate), every one checked as the Solver will check it."""
    learning_rates = {**HOMEWORK_LEARNING_RATES, **(learning_rates or {})}
    configs = {
        rule: dataclasses.replace(
            config, update_rule=rule, learning_rate=learning_rates.get(rule, config.learning_rate)
        )
        for rule in rules
    }
    for rule, rule_config in configs.items():
        check_trainable(rule_config, f"rule {rule}")
    return configs


@dataclass(frozen=True)
class RuleResult:
    """One update rule's run in a comparison: its Solver (histories, best_val_acc, stop_reason), the seconds its
    training took, and the test accuracy of its best state (None without a test split)."""

    solver: Solver
    seconds: float
    test_acc: float | None


def compare_optimizers(
    config: TrainConfig,
    rules: Sequence[str],
    learning_rates: dict[str, float] | None = None,
    verbose: bool = False,
    data: dict | None = None,
    on_result: Callable[[str, RuleResult], None] | None = None,
) -> dict[str, RuleResult]:
    """Train the same network (same initial weights) with each update rule; returns each rule's result. Every
    rule's options are checked before the first one trains."""
    configs = rule_configs(config, rules, learning_rates)
    data = load_data(config) if data is None else data
    results = {}
    for rule in rules:
        rule_config = configs[rule]
        model = build_model(
            rule_config, int(np.prod(data["X_train"].shape[1:])), num_classes_of(data)
        )
        solver = make_solver(model, data, rule_config, verbose=verbose)
        start = time.perf_counter()
        solver.train()
        seconds = time.perf_counter() - start
        test_acc = accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else None
        results[rule] = RuleResult(solver, seconds, test_acc)
        if on_result is not None:
            on_result(rule, results[rule])
    return results


GRADCHECK_STEP = (
    1e-6  # small enough that a ReLU kink is rarely within reach, large enough for float64 rounding
)


def gradient_check(
    config: TrainConfig,
    num_samples: int = 4,
    input_dim: int = 12,
    num_classes: int = 5,
    seed: int = 0,
) -> dict[str, float]:
    """Per parameter, the relative error between the analytic and the numerical (centred differences) gradient of
    a float64 network configured like `config`, on random data.

    The error is ``||analytic - numeric|| / max(||analytic|| + ||numeric||, largest analytic gradient norm)``: a
    parameter whose gradient is (near) zero, such as a bias just before batch norm, is judged against the scale of
    the network's gradients rather than against rounding noise. Element-wise maxima would flag exactly those."""
    from fcnet.gradient_check import eval_numerical_gradient

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((num_samples, input_dim))
    y = rng.integers(num_classes, size=num_samples)
    model = build_model(dataclasses.replace(config, dtype="float64"), input_dim, num_classes)
    _, grads = model.loss(X, y)
    numeric = {
        name: eval_numerical_gradient(
            lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=GRADCHECK_STEP
        )
        for name in grads
    }
    scale = max(float(np.linalg.norm(g)) for g in grads.values())
    return {
        name: float(
            np.linalg.norm(grads[name] - numeric[name])
            / max(np.linalg.norm(grads[name]) + np.linalg.norm(numeric[name]), scale, 1e-300)
        )
        for name in sorted(grads)
    }
