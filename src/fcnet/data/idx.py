"""MNIST-format (IDX) files: MNIST and Fashion-MNIST, read as the MNIST MLP homework's ``load_mnist``."""

from __future__ import annotations

import gzip
import hashlib
import math
import os
from pathlib import Path

import numpy as np

from fcnet.data.fetch import DatasetError, data_home as _data_home, fetch

IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SOURCES = {
    "mnist": {
        "url": "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "sha256": {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        "system_dirs": [],
    },
    "fashion-mnist": {
        "url": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "sha256": {
            "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        },
        # where Debian's dataset-fashion-mnist installs it
        "system_dirs": [Path("/usr/share/datasets/fashion-mnist")],
    },
}


MAX_IDX_BYTES = 1 << 30  # the largest MNIST-format set (EMNIST ByClass images) holds 547 MB
MAX_IDX_NDIM = 8


def read_idx(path: str | os.PathLike, expected_ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or raw) into an array of its own dtype and shape.

    The magic number is two zero bytes, a dtype code (0x08 = uint8, ...) and the number of dimensions; then one
    big-endian uint32 per dimension, then the data. The header is checked before the data is read, and the data is
    read in chunks, so that a header announcing more than the file holds never allocates what it announces.
    """
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_DTYPES:
                raise DatasetError(
                    f"{path} is not an IDX file: wrong magic number {magic.hex() or '(empty)'}"
                )
            ndim = magic[3]
            if expected_ndim is not None and ndim != expected_ndim:
                raise DatasetError(f"{path} has {ndim} dimensions, expected {expected_ndim}")
            if not 1 <= ndim <= MAX_IDX_NDIM:
                raise DatasetError(
                    f"{path} declares {ndim} dimensions; an IDX file has 1 to {MAX_IDX_NDIM}"
                )
            raw_dims = f.read(4 * ndim)
            if len(raw_dims) < 4 * ndim:
                raise DatasetError(
                    f"{path} is truncated inside its header ({ndim} dimensions announced)"
                )
            dims = tuple(int(d) for d in np.frombuffer(raw_dims, dtype=">u4"))
            dtype = np.dtype(IDX_DTYPES[magic[2]])
            expected_bytes = math.prod(dims) * dtype.itemsize
            if expected_bytes > MAX_IDX_BYTES:
                raise DatasetError(
                    f"{path}: its header {dims} announces {expected_bytes:,} bytes of data, more "
                    f"than any MNIST-format file holds ({MAX_IDX_BYTES:,} at most)"
                )
            data = _read_exactly(f, expected_bytes, path, dims)
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path} cannot be read (truncated or corrupted?): {exc}") from None
    return np.frombuffer(data, dtype=dtype).reshape(dims)


def _read_exactly(f, expected_bytes: int, path: Path, dims: tuple) -> bytearray:
    """The next expected_bytes of f, and nothing after them; memory grows with what is really read."""
    data = bytearray()
    while len(data) < expected_bytes:
        chunk = f.read(min(1 << 24, expected_bytes - len(data)))
        if not chunk:
            break
        data += chunk
    extra = len(f.read(1))
    if len(data) != expected_bytes or extra:
        held = f"{len(data)}{'+' if extra else ''}"
        raise DatasetError(
            f"{path} holds {held} bytes of data but its header {dims} announces {expected_bytes}"
        )
    return data


def _find(directory: Path, stem: str) -> Path | None:
    for name in (f"{stem}.gz", stem):
        if (directory / name).is_file():
            return directory / name
    return None


def _resolve_directory(kind: str, path, data_home, download: bool) -> Path:
    """The directory with the four IDX files: `path`, else the data home, else a system copy, else a download."""
    stems = [stem for pair in SPLITS.values() for stem in pair]
    if path is not None:
        directory = Path(path).expanduser()
        if not directory.is_dir():
            raise DatasetError(
                f"{directory} does not exist or is not a directory; it should hold the {kind} "
                f"files {', '.join(s + '.gz' for s in stems)}"
            )
        missing = [s + ".gz" for s in stems if _find(directory, s) is None]
        if missing:
            raise DatasetError(
                f"{directory} lacks {', '.join(missing)} (gzip or raw). Download them from "
                f"{SOURCES[kind]['url']}, or call with path=None to download into the data home."
            )
        return directory
    home = _data_home(data_home) / kind
    for candidate in [home, *SOURCES[kind]["system_dirs"]]:
        if candidate.is_dir() and all(_find(candidate, s) for s in stems):
            return candidate
    if not download:
        raise DatasetError(
            f"{kind} is not in {home}; download it (download=True; fcnet evaluate --download) or put "
            "the files there"
        )
    for stem in stems:
        fname = stem + ".gz"
        fetch(SOURCES[kind]["url"] + fname, SOURCES[kind]["sha256"][fname], home, fname)
    return home


def _cache_path(cache_dir: Path, source: Path, options: str) -> Path:
    stat = source.stat()
    key = hashlib.sha256(
        f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{options}".encode()
    ).hexdigest()
    return cache_dir / f"{source.name.split('.')[0]}-{key[:16]}.npy"


def _cached(source: Path, options: str, cache_dir: Path | None, build) -> np.ndarray:
    """build(), or the .npy copy of its result that an earlier call left in cache_dir.

    The copy is memory-mapped copy-on-write: it loads at once, reads its pages on first use, and writing to the
    array never changes the file.
    """
    if cache_dir is None:
        return build()
    cached = _cache_path(cache_dir, source, options)
    if cached.is_file():
        try:
            return np.load(cached, mmap_mode="c", allow_pickle=False)
        except (OSError, ValueError):
            cached.unlink(missing_ok=True)  # a damaged cache entry is rebuilt below
    array = build()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.save(f, array, allow_pickle=False)
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only data home only costs speed
    return array


def _images(images: np.ndarray, normalize: bool, flatten: bool) -> np.ndarray:
    """uint8 images (N, H, W) as (N, H*W) or (N, 1, H, W), scaled to float32 [0, 1] when normalize."""
    n = images.shape[0]
    shape = (n, -1) if flatten else (n, 1, *images.shape[1:])
    if not normalize:
        return images.reshape(shape)
    out = np.empty(images.shape, dtype=np.float32).reshape(shape)
    np.divide(images.reshape(shape), np.float32(255), out=out, dtype=np.float32)
    return out


def load_mnist(
    path: str | os.PathLike | None = None,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    kind: str = "mnist",
    data_home: str | os.PathLike | None = None,
    download: bool = True,
    cache: bool = True,
):
    """Load MNIST or Fashion-MNIST: ``((x_train, y_train), (x_test, y_test))``.

    path: a directory holding train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz)
      and t10k-labels-idx1-ubyte(.gz). When None: the data home, then (Fashion-MNIST) Debian's
      /usr/share/datasets/fashion-mnist, then a download into the data home.
    normalize: float32 pixels in [0, 1] (else uint8 0..255).
    flatten: images as (N, 784) (else (N, 1, 28, 28)).
    one_hot_label: labels as float32 one-hot rows (N, 10) (else int64 (N,)).
    kind: 'mnist' or 'fashion-mnist'.
    cache: keep the final image array as .npy in the data home; the next load memory-maps it.
    """
    if kind not in SOURCES:
        raise ValueError(f"kind must be one of {sorted(SOURCES)}, got {kind!r}")
    directory = _resolve_directory(kind, path, data_home, download)
    cache_dir = _data_home(data_home) / "cache" / kind if cache else None
    options = f"normalize={normalize},flatten={flatten},one_hot={one_hot_label}"
    result = []
    for split, (image_stem, label_stem) in SPLITS.items():
        image_file, label_file = _find(directory, image_stem), _find(directory, label_stem)
        labels = read_idx(label_file, 1)
        x = _cached(
            image_file,
            options,
            cache_dir,
            lambda: _images(read_idx(image_file, 3), normalize, flatten),
        )
        if x.shape[0] != labels.shape[0]:
            raise DatasetError(
                f"{image_file} holds {x.shape[0]} images but {label_file} holds "
                f"{labels.shape[0]} labels"
            )
        y = labels.astype(np.int64)
        if one_hot_label:
            y = np.eye(10, dtype=np.float32)[y]
        result.append((x, y))
    return tuple(result)
