"""Seconds per epoch (the second one) across network shapes and batch sizes: fcnet's Solver against a PyTorch loop
with its default Adam, both with the Solver's accuracy check, on 6,000 Fashion-MNIST images (1,000 for validation),
Adam 1e-3, float32, one BLAS/torch thread; 5 shuffled rounds, medians.

The grid: batch 32/128/512/2048 (784-300-300-10); width 100/500/2000 (two hidden layers, batch 100); depth 2/4/8
hidden layers of 256 (batch 100); 784-512-256-10 with batch norm and dropout 0.2 (batch 100).
"""

from __future__ import annotations

import numpy as np

from _loops import fcnet_epochs, torch_epochs
from _timing import Row, interleaved

ROUNDS = 5
EPOCHS = 2
GRID = (
    [(f"batch {b}, 784-300-300-10", (300, 300), b, False, 0.0) for b in (32, 128, 512, 2048)]
    + [(f"width {w}, 784-{w}-{w}-10", (w, w), 100, False, 0.0) for w in (100, 500, 2000)]
    + [(f"depth {d} x 256", (256,) * d, 100, False, 0.0) for d in (2, 4, 8)]
    + [("784-512-256-10, batch norm, dropout 0.2", (512, 256), 100, True, 0.2)]
)


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    from fcnet.data import load_dataset

    full = load_dataset("fashion-mnist")
    data = {
        "X_train": full["X_train"][:6000],
        "y_train": full["y_train"][:6000],
        "X_val": full["X_val"][:1000],
        "y_val": full["y_val"][:1000],
    }
    torch.set_num_threads(1)
    rows = []
    with threadpool_limits(1):
        for name, hidden, batch, batchnorm, dropout in GRID:
            times = interleaved(
                {  # the second epoch's seconds
                    "fcnet": lambda: fcnet_epochs(data, hidden, EPOCHS, batch, batchnorm, dropout)[
                        -1
                    ],
                    "torch": lambda: torch_epochs(
                        data, hidden, EPOCHS, batch, batchnorm=batchnorm, dropout=dropout
                    )[-1],
                },
                ROUNDS,
            )
            fcnet, reference = float(np.median(times["fcnet"])), float(np.median(times["torch"]))
            rows.append(Row(name, fcnet, "torch default Adam, same check", reference, "<= 1.0"))
            print(
                f"{name:<42} fcnet {fcnet:7.3f} s   torch {reference:7.3f} s   ratio {fcnet / reference:5.2f}",
                flush=True,
            )
    return rows
