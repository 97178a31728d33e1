"""Time to 88% test accuracy on Fashion-MNIST (54,000 training images, the 10,000 test images): 784-300-300-10 ReLU,
Adam 1e-3, batch 100, float32, one thread, for fcnet's Solver, a PyTorch loop and scikit-learn's MLPClassifier.
Training seconds are summed epoch by epoch (each epoch with the Solver's accuracy check; the test accuracy after
it is measured outside the clock) until the test accuracy reaches 88%; 3 shuffled rounds, medians."""

from __future__ import annotations

import numpy as np

from _loops import fcnet_epochs, sklearn_epochs, torch_accuracy, torch_epochs
from _timing import Row, interleaved

TARGET = 0.88
MAX_EPOCHS = 15
ROUNDS = 3
HIDDEN = (300, 300)


def _test_accuracy(data, predict) -> float:
    return float(np.mean(predict(data["X_test"]) == data["y_test"]))


def _fcnet(data) -> tuple[float, int]:
    times = fcnet_epochs(
        data,
        HIDDEN,
        MAX_EPOCHS,
        100,
        on_epoch=lambda model: _test_accuracy(data, model.predict) >= TARGET,
    )
    return float(times.sum()), len(times)


def _torch(data) -> tuple[float, int]:
    import torch

    X_test = torch.from_numpy(np.ascontiguousarray(data["X_test"], dtype=np.float32))
    y_test = torch.from_numpy(data["y_test"].astype(np.int64))
    times = torch_epochs(
        data,
        HIDDEN,
        MAX_EPOCHS,
        100,
        on_epoch=lambda net: torch_accuracy(net, X_test, y_test) >= TARGET,
    )
    return float(times.sum()), len(times)


def _sklearn(data) -> tuple[float, int]:
    times = sklearn_epochs(
        data,
        HIDDEN,
        MAX_EPOCHS,
        100,
        on_epoch=lambda clf: _test_accuracy(data, clf.predict) >= TARGET,
    )
    return float(times.sum()), len(times)


COMPETITORS = {
    "fcnet Solver": _fcnet,
    "PyTorch loop, default Adam": _torch,
    "scikit-learn MLPClassifier": _sklearn,
}


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    from fcnet.data import load_dataset

    data = load_dataset("fashion-mnist")
    torch.set_num_threads(1)
    with threadpool_limits(1):
        results = interleaved(
            {name: lambda run=run: run(data) for name, run in COMPETITORS.items()}, ROUNDS
        )
    reference = float(np.median([s for s, _ in results["PyTorch loop, default Adam"]]))
    rows = []
    for name, runs in results.items():
        seconds, epochs = float(np.median([s for s, _ in runs])), sorted(e for _, e in runs)
        rows.append(
            Row(
                f"{name}: epochs to 88% {epochs}",
                seconds,
                "torch default Adam",
                reference,
                "<= 1.0",
            )
        )
        print(
            f"{name:<30} {seconds:7.2f} s to {TARGET:.0%} (epochs {epochs})   ratio {seconds / reference:5.2f}",
            flush=True,
        )
    return rows
