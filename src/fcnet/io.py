"""fcnet's file format: one ``.npz`` of arrays with JSON metadata inside, written atomically, never pickled.

The metadata is the array ``__meta__`` (a JSON string), holding the kind of file ('model' or 'checkpoint'), the
format version, the fcnet version and what the kind needs (a model's class and configuration). Everything loads
with ``numpy.load(path, allow_pickle=False)``.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np

import fcnet

FORMAT_VERSION = 1
_META_KEY = "__meta__"


@contextmanager
def atomic_file(path: Path, mode: str) -> Iterator[IO]:
    """A file opened for writing beside `path` that replaces `path` only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    """Write `arrays` and `meta` to `path` atomically: a reader sees the old file or the new one, never half."""
    path = Path(path)
    if _META_KEY in arrays:
        raise ValueError(f"array name {_META_KEY!r} is reserved")
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if value.dtype.hasobject:
            raise TypeError(f"array {name!r} has dtype object, which cannot be stored without pickle")
    meta = {"format_version": FORMAT_VERSION, "fcnet_version": fcnet.__version__, **meta}
    with atomic_file(path, "wb") as f:
        np.savez(f, **{_META_KEY: np.array(json.dumps(meta))}, **arrays)
    return path


def read_npz(path: str | os.PathLike, kind: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`write_npz` and check that it is an fcnet file of `kind`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a readable fcnet file (truncated or another format): {exc}") from None
    if _META_KEY not in arrays:
        raise ValueError(f"{path} is not an fcnet file (no {_META_KEY} entry)")
    try:
        meta = json.loads(str(arrays.pop(_META_KEY)))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} has unreadable metadata: {exc}") from None
    if not isinstance(meta, dict) or meta.get("kind") != kind:
        found = meta.get("kind") if isinstance(meta, dict) else None
        raise ValueError(f"{path} is an fcnet file of kind {found!r}, expected {kind!r}")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path} has format version {version!r}, written by fcnet {meta.get('fcnet_version')}; "
                         f"this fcnet {fcnet.__version__} reads format versions up to {FORMAT_VERSION}. "
                         "Upgrade fcnet to read it.")
    return arrays, meta


def model_state(model: Any) -> dict[str, np.ndarray]:
    """A model's arrays: its parameters as 'param/<key>' and its buffers as 'buffer/<key>'."""
    state = {f"param/{k}": np.asarray(v) for k, v in model.params.items()}
    state.update({f"buffer/{k}": np.asarray(v) for k, v in _buffers(model).items()})
    return state


def _buffers(model: Any) -> dict[str, np.ndarray]:
    return model.buffers() if hasattr(model, "buffers") else {}


def load_model_state(model: Any, arrays: dict[str, np.ndarray], source: str) -> None:
    """Put arrays from :func:`model_state` into `model`, after checking every name and shape."""
    params = {k[len("param/"):]: v for k, v in arrays.items() if k.startswith("param/")}
    buffers = {k[len("buffer/"):]: v for k, v in arrays.items() if k.startswith("buffer/")}
    expected_params = {k: np.shape(v) for k, v in model.params.items()}
    expected_buffers = {k: np.shape(v) for k, v in _buffers(model).items()}
    for what, got, expected in (("parameters", params, expected_params), ("buffers", buffers, expected_buffers)):
        if set(got) != set(expected):
            raise ValueError(f"{source}: {what} {sorted(got)} do not match the model's {sorted(expected)}")
        for k, v in got.items():
            if v.shape != expected[k]:
                raise ValueError(f"{source}: {k} has shape {v.shape} but the model expects {expected[k]}")
    for k, v in params.items():
        # in place, so that layers holding the arrays themselves (a hand-built network) see the values too
        model.params[k][...] = v
    if buffers:
        model.load_buffers(buffers)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write a text file atomically."""
    path = Path(path)
    with atomic_file(path, "w") as f:
        f.write(text)
    return path


def save(model: Any, path: str | os.PathLike) -> Path:
    """Save a TwoLayerNet or FullyConnectedNet (architecture, dtype, parameters, batch norm statistics)."""
    from fcnet.models import MODEL_CLASSES

    class_name = type(model).__name__
    if MODEL_CLASSES.get(class_name) is not type(model):
        raise TypeError(f"model must be one of {sorted(MODEL_CLASSES)}, got {class_name}")
    meta = {"kind": "model", "class": class_name, "config": model.get_config()}
    return write_npz(path, model_state(model), meta)


def model_from_meta(meta: dict[str, Any], source: str) -> Any:
    from fcnet.models import MODEL_CLASSES

    cls = MODEL_CLASSES.get(meta.get("class"))
    if cls is None:
        raise ValueError(f"{source}: unknown model class {meta.get('class')!r}; known: {sorted(MODEL_CLASSES)}")
    try:
        return cls.from_config(meta["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: the model configuration cannot be rebuilt: {exc}") from None


def load(path: str | os.PathLike) -> Any:
    """Load a model written by :func:`save`; its predictions are bit-identical to the saved model's."""
    arrays, meta = read_npz(path, "model")
    model = model_from_meta(meta, str(path))
    load_model_state(model, arrays, str(path))
    return model
