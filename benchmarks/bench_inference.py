"""Inference: 60,000 x 784 float32 through [600, 500, 400, 300, 200, 100] (ReLU), predicted labels, batches of 1,000:
images per second (5 shuffled rounds, medians, 1 and 2 threads) and peak memory above the input, for fcnet's
predict and PyTorch in eval mode under no_grad. Peak memory is measured in a fresh process for each library (an
allocator that keeps its pool would otherwise hide its need): the peak resident set during one prediction above the
size before it (Linux's VmHWM, reset through /proc/self/clear_refs), the same measure for both."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import numpy as np

from _timing import Row

ROUNDS = 5
HIDDEN = (600, 500, 400, 300, 200, 100)
BATCH = 1000


def _status(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) * 1024


def peak_above(fn) -> int:
    """Bytes of resident memory `fn` needs above what the process held before it."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = _status("VmRSS")
    fn()
    return _status("VmHWM") - before


def _peak_in_fresh_process(who: str) -> int:
    """Run in a child process: the input, the model, then one prediction under peak_above."""
    import torch

    from _torch_nets import torch_net
    from fcnet import FullyConnectedNet

    torch.set_num_threads(1)
    X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    if who == "fcnet":
        model = FullyConnectedNet(list(HIDDEN), input_dim=784, weight_scale="he", seed=0)

        def predict(X):
            return model.predict(X, batch_size=BATCH)
    else:
        net = torch_net(784, HIDDEN).eval()

        def predict(X):
            X = torch.from_numpy(X)
            with torch.no_grad():
                return torch.cat([net(X[i:i + BATCH]).argmax(1) for i in range(0, len(X), BATCH)])

    predict(X[:2 * BATCH])  # the BLAS library's own buffers, allocated at its first call, are not the call's need
    return peak_above(lambda: predict(X))


def fresh_process_peak(who: str) -> int:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_peak_in_fresh_process, (who,))


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    from _torch_nets import torch_net
    from fcnet import FullyConnectedNet

    X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    model = FullyConnectedNet(list(HIDDEN), input_dim=784, weight_scale="he", seed=0)
    net = torch_net(784, HIDDEN).eval()
    X_torch = torch.from_numpy(X)

    def fcnet_predict():
        return model.predict(X, batch_size=BATCH)

    def torch_predict():
        with torch.no_grad():
            return torch.cat([net(X_torch[i:i + BATCH]).argmax(1) for i in range(0, len(X), BATCH)])

    assert np.array_equal(fcnet_predict().shape, torch_predict().shape)
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        times: dict[str, list[float]] = {"fcnet": [], "torch": []}
        with threadpool_limits(threads):
            for round_ in range(ROUNDS):
                order = list(times)
                random.Random(round_).shuffle(order)
                for who in order:
                    start = time.perf_counter()
                    (fcnet_predict if who == "fcnet" else torch_predict)()
                    times[who].append(time.perf_counter() - start)
        fcnet, reference = float(np.median(times["fcnet"])), float(np.median(times["torch"]))
        rows.append(Row(f"{threads} thread(s): {len(X) / fcnet:,.0f} images/s (torch {len(X) / reference:,.0f})",
                        fcnet, "torch eval, no_grad", reference, "<= 1.0"))
        print(f"{threads} thread(s): fcnet {len(X) / fcnet:10,.0f} images/s   torch {len(X) / reference:10,.0f} "
              f"images/s   ratio {fcnet / reference:5.2f}", flush=True)
    memory = {who: fresh_process_peak(who) / 2**20 for who in ("fcnet", "torch")}
    print(f"peak memory above the input: fcnet {memory['fcnet']:.1f} MiB   torch {memory['torch']:.1f} MiB")
    rows.append(Row(f"peak memory above the input: fcnet {memory['fcnet']:.1f} MiB, torch {memory['torch']:.1f} MiB",
                    0.0, "-", None))
    return rows
