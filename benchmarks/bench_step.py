"""The steps of 784-300-300-10 on Fashion-MNIST (Adam, batch 100, float32, 54,000 images) taken apart against
their 8 matrix products (the GEMM floor's unit, `step_products`), at 1 and 2 threads: what the Solver runs (its
compiled runs, fcnet.compiled_steps, called as Solver.train calls them, without the epoch's checks), the same
gathers and one-call steps (fcnet._fused_numba.relu_stack_step) in a compiled loop with no update, and Adam's
loops alone on the network's 330,000 parameters. In one process, interleaved in shuffled rounds of 256 steps,
medians of 15; wall time.

What a step costs beyond its products is then (no update - products) + Adam's loops: the gather and the fused
elementwise loops, and the update rule's square root and division per parameter, which the exact formula keeps
(fcnet.optim's Adam, PyTorch's); the Solver's runs add their bookkeeping and whatever the caches lose between them.
"""

from __future__ import annotations

import os
import time

import numpy as np

from _loops import step_products
from _timing import Row, interleaved

D, B, STEPS, ROUNDS = 784, 100, 256, 15
DIMS = (D, 300, 300, 10)


def _gathered_steps():
    """A compiled loop of `steps` gathers and one-call steps from `first` in `order`, no update."""
    from numba import njit

    from fcnet._fused_numba import relu_stack_step

    @njit(nogil=True)
    def steps(data, data_labels, order, first, batch, labels, weights, biases, outputs, count):
        n = batch.shape[0]
        for s in range(count):
            for i in range(n):
                row = order[first + s * n + i]
                batch[i, :] = data[row, :]
                labels[i] = data_labels[row]
            relu_stack_step(batch, weights, biases, labels, outputs)

    return steps


def _competitors(data, rng):
    from fcnet import FullyConnectedNet, plain_stack
    from fcnet import _fused_numba as K
    from fcnet.solver import Solver

    os.environ["FCNET_KERNELS"] = "numba"
    model = FullyConnectedNet(
        list(DIMS[1:-1]), input_dim=D, dtype=np.float32, weight_scale="he", seed=0
    )
    solver = Solver(model, data, update_rule="adam", batch_size=B, verbose=False, seed=0)
    solver._advance()  # the first step, checked, goes step by step
    solver.t += 1
    X, y = data["X_train"], data["y_train"]
    W = [(0.05 * rng.standard_normal((a, b))).astype(np.float32) for a, b in zip(DIMS, DIMS[1:])]
    b = [np.zeros(m, np.float32) for m in DIMS[1:]]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in W + b]
    grads = [rng.standard_normal(p.shape).astype(np.float32) for p in W + b]
    f = np.float32
    scalars = (f(0.9), f(0.1), f(0.999), f(0.001), f(1.0), f(1e-8), f(1e-3), f(0.0))
    acts = [rng.standard_normal((B, d)).astype(np.float32) for d in DIMS]
    gathered = _gathered_steps()
    batch, labels = np.empty((B, D), np.float32), np.empty(B, y.dtype)
    outputs = plain_stack.step_outputs(B, list(zip(W, b)))
    n = len(y)
    order = rng.permutation(n)

    def solver_runs():
        done = 0
        while done < STEPS:
            updates, _ = solver._advance()
            solver.t += updates
            done += updates

    def no_update():
        first = int(rng.integers(0, n // B - STEPS)) * B
        gathered(X, y, order, first, batch, labels, tuple(W), tuple(b), outputs, STEPS)

    def adam_alone():
        for _ in range(STEPS):
            for p, g, (m, v) in zip(W + b, grads, moments):
                K.adam(p, g, m, v, *scalars)

    def products():
        for _ in range(STEPS):
            step_products(acts, W)

    return {
        "Solver, compiled runs": solver_runs,
        "gathers and one-call steps, no update": no_update,
        "Adam's loops alone": adam_alone,
        "products": products,
    }


def run() -> list[Row]:
    from threadpoolctl import threadpool_limits

    from fcnet.data import load_dataset

    rng = np.random.default_rng(0)
    data = {
        k: np.ascontiguousarray(v, dtype=np.float32) if k.startswith("X") else v
        for k, v in load_dataset("fashion-mnist").items()
    }
    rows = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            competitors = _competitors(data, rng)
            for run_ in competitors.values():
                run_()  # warm: numba's load and compiles, the caches

            def timed(run_):
                start = time.perf_counter()
                run_()
                return (time.perf_counter() - start) / STEPS

            times = interleaved(
                {n: lambda r=r: timed(r) for n, r in competitors.items()},
                ROUNDS,
                pause=0.15 if threads > 1 else 0.0,
            )
        medians = {name: float(np.median(t)) for name, t in times.items()}
        floor = medians["products"]
        for name, seconds in medians.items():
            print(
                f"{threads} thread(s) {name:<38} {seconds * 1e6:7.0f} us / products {seconds / floor:.3f}"
            )
            rows.append(
                Row(
                    f"784-300-300-10 step, {threads} thread(s): {name}",
                    seconds,
                    "the 8 products",
                    floor,
                )
            )
        beyond = (
            medians["gathers and one-call steps, no update"]
            - floor
            + medians["Adam's loops alone"]
        )
        apart = (floor + beyond) / floor
        print(
            f"{threads} thread(s) products + what the step adds, apart: {apart:.3f} of the products"
        )
    return rows
