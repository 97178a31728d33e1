"""Loading Fashion-MNIST: from the gzip files (time and peak memory), and again from fcnet's .npy cache."""

from __future__ import annotations

import tempfile
import time
import tracemalloc

from _timing import Row
from fcnet.data import load_mnist


def run() -> list[Row]:
    rows = []
    tracemalloc.start()
    start = time.perf_counter()
    (x, y), (xt, yt) = load_mnist(kind="fashion-mnist", cache=False)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    final = x.nbytes + xt.nbytes + y.nbytes + yt.nbytes
    uint8 = x.size  # one byte per pixel of the training images, the largest uint8 copy
    rows.append(Row("load from gzip (no cache)", seconds, "goal", 1.5, "< 1.5 s"))
    rows.append(
        Row(
            f"  peak {peak / 2**20:.0f} MiB; final arrays {final / 2**20:.0f} MiB + one uint8 copy "
            f"{uint8 / 2**20:.0f} MiB = {(final + uint8) / 2**20:.0f} MiB",
            0.0,
            "-",
            None,
            "peak <= sum",
        )
    )
    del x, xt
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        load_mnist(kind="fashion-mnist", data_home=home)
        rows.append(Row("first load, writing the cache", time.perf_counter() - start, "-", None))
        start = time.perf_counter()
        (x, y), (xt, yt) = load_mnist(kind="fashion-mnist", data_home=home)
        loaded = time.perf_counter() - start
        rows.append(
            Row("second load, from the cache (memory-mapped)", loaded, "goal", 0.3, "< 0.3 s")
        )
        start = time.perf_counter()
        float(x.sum()) + float(xt.sum())
        rows.append(Row("  then reading every pixel once", time.perf_counter() - start, "-", None))
    return rows
