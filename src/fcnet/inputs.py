"""The input files of ``fcnet predict``: ``.npy`` arrays and PNG/JPEG images, each checked by its header (shape,
dtype, pixel count) before its data is read, so that a small file cannot make fcnet allocate what it declares."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from fcnet._npz_reader import npy_header

MAX_INPUT_VALUES = (
    1 << 28
)  # 268 million values (1 GiB in float32): far more than any batch to predict
MAX_IMAGE_PIXELS = 4096 * 4096


def read_inputs(
    paths: Sequence[str | Path], input_dim: int, resize: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Samples from .npy arrays ((N, ...) or one sample) and images (PNG/JPEG, scaled to [0, 1]), as (N, D).

    Every problem is a ValueError naming the file: not an array or image, no samples, non-numeric or non-finite
    values, or a size that does not fit the model (an image of another size is resized only when `resize`)."""
    rows, names = [], []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        if path.suffix.lower() == ".npy":
            array = _read_npy(path, input_dim)
            rows.append(array)
            names += (
                [f"{path.name}[{i}]" for i in range(len(array))] if len(array) > 1 else [path.name]
            )
        elif path.suffix.lower() in (".png", ".jpg", ".jpeg"):
            rows.append(_read_image(path, input_dim, resize).reshape(1, input_dim))
            names.append(path.name)
        else:
            raise ValueError(f"{path}: expected a .npy array or a PNG/JPEG image")
    return np.concatenate(rows), names


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype a .npy file declares, checked against the bytes it holds."""
    with open(path, "rb") as f:
        shape, dtype, offset = npy_header(f, f"{path} (a .npy array)")
    count = math.prod(shape)
    if not dtype.hasobject and count > MAX_INPUT_VALUES:
        raise ValueError(
            f"{path} declares shape {shape} ({count:,} values); fcnet predicts at most "
            f"{MAX_INPUT_VALUES:,} values at once"
        )
    if not dtype.hasobject and count * dtype.itemsize > path.stat().st_size - offset:
        raise ValueError(
            f"{path} declares shape {shape} of {dtype} ({count * dtype.itemsize:,} bytes) but holds "
            f"{path.stat().st_size - offset:,} bytes of data"
        )
    return shape, dtype


def _read_npy(path: Path, input_dim: int) -> np.ndarray:
    _npy_header(path)
    try:
        raw = np.load(path, allow_pickle=False)
    except ValueError as exc:  # object arrays (which would need pickle) or a damaged header
        raise ValueError(
            f"{path} cannot be read as a numeric array without pickle: {exc}"
        ) from None
    if not isinstance(raw, np.ndarray) or not (
        np.issubdtype(raw.dtype, np.number) or raw.dtype == np.bool_
    ):
        raise ValueError(
            f"{path} holds {getattr(raw, 'dtype', type(raw).__name__)} values; expected numbers"
        )
    if raw.size == 0:
        raise ValueError(f"{path} holds no samples (shape {raw.shape})")
    array = raw.astype(np.float32)
    if array.size == input_dim:
        array = array.reshape(1, input_dim)
    elif array.ndim >= 2 and int(np.prod(array.shape[1:])) == input_dim:
        array = array.reshape(len(array), input_dim)
    else:
        raise ValueError(
            f"{path} has shape {raw.shape}; the model expects samples of {input_dim} values"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{path} holds {int(np.sum(~np.isfinite(array)))} non-finite values (NaN or inf)"
        )
    return array


def _read_image(path: Path, input_dim: int, resize: bool) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"{path} is too large an image to read: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"{path} is not a readable image: {exc}") from None
    width, height = image.size  # from the header: nothing decoded yet
    if width * height > MAX_IMAGE_PIXELS:
        image.close()
        raise ValueError(
            f"{path} is {width}x{height} ({width * height:,} pixels); fcnet reads images of at most "
            f"{MAX_IMAGE_PIXELS:,} pixels"
        )
    try:
        with image:
            image.load()
            gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
            if gray.size == input_dim:
                return gray
            rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
            if rgb.size == input_dim:
                return rgb
            side = int(round(np.sqrt(input_dim)))
            if resize and side * side == input_dim:
                return (
                    np.asarray(image.convert("L").resize((side, side)), dtype=np.float32) / 255.0
                )
            width, height = image.size
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
    ) as exc:  # not an image, or a truncated one
        raise ValueError(f"{path} is not a readable image: {exc}") from None
    hint = f"; give --resize to scale it to {side}x{side}" if side * side == input_dim else ""
    raise ValueError(
        f"{path} is {width}x{height}, but the model expects {input_dim} values per sample{hint}"
    )
