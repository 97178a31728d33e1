"""The fused update loops (numba) against the NumPy rules they fuse: one Optimizer step over 784-300-300-10's
parameters (float32), and a whole Solver epoch (Adam, batch 100, 12,000 Fashion-MNIST images or random data of
that shape), each path in the same process, interleaved in shuffled rounds, medians of 7 (steps: of 50 steps each),
at 1 and 2 threads. The compilation is paid before the clock starts (cache=True: once per machine)."""

from __future__ import annotations

import os
import time

import numpy as np

from _timing import Row, interleaved

ROUNDS = 7


def _with(path: str, fn):
    def run():
        previous = os.environ.get("FCNET_KERNELS")
        os.environ["FCNET_KERNELS"] = path
        try:
            return fn()
        finally:
            if previous is None:
                os.environ.pop("FCNET_KERNELS", None)
            else:
                os.environ["FCNET_KERNELS"] = previous

    return run


def _steps(rule: str) -> float:
    from fcnet.optimizer import Optimizer

    rng = np.random.default_rng(0)
    shapes = {
        "W1": (784, 300),
        "b1": (300,),
        "W2": (300, 300),
        "b2": (300,),
        "W3": (300, 10),
        "b3": (10,),
    }
    params = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    grads = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    optimizer = Optimizer(params, rule, learning_rate=1e-3)
    optimizer.step(grads)
    start = time.perf_counter()
    for _ in range(50):
        optimizer.step(grads)
    return (time.perf_counter() - start) / 50


def run() -> list[Row]:
    from threadpoolctl import threadpool_limits

    from bench_diagnostics import epoch_seconds, fashion_subset

    data = fashion_subset()
    for rule in ("adam", "sgd_momentum"):
        _with("numba", lambda rule=rule: _steps(rule))()  # compile before any clock
    rows = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            for rule in ("adam", "sgd_momentum", "rmsprop"):
                times = interleaved(
                    {p: _with(p, lambda r=rule: _steps(r)) for p in ("numpy", "numba")}, ROUNDS
                )
                numba, numpy_ = float(np.median(times["numba"])), float(np.median(times["numpy"]))
                print(
                    f"{threads} thread(s) {rule} step: numba {numba * 1e3:.3f} ms, numpy {numpy_ * 1e3:.3f} ms, "
                    f"ratio {numba / numpy_:.2f}",
                    flush=True,
                )
                rows.append(
                    Row(
                        f"{rule} step, fused / numpy ({threads} thread(s))",
                        numba,
                        "fcnet numpy rule",
                        numpy_,
                    )
                )
            times = interleaved(
                {p: _with(p, lambda: epoch_seconds(data)) for p in ("numpy", "numba")}, 5
            )
            numba, numpy_ = float(np.median(times["numba"])), float(np.median(times["numpy"]))
            print(
                f"{threads} thread(s) Adam epoch: numba {numba:.3f} s, numpy {numpy_:.3f} s, ratio "
                f"{numba / numpy_:.2f}",
                flush=True,
            )
            rows.append(
                Row(
                    f"Adam epoch, fused / numpy ({threads} thread(s))",
                    numba,
                    "fcnet numpy rules",
                    numpy_,
                )
            )
    return rows
