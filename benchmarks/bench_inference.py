"""Inference: 60,000 x 784 float32 through [600, 500, 400, 300, 200, 100] (ReLU), predicted labels, batches of 1,000:
images per second (5 shuffled rounds, medians, 1 and 2 threads) and peak memory above the input, for fcnet's
predict, PyTorch in eval mode under no_grad, and the same fcnet network exported to ONNX (fcnet.export) run by
onnxruntime (its intra-op threads set to the same count). Peak memory is measured in a fresh process for each library (an
allocator that keeps its pool would otherwise hide its need): the peak resident set during one prediction above the
size before it (Linux's VmHWM, reset through /proc/self/clear_refs), the same measure for both."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

from _timing import Row, interleaved

ROUNDS = 5
HIDDEN = (600, 500, 400, 300, 200, 100)
BATCH = 1000


def _status(field: str) -> int:
    return (
        int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))
        * 1024
    )


def peak_above(fn) -> int:
    """Bytes of resident memory `fn` needs above what the process held before it."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = _status("VmRSS")
    fn()
    return _status("VmHWM") - before


def predictor(who: str, n_features: int):
    """`who`'s ('fcnet', 'torch' or 'onnxruntime') prediction of labels, in batches of BATCH, by an untrained network of HIDDEN;
    only that library's model is built (a fresh process measuring one library holds nothing of the other)."""
    if who == "fcnet":
        from fcnet import FullyConnectedNet

        model = FullyConnectedNet(list(HIDDEN), input_dim=n_features, weight_scale="he", seed=0)
        return lambda X: model.predict(X, batch_size=BATCH)
    if who.startswith("onnxruntime"):
        return onnx_predictor(n_features, threads=int(who.rpartition("-")[2] or 1))
    import torch

    from _loops import torch_net

    net = torch_net(n_features, HIDDEN).eval()

    def torch_predict(X):
        X = torch.from_numpy(X)
        with torch.no_grad():
            return torch.cat([net(X[i : i + BATCH]).argmax(1) for i in range(0, len(X), BATCH)])

    return torch_predict


def onnx_predictor(n_features: int, threads: int):
    """fcnet's network of HIDDEN (seed 0, as predictor('fcnet') builds it) exported to ONNX, in an onnxruntime
    session of `threads` intra-op threads; labels in batches of BATCH."""
    import onnxruntime as ort

    from fcnet import FullyConnectedNet
    from fcnet.export import build_onnx

    model = FullyConnectedNet(list(HIDDEN), input_dim=n_features, weight_scale="he", seed=0)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(
        build_onnx(model).SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return lambda X: np.concatenate(
        [session.run(["label"], {"input": X[i : i + BATCH]})[0] for i in range(0, len(X), BATCH)]
    )


def _peak_in_fresh_process(who: str) -> int:
    """Run in a child process: the input, the model, then one prediction under peak_above."""
    import torch

    torch.set_num_threads(1)
    X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    predict = predictor(who, X.shape[1])
    predict(
        X[: 2 * BATCH]
    )  # the BLAS library's own buffers, allocated at its first call, are not the call's need
    return peak_above(lambda: predict(X))


def _seconds(predict, X) -> float:
    start = time.perf_counter()
    predict(X)
    return time.perf_counter() - start


def fresh_process_peak(who: str) -> int:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_peak_in_fresh_process, (who,))


def run() -> list[Row]:
    import torch
    from threadpoolctl import threadpool_limits

    X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    predict = {who: predictor(who, X.shape[1]) for who in ("fcnet", "torch")}
    assert np.array_equal(predict["fcnet"](X).shape, predict["torch"](X).shape)
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        predict["onnxruntime"] = onnx_predictor(X.shape[1], threads)
        assert np.array_equal(
            predict["onnxruntime"](X[:BATCH]), predict["fcnet"](X[:BATCH])
        )  # the same network
        with threadpool_limits(threads):
            times = interleaved(
                {who: lambda p=p: _seconds(p, X) for who, p in predict.items()}, ROUNDS
            )
        fcnet, reference, ort_s = (
            float(np.median(times[who])) for who in ("fcnet", "torch", "onnxruntime")
        )
        rows.append(
            Row(
                f"{threads} thread(s): {len(X) / fcnet:,.0f} images/s (torch {len(X) / reference:,.0f})",
                fcnet,
                "torch eval, no_grad",
                reference,
                "<= 1.0",
            )
        )
        rows.append(
            Row(
                f"{threads} thread(s): fcnet's ONNX export in onnxruntime {len(X) / ort_s:,.0f} images/s",
                fcnet,
                "onnxruntime (exported fcnet model)",
                ort_s,
            )
        )
        print(
            f"{threads} thread(s): fcnet {len(X) / fcnet:10,.0f} images/s   torch {len(X) / reference:10,.0f} "
            f"images/s   onnxruntime {len(X) / ort_s:10,.0f} images/s   fcnet/torch {fcnet / reference:5.2f}   "
            f"fcnet/onnxruntime {fcnet / ort_s:5.2f}",
            flush=True,
        )
    memory = {who: fresh_process_peak(who) / 2**20 for who in ("fcnet", "torch")}
    print(
        f"peak memory above the input: fcnet {memory['fcnet']:.1f} MiB   torch {memory['torch']:.1f} MiB"
    )
    rows.append(
        Row(
            f"peak memory above the input: fcnet {memory['fcnet']:.1f} MiB, torch {memory['torch']:.1f} MiB",
            0.0,
            "-",
            None,
        )
    )
    return rows
