"""Memory of prediction: 60,000 samples of 784 features through a [600, 500, 400, 300, 200, 100] network."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from _timing import Row
from fcnet import FullyConnectedNet


def run() -> list[Row]:
    X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    model = FullyConnectedNet(
        [600, 500, 400, 300, 200, 100],
        input_dim=784,
        num_classes=10,
        normalization="batchnorm",
        dropout=0.25,
        seed=0,
    )
    tracemalloc.start()
    start = time.perf_counter()
    labels = model.predict(X)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    model.predict_proba(X)
    _, peak_proba = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert labels.shape == (60000,)
    return [
        Row(
            f"predict 60000x784: {peak / 2**20:.1f} MiB above the input",
            seconds,
            "goal (MiB)",
            None,
            "< 300 MB",
        ),
        Row(
            f"predict_proba 60000x784: {peak_proba / 2**20:.1f} MiB above the input",
            0.0,
            "-",
            None,
        ),
    ]
