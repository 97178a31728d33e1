"""The cost of the training diagnostics (fcnet.diagnostics: activations, gradient norms and update ratios measured
20 times an epoch): fcnet's Solver on 784-300-300-10 (Adam, batch 100, float32, 12,000 Fashion-MNIST images or
random data of that shape when the dataset is absent) with diagnostics on and off, interleaved in shuffled rounds,
medians of 5 epochs, at 1 thread. Goal: at most 1.03 (3% of an epoch)."""

from __future__ import annotations

import time

import numpy as np

from _timing import Row, interleaved

ROUNDS = 5


def fashion_subset():
    try:
        from fcnet.data import load_dataset

        return load_dataset("fashion-mnist", seed=0, limit=14000)
    except (FileNotFoundError, ValueError):
        rng = np.random.default_rng(0)
        X = rng.random((14000, 784), dtype=np.float32)
        y = rng.integers(0, 10, 14000)
        return {"X_train": X[:12000], "y_train": y[:12000], "X_val": X[12000:], "y_val": y[12000:]}


def epoch_seconds(data, diagnostics: bool = False) -> float:
    """One Solver epoch of 784-300-300-10 (Adam 1e-3, batch 100, float32) on `data`, in seconds (bench_fused
    times the same epoch)."""
    from fcnet import FullyConnectedNet
    from fcnet.solver import Solver

    model = FullyConnectedNet([300, 300], input_dim=784, num_classes=10, weight_scale="he", seed=0)
    solver = Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=1,
        batch_size=100,
        seed=0,
        verbose=False,
        progress=False,
        diagnostics=diagnostics,
    )
    start = time.perf_counter()
    solver.train()
    return time.perf_counter() - start


def run() -> list[Row]:
    from threadpoolctl import threadpool_limits

    data = fashion_subset()
    with threadpool_limits(1):
        epoch_seconds(data, True)  # warm-up
        times = interleaved(
            {"on": lambda: epoch_seconds(data, True), "off": lambda: epoch_seconds(data, False)},
            ROUNDS,
        )
    on, off = float(np.median(times["on"])), float(np.median(times["off"]))
    print(
        f"1 thread: epoch with diagnostics {on:.3f} s, without {off:.3f} s, ratio {on / off:.3f}",
        flush=True,
    )
    return [
        Row(
            "epoch with diagnostics / without (1 thread)",
            on,
            "fcnet, diagnostics off",
            off,
            "<= 1.03",
        )
    ]
