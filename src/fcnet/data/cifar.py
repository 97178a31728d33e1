"""CIFAR-10 from its python-version batches, read with a restricted unpickler that cannot run code."""

from __future__ import annotations

import math
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np

from fcnet.data.fetch import DatasetError, data_home as _data_home, fetch

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]


def _numpy_core():
    return getattr(np, "_core", None) or np.core


def _latin1_encoder(source: str):
    """_codecs.encode as Python 3 pickles of bytes call it, for latin1 only."""

    def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
        if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
            raise DatasetError(
                f"{source}: refusing _codecs.encode with encoding {encoding!r}: CIFAR-10 batches use "
                "latin1 only"
            )
        return text.encode("latin1")

    return _latin1_encode


_NDARRAY = (
    object()
)  # what the name numpy.ndarray means inside a batch: an argument of _reconstruct, never a call
MAX_ROWS = 10_000  # a CIFAR-10 batch holds 10,000 images
MAX_BATCH_BYTES = 64 << 20  # a real batch file is 31 MB


def _guarded_reconstruct(source: str):
    """numpy's ``_reconstruct`` as NumPy's own pickles call it: an empty ndarray whose data the pickle then sets
    from bytes it holds, so no array is larger than the file."""
    reconstruct = _numpy_core().multiarray._reconstruct

    def _reconstruct(subtype, shape, dtype):
        if subtype is not _NDARRAY or not isinstance(shape, tuple) or math.prod(shape) != 0:
            raise DatasetError(
                f"{source} builds an array of shape {shape!r} from nothing; a CIFAR-10 batch only "
                "holds arrays of the bytes it stores (refusing it: it may be crafted to exhaust memory)"
            )
        return reconstruct(np.ndarray, shape, dtype)

    return _reconstruct


class _CifarUnpickler(pickle.Unpickler):
    """Admits only what CIFAR batches hold: dicts, lists, bytes, str, int and NumPy array reconstruction from
    stored bytes (an array can never be larger than the bytes that the file holds for it)."""

    def __init__(self, file, source: str) -> None:
        super().__init__(file, encoding="bytes")
        self.source = source

    def find_class(self, module: str, name: str):
        reconstruct = _guarded_reconstruct(self.source)
        allowed = {
            ("numpy.core.multiarray", "_reconstruct"): reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): reconstruct,
            ("numpy", "ndarray"): _NDARRAY,
            ("numpy", "dtype"): np.dtype,
            # Python 3 writes bytes at pickle protocol 2 as _codecs.encode(text, 'latin1')
            ("_codecs", "encode"): _latin1_encoder(self.source),
        }
        if (module, name) not in allowed:
            raise DatasetError(
                f"{self.source} refers to {module}.{name}, which a CIFAR-10 batch never holds; "
                "refusing to load it (it may be crafted to run code)"
            )
        return allowed[(module, name)]


def _checked_batch(batch, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """b'data' (N, 3072) uint8 and b'labels' N integers in 0..9, N <= 10,000, as the format says."""
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DatasetError(
            f"{path} is not a CIFAR-10 batch: expected a dict with b'data' and b'labels'"
        )
    data, labels = batch[b"data"], batch[b"labels"]
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3072
        or not 1 <= data.shape[0] <= MAX_ROWS
    ):
        described = (
            f"{data.dtype} array of shape {data.shape}"
            if isinstance(data, np.ndarray)
            else type(data).__name__
        )
        raise DatasetError(
            f"{path}: b'data' is a {described}; a CIFAR-10 batch holds (N, 3072) uint8 with "
            f"1 <= N <= {MAX_ROWS}"
        )
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != data.shape[0]:
        raise DatasetError(
            f"{path}: b'labels' holds {len(labels) if hasattr(labels, '__len__') else labels!r} "
            f"labels for {data.shape[0]} images"
        )
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.ndim != 1 or labels.min() < 0 or labels.max() > 9:
        shown = (
            f"{labels.min()}..{labels.max()}"
            if labels.dtype.kind in "iu" and labels.size
            else labels.dtype
        )
        raise DatasetError(
            f"{path}: b'labels' must be integers in 0..9 (the ten CIFAR-10 classes), got {shown}"
        )
    return data, labels.astype(np.int64)


def load_cifar_batch(path: str | os.PathLike, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """One batch file: X (N, 32, 32, 3) of `dtype`, y (N,) int64 (N = 10,000 in the real files).

    The rows of b'data' are 1024 red, then 1024 green, then 1024 blue values of a 32x32 image, row-major. The
    batch is checked against the format before any image array is built.
    """
    path = Path(path)
    size = path.stat().st_size if path.is_file() else 0
    if size > MAX_BATCH_BYTES:
        raise DatasetError(
            f"{path} is {size:,} bytes; a CIFAR-10 batch is about 31 MB (at most {MAX_BATCH_BYTES:,})"
        )
    try:
        with open(path, "rb") as f:
            batch = _CifarUnpickler(f, str(path)).load()
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        MemoryError,
    ) as exc:
        raise DatasetError(f"{path} is not a readable CIFAR-10 batch: {exc}") from None
    data, labels = _checked_batch(batch, path)
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(dtype)
    return X, labels


def _resolve_root(root, data_home, download: bool) -> Path:
    if root is not None:
        root = Path(root).expanduser()
        if not root.is_dir():
            raise DatasetError(
                f"{root} does not exist or is not a directory; it should be cifar-10-batches-py "
                f"from {URL}"
            )
        return root
    home = _data_home(data_home)
    root = home / "cifar-10-batches-py"
    if root.is_dir():
        return root
    if not download:
        raise DatasetError(
            f"CIFAR-10 is not in {root}; download it (download=True; fcnet evaluate --download) or "
            f"extract {URL} there"
        )
    archive = fetch(URL, SHA256, home)
    with tarfile.open(archive) as tar:
        tar.extractall(home, filter="data")
    return root


def load_cifar10(
    root: str | os.PathLike | None = None, dtype=np.float64, data_home=None, download: bool = True
):
    """``(X_train, y_train, X_test, y_test)``: X (N, 32, 32, 3) float arrays, y (N,) int64 (cs231n's
    ``load_CIFAR10``). `root` is the cifar-10-batches-py directory; None uses (or downloads into) the data home."""
    root = _resolve_root(root, data_home, download)
    missing = [name for name in [*BATCHES, "test_batch"] if not (root / name).is_file()]
    if missing:
        raise DatasetError(f"{root} lacks {', '.join(missing)}; extract {URL} there")
    parts = [load_cifar_batch(root / name, dtype) for name in BATCHES]
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_test, y_test = load_cifar_batch(root / "test_batch", dtype)
    return X_train, y_train, X_test, y_test


def get_cifar10_data(
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
    subtract_mean: bool = True,
    channels_first: bool = True,
    flatten: bool = False,
    root: str | os.PathLike | None = None,
    dtype=np.float64,
    data_home=None,
) -> dict:
    """cs231n's ``get_CIFAR10_data``: a dict with X_train, y_train, X_val, y_val, X_test, y_test.

    The validation set is the num_validation training images after the first num_training; the mean image of
    the training split is subtracted from all three; images are (N, 3, 32, 32) with channels_first, (N, 32, 32, 3)
    without, (N, 3072) with flatten.
    """
    X_train, y_train, X_test, y_test = load_cifar10(root, dtype=dtype, data_home=data_home)
    if num_training + num_validation > len(X_train) or num_test > len(X_test):
        raise ValueError(
            f"num_training + num_validation must be <= {len(X_train)} and num_test <= {len(X_test)}, "
            f"got {num_training} + {num_validation} and {num_test}"
        )
    data = {
        "X_train": X_train[:num_training],
        "y_train": y_train[:num_training],
        "X_val": X_train[num_training : num_training + num_validation],
        "y_val": y_train[num_training : num_training + num_validation],
        "X_test": X_test[:num_test],
        "y_test": y_test[:num_test],
    }
    from fcnet.data.preprocess import flatten as _flatten, subtract_mean_image, to_channels_first

    if subtract_mean:
        data = subtract_mean_image(data)
    for key in ("X_train", "X_val", "X_test"):
        if flatten:
            data[key] = _flatten(data[key])
        elif channels_first:
            data[key] = to_channels_first(data[key])
    return data
