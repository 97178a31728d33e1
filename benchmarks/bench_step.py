"""One training step of 784-300-300-10 (Adam, batch 100, float32) three ways, to tell fcnet's own structure from
the operations it runs: fcnet's Solver step (numba kernels), the same operations written out by hand with no
module, check or bookkeeping around them (NumPy's bias and ReLU, fcnet's fused softmax loss and Adam loops), and
the step's 8 matrix products alone. In one process, interleaved in shuffled rounds of 100 steps, medians; CPU time
at 1 thread, wall time at 2."""

from __future__ import annotations

import os
import time

import numpy as np

from _loops import step_products
from _timing import Row, interleaved

N, D, B, ROUNDS = 20_000, 784, 100, 9
DIMS = (D, 300, 300, 10)


def _competitors(data, rng):
    from fcnet import FullyConnectedNet
    from fcnet import _fused_numba as K
    from fcnet.solver import Solver

    os.environ["FCNET_KERNELS"] = "numba"
    model = FullyConnectedNet(list(DIMS[1:-1]), input_dim=D, dtype=np.float32, seed=0)
    solver = Solver(model, data, update_rule="adam", batch_size=B, verbose=False, seed=0)
    X, y = data["X_train"], data["y_train"]
    W = [(0.05 * rng.standard_normal((a, b))).astype(np.float32) for a, b in zip(DIMS, DIMS[1:])]
    b = [np.zeros(m, np.float32) for m in DIMS[1:]]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in W + b]
    f = np.float32
    scalars = (f(0.9), f(0.1), f(0.999), f(0.001), f(1.0), f(1e-8), f(1e-3), f(0.0))
    acts = [rng.standard_normal((B, d)).astype(np.float32) for d in DIMS]

    def fcnet_steps():
        for _ in range(100):
            solver._step()
            solver.t += 1

    def by_hand():
        for _ in range(100):
            idx = rng.integers(0, N, B)
            x, t = X[idx], y[idx]
            h1 = np.maximum(x @ W[0] + b[0], 0)
            h2 = np.maximum(h1 @ W[1] + b[1], 0)
            scores = h2 @ W[2] + b[2]
            d3 = np.empty_like(scores)
            K.softmax_loss(scores, t, d3)
            grads = [None, None, h2.T @ d3, None, None, d3.sum(0)]
            d2 = (d3 @ W[2].T) * (h2 > 0)
            grads[1], grads[4] = h1.T @ d2, d2.sum(0)
            d1 = (d2 @ W[1].T) * (h1 > 0)
            grads[0], grads[3] = x.T @ d1, d1.sum(0)
            for p, g, (m, v) in zip(W + b, grads, moments):
                K.adam(p, g, m, v, *scalars)

    def products():
        for _ in range(100):
            step_products(acts, W)

    return {"fcnet Solver step": fcnet_steps, "by hand": by_hand, "products": products}


def run() -> list[Row]:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D)).astype(np.float32)
    y = rng.integers(0, 10, N)
    data = {"X_train": X, "y_train": y, "X_val": X[:1000], "y_val": y[:1000]}
    rows = []
    for threads in (1, 2):
        clock = time.process_time if threads == 1 else time.perf_counter
        with threadpool_limits(threads):
            competitors = _competitors(data, rng)
            for run_ in competitors.values():
                run_()  # warm: numba's load, the caches

            def timed(run_):
                start = clock()
                run_()
                return (clock() - start) / 100

            times = interleaved({n: lambda r=r: timed(r) for n, r in competitors.items()}, ROUNDS)
        floor = float(np.median(times["products"]))
        for name in ("fcnet Solver step", "by hand"):
            seconds = float(np.median(times[name]))
            print(
                f"{threads} thread(s) {name:<18} {seconds * 1e3:.3f} ms / products {seconds / floor:.2f}"
            )
            rows.append(
                Row(
                    f"784-300-300-10 step, {threads} thread(s): {name}",
                    seconds,
                    "the 8 products",
                    floor,
                )
            )
    return rows
