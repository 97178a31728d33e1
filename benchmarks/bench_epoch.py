"""Seconds per training epoch (Adam 1e-3, batch 100, float32, softmax) against the GEMM floor (the 8 matrix
products a step of a two-hidden-layer network needs, in NumPy, 6 for one hidden layer) and against PyTorch, at 1
and 2 BLAS/torch threads, on three networks:

- 784-300-300-10 on Fashion-MNIST (54,000 images): fcnet's Solver on both kernel paths (FCNET_KERNELS numba and
  numpy), a PyTorch loop with its default Adam and with Adam(fused=True), scikit-learn's MLPClassifier (partial_fit,
  one epoch a call), the GEMM floor (the steps' products and those of the epoch's accuracy check);
- 64-100-10 on scikit-learn's digits (1,257 images) and 784-2000-2000-10 on 6,000 Fashion-MNIST images: fcnet on
  both paths, PyTorch's fused Adam, the floor.

Competitors run in this process, interleaved in shuffled rounds with a pause between two of them; each run trains
EPOCHS epochs, and the tables give the median over rounds of the later epochs (epoch 1 holds numba's load and, on a
new machine, its compile: stated apart). The printed lines add the paired ratio to the floor: each round's median of
later epochs over the floor's in the same round, the median over rounds (a slow spell of the shared machine that
spans a round then falls on both sides of the ratio). Every epoch ends with the Solver's accuracy check (1,000
training images and the validation set), which the PyTorch and scikit-learn loops do too.
"""

from __future__ import annotations

import os
import time

import numpy as np

from _loops import fcnet_epochs, sklearn_epochs, step_products, torch_epochs
from _timing import Row, interleaved

BATCH = 100
NETWORKS = {  # name: (hidden layers, data, training images, rounds, epochs, the standard competitors too)
    "784-300-300-10": ((300, 300), "fashion-mnist", None, 5, 3, True),
    "64-100-10 (digits)": ((100,), "digits", None, 5, 8, False),
    "784-2000-2000-10": ((2000, 2000), "fashion-mnist", 6000, 3, 3, False),
}
FLOOR = "GEMM floor"


def _fcnet(data, hidden, epochs, kernels):
    previous = os.environ.get("FCNET_KERNELS")
    os.environ["FCNET_KERNELS"] = kernels
    try:
        return fcnet_epochs(data, hidden, epochs, BATCH)
    finally:
        os.environ.pop("FCNET_KERNELS") if previous is None else os.environ.update(
            FCNET_KERNELS=previous
        )


def gemm_floor(data, hidden, epochs) -> np.ndarray:
    """Seconds per epoch of the matrix products alone: per step, forward x @ W per layer, backward x.T @ dout per
    layer and dout @ W.T for every layer but the first; per epoch, the forward products of the accuracy check
    that ends it (1,000 training images and the validation set, in the Solver's batches), which every competitor
    runs too."""
    from fcnet.solver import _EVAL_BATCH

    rng = np.random.default_rng(0)
    dims = (data["X_train"].shape[1], *hidden, 10)
    acts = [rng.standard_normal((BATCH, d)).astype(np.float32) for d in dims]
    weights = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(dims[:-1], dims[1:])]
    steps = len(data["y_train"]) // BATCH
    checked = min(1000, len(data["y_train"])) + len(data["y_val"])
    images = rng.standard_normal((checked, dims[0])).astype(np.float32)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for _ in range(steps):
            step_products(acts, weights)
        for first in range(0, checked, _EVAL_BATCH):
            out = images[first : first + _EVAL_BATCH]
            for W in weights:
                out = out @ W
        times.append(time.perf_counter() - start)
    return np.array(times)


def _paired_ratio(runs: list, floor_runs: list) -> float:
    """The median over rounds of a competitor's median later epoch over the floor's in the same round."""
    return float(
        np.median([np.median(a[1:]) / np.median(b[1:]) for a, b in zip(runs, floor_runs)])
    )


def competitors(hidden, epochs, standard: bool) -> dict:
    out = {
        "fcnet Solver, numba kernels": lambda d: _fcnet(d, hidden, epochs, "numba"),
        "fcnet Solver, NumPy kernels": lambda d: _fcnet(d, hidden, epochs, "numpy"),
        "PyTorch loop, Adam(fused=True)": lambda d: torch_epochs(
            d, hidden, epochs, BATCH, fused=True
        ),
        FLOOR: lambda d: gemm_floor(d, hidden, epochs),
    }
    if standard:
        out["PyTorch loop, default Adam"] = lambda d: torch_epochs(d, hidden, epochs, BATCH)
        out["scikit-learn MLPClassifier"] = lambda d: sklearn_epochs(d, hidden, epochs, BATCH)
    return out


def _data(name: str, limit: int | None) -> dict:
    from fcnet.data import load_dataset

    data = load_dataset(name)
    data = {
        k: np.ascontiguousarray(v, dtype=np.float32) if k.startswith("X") else v
        for k, v in data.items()
    }
    if limit:
        data["X_train"], data["y_train"] = data["X_train"][:limit], data["y_train"][:limit]
    return data


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    rows = []
    for network, (hidden, dataset, limit, rounds, epochs, standard) in NETWORKS.items():
        data = _data(dataset, limit)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with threadpool_limits(threads):
                times = interleaved(
                    {
                        name: lambda run=run: run(data)
                        for name, run in competitors(hidden, epochs, standard).items()
                    },
                    rounds,
                    pause=0.15 if threads > 1 else 0.0,
                )
            later = {n: float(np.median([t[1:] for t in runs])) for n, runs in times.items()}
            first = {n: float(np.median([t[0] for t in runs])) for n, runs in times.items()}
            floor, torch_fused = later[FLOOR], later["PyTorch loop, Adam(fused=True)"]
            paired = {n: _paired_ratio(runs, times[FLOOR]) for n, runs in times.items()}
            for name, seconds in later.items():
                print(
                    f"{network:<18} {threads} thread(s) {name:<32} epoch 1 {first[name]:7.3f} s   "
                    f"later {seconds:7.3f} s   / floor {seconds / floor:5.2f}   "
                    f"/ PyTorch fused Adam {seconds / torch_fused:5.2f}   paired / floor {paired[name]:5.2f}",
                    flush=True,
                )
                rows.append(
                    Row(
                        f"{network}, {threads} thread(s): {name}",
                        seconds,
                        "GEMM floor, epochs 2+",
                        floor,
                        "<= 1.3 (1 thread), <= 1.5 (2); < PyTorch fused Adam"
                        if name.startswith("fcnet") and "numba" in name
                        else "",
                    )
                )
    return rows
