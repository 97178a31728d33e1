"""The MNIST MLP homework's experiment on Fashion-MNIST: 784-300-300-10, LeakyReLU 0.1, weight std 0.01, batch 100,
about 10,000 iterations, each update rule at the homework's learning rate. Prints test accuracy and time per rule.

The homework trains on all 60,000 images and reads test accuracy along the way; here 6,000 of them are held out for
validation (the Solver keeps the best-validation parameters) and the test set is used once, at the end.
"""

from __future__ import annotations

import math
import time

import numpy as np

from _timing import Row
from fcnet import FullyConnectedNet
from fcnet.data import load_dataset
from fcnet.experiments import HOMEWORK_LEARNING_RATES  # the MNIST MLP homework's learning rates
from fcnet.solver import Solver

ITERATIONS = 10_000
BATCH = 100


def run() -> list[Row]:
    data = load_dataset("fashion-mnist")
    epochs = math.ceil(ITERATIONS / (len(data["y_train"]) // BATCH))
    rows = []
    for rule, lr in HOMEWORK_LEARNING_RATES.items():
        model = FullyConnectedNet(
            [300, 300],
            input_dim=784,
            num_classes=10,
            weight_scale=0.01,
            activation="leaky_relu",
            alpha=0.1,
            seed=1,
        )
        solver = Solver(
            model,
            data,
            update_rule=rule,
            optim_config={"learning_rate": lr},
            num_epochs=epochs,
            batch_size=BATCH,
            verbose=False,
            seed=0,
        )
        start = time.perf_counter()
        solver.train()
        seconds = time.perf_counter() - start
        test_acc = float(np.mean(model.predict(data["X_test"]) == data["y_test"]))
        rows.append(
            Row(
                f"{rule:<17} lr={lr:<5g} {solver.t} its: test acc {test_acc:.4f}",
                seconds,
                "-",
                None,
                ">= 0.88 (adam)" if rule == "adam" else "",
            )
        )
        print(
            f"{rule}: val {solver.best_val_acc:.4f} test {test_acc:.4f} {seconds:.1f}s", flush=True
        )
    return rows
