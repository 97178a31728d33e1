"""Seconds per training epoch on Fashion-MNIST (54,000 images), 784-300-300-10 ReLU, softmax, Adam 1e-3, batch 100,
float32: fcnet's Solver, a PyTorch loop with its default Adam and with Adam(fused=True), scikit-learn's
MLPClassifier (partial_fit, one epoch a call) and the GEMM floor (the 8 matrix products a step needs, in NumPy).

Competitors run in this process, interleaved in shuffled rounds, at 1 and then 2 BLAS/torch threads; each run trains
EPOCHS epochs, and the table gives the median over rounds of epoch 1 and of the later epochs, with the ratio to
PyTorch's default loop. Every epoch ends with the Solver's accuracy check (1,000 training and all 6,000 validation
images): fcnet's Solver does it, and the PyTorch and scikit-learn loops do the same, so all time the same work.
"""

from __future__ import annotations

import time

import numpy as np

from _loops import fcnet_epochs, sklearn_epochs, torch_epochs
from _timing import Row, interleaved

ROUNDS = 5
EPOCHS = 3
HIDDEN = (300, 300)
BATCH = 100


def _fcnet(data):
    return fcnet_epochs(data, HIDDEN, EPOCHS, BATCH)


def _torch(data, fused):
    return torch_epochs(data, HIDDEN, EPOCHS, BATCH, fused=fused)


def _sklearn(data):
    return sklearn_epochs(data, HIDDEN, EPOCHS, BATCH)


def _gemm_floor(data):
    rng = np.random.default_rng(0)
    dims = (784, *HIDDEN, 10)
    acts = [rng.standard_normal((BATCH, d)).astype(np.float32) for d in dims]
    weights = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(dims[:-1], dims[1:])]
    steps = len(data["y_train"]) // BATCH
    times = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        for _ in range(steps):
            for i, W in enumerate(weights):  # forward: 3 products
                acts[i + 1] = acts[i] @ W
            for i in reversed(
                range(len(weights))
            ):  # backward: 3 weight gradients, 2 input gradients
                _ = acts[i].T @ acts[i + 1]
                if i > 0:
                    _ = acts[i + 1] @ weights[i].T
        times.append(time.perf_counter() - start)
    return np.array(times)


COMPETITORS = {
    "fcnet Solver": _fcnet,
    "PyTorch loop, default Adam": lambda data: _torch(data, fused=False),
    "PyTorch loop, Adam(fused=True)": lambda data: _torch(data, fused=True),
    "scikit-learn MLPClassifier": _sklearn,
    "GEMM floor (8 products a step)": _gemm_floor,
}


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    from fcnet.data import load_dataset

    data = load_dataset("fashion-mnist")
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        with threadpool_limits(threads):
            times = interleaved(
                {name: lambda run=run: run(data) for name, run in COMPETITORS.items()}, ROUNDS
            )
        reference = float(np.median([t[1:] for t in times["PyTorch loop, default Adam"]]))
        for name, runs in times.items():
            first, later = (
                float(np.median([t[0] for t in runs])),
                float(np.median([t[1:] for t in runs])),
            )
            rows.append(
                Row(
                    f"{threads} thread(s): {name}, epoch 1 {first:.2f} s",
                    later,
                    "torch default Adam, epochs 2+",
                    reference,
                    "<= 0.8 (fcnet, 1 thread)",
                )
            )
            print(
                f"{threads} thread(s) {name:<32} epoch 1 {first:6.2f} s   later {later:6.2f} s   "
                f"ratio {later / reference:5.2f}",
                flush=True,
            )
    return rows
