"""Crafted dataset files (the bad-input trial of 2026-12-01: N1 and the old cases #37, #38, #40): a CIFAR-10 batch
is checked against the format before any image array is built, an IDX header before its data is read."""

import gzip
import pickle
import resource
import subprocess
import sys

import numpy as np
import pytest

from fcnet.data import DatasetError
from fcnet.data.cifar import load_cifar_batch
from fcnet.data.idx import read_idx

CRAFTED_60000 = (
    b"(dp0\nS'data'\np1\ncnumpy\nndarray\n((I60000\nI3072\nttRp2\nsS'labels'\np3\ncnumpy\nndarray\n"
    b"((I60000\nttRp4\ns."
)


def in_child(code: str, memory_limit=1 << 30):
    """Run `code` in a Python child under an address-space limit; returns (exit status, stderr)."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, preexec_fn=limit
    )
    return result.returncode, result.stderr


def test_a_98_byte_batch_cannot_make_fcnet_allocate_its_declared_arrays(tmp_path):
    """N1: 98 bytes calling numpy.ndarray((60000, 3072)) allocated 11.5 GB."""
    path = tmp_path / "data_batch_1"
    path.write_bytes(CRAFTED_60000)
    status, stderr = in_child(f"""
from fcnet.data.cifar import load_cifar_batch
from fcnet.data import DatasetError
try:
    load_cifar_batch({str(path)!r})
except DatasetError as exc:
    print(exc)
    raise SystemExit(3)
""")
    assert status == 3 and "MemoryError" not in stderr, stderr
    with pytest.raises(DatasetError, match="data_batch_1.*(from nothing|not callable)"):
        load_cifar_batch(path)


def test_an_array_declaring_10_to_the_11_elements_is_refused_naming_the_file(tmp_path):
    """#37: cnumpy ndarray (I100000000000 tR."""
    path = tmp_path / "batch"
    path.write_bytes(b"cnumpy\nndarray\n(I100000000000\ntR.")
    with pytest.raises(DatasetError, match="batch"):
        load_cifar_batch(path)


def write_batch(path, data, labels):
    with open(path, "wb") as f:
        pickle.dump({b"data": data, b"labels": labels}, f, protocol=2)


@pytest.mark.parametrize(
    "data, labels, fragment",
    [
        (np.zeros((2, 3072), np.uint8), [0, 99], "integers in 0..9"),  # #38
        (np.zeros((2, 3072), np.uint8), [0, -1], "integers in 0..9"),
        (np.zeros((2, 3072), np.uint8), [0], "1 labels for 2 images"),
        (np.zeros((2, 3072), np.float64), [0, 1], "float64"),
        (np.zeros((2, 100), np.uint8), [0, 1], "(2, 100)"),
    ],
)
def test_a_batch_outside_the_format_is_refused(tmp_path, data, labels, fragment):
    write_batch(tmp_path / "b", data, labels)
    with pytest.raises(DatasetError) as info:
        load_cifar_batch(tmp_path / "b")
    assert fragment in str(info.value) and str(tmp_path / "b") in str(info.value)


def idx_file(path, dtype_code, dims, payload=b"", compress=False):
    header = bytes([0, 0, dtype_code, len(dims)]) + b"".join(
        int(d).to_bytes(4, "big") for d in dims
    )
    (gzip.open if compress else open)(path, "wb").write(header + payload)
    return path


def test_an_idx_file_with_255_dimensions_is_named(tmp_path):
    """#40: numpy's 'buffer is smaller than requested size' without the file name."""
    path = tmp_path / "i"
    path.write_bytes(bytes([0, 0, 0x08, 255]) + b"\x00" * 12)
    with pytest.raises(
        DatasetError, match=r"i (declares 255 dimensions|is truncated inside its header)"
    ):
        read_idx(path)


def test_an_idx_header_announcing_more_than_the_file_holds_allocates_nothing(tmp_path):
    path = idx_file(
        tmp_path / "big.gz", 0x08, (60000, 28, 28 * 1000), b"\x00" * 100, compress=True
    )
    with pytest.raises(DatasetError, match="big.gz.*announces"):
        read_idx(path)
    path = idx_file(tmp_path / "short", 0x08, (10, 28, 28), b"\x00" * 100)
    with pytest.raises(DatasetError, match="holds 100 bytes of data but its header"):
        read_idx(path)
    path = idx_file(tmp_path / "long", 0x08, (2,), b"\x00" * 5)
    with pytest.raises(DatasetError, match=r"holds 2\+ bytes"):
        read_idx(path)
    assert read_idx(idx_file(tmp_path / "ok", 0x08, (2, 3), bytes(range(6)))).tolist() == [
        [0, 1, 2],
        [3, 4, 5],
    ]
