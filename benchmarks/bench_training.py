"""Training: one epoch against PyTorch CPU (same network, batch size and optimizer), and the Solver's overhead."""

from __future__ import annotations

import time

import numpy as np

from _timing import Row
from fcnet import FullyConnectedNet
from fcnet.data import load_dataset
from fcnet.solver import Solver

HIDDEN = [300, 300]
BATCH = 100
EPOCHS = 3  # per-epoch figures from a 3-epoch run: one accuracy check per epoch, plus the one after iteration 1


def fcnet_epoch(data) -> tuple[float, Solver]:
    model = FullyConnectedNet(
        HIDDEN, input_dim=784, num_classes=10, weight_scale=0.01, dtype=np.float32, seed=0
    )
    solver = Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=EPOCHS,
        batch_size=BATCH,
        verbose=False,
        seed=0,
    )
    start = time.perf_counter()
    solver.train()
    return (time.perf_counter() - start) / EPOCHS, solver


def torch_epoch(data) -> float | None:
    """Seconds per epoch of the same network in a PyTorch loop (bench_epoch's), None without torch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    from _loops import torch_epochs

    return float(np.mean(torch_epochs(data, (300, 300), 3, 100)))


def run() -> list[Row]:
    data = load_dataset("fashion-mnist")
    rows = []
    for attempt in range(2):  # the first pass warms caches and thread pools; report the second
        t_fcnet, solver = fcnet_epoch(data)
        t_torch = torch_epoch(data)
    rows.append(
        Row(
            f"epoch 784-300-300-10 ReLU Adam f32 ({len(data['y_train'])} samples)",
            t_fcnet,
            "torch CPU, same net/batch/Adam" if t_torch else "torch not installed",
            t_torch,
            "<= 1.2",
        )
    )
    # "steps": the compiled runs of steps (fcnet.compiled_steps), their losses and updates together
    timings = solver.timings
    other = timings["total"] - timings["loss"] - timings["update"] - timings["steps"]
    rows.append(
        Row(
            "Solver besides model.loss and the update, per epoch",
            other / EPOCHS,
            "the whole epoch",
            solver.timings["total"] / EPOCHS,
            "< 0.05",
        )
    )
    return rows
