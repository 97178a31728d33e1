"""fcnet's file format: one ``.npz`` of arrays with JSON metadata inside, written atomically, never pickled.

The metadata is the array ``__meta__`` (a JSON string), holding the kind of file ('model' or 'checkpoint'), the
format version, the fcnet version and what the kind needs (a model's class and configuration). Everything loads
with ``numpy.load(path, allow_pickle=False)``.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterator

import numpy as np

from fcnet._npz_reader import read_arrays
from fcnet._version import __version__

FORMAT_VERSION = 1
_META_KEY = "__meta__"


@contextmanager
def atomic_file(path: Path, mode: str) -> Iterator[IO]:
    """A file opened for writing beside `path` that replaces `path` only when the block ends without error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.chmod(
            tmp_name, 0o666 & ~_umask()
        )  # mkstemp's 0600 would hide the file from a web server or a group
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        with os.fdopen(
            fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})
        ) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise _naming(exc, path) from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it and setting it back: the only way the OS offers)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error, naming the file the caller asked for rather than a temporary one."""
    return type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}")


def write_npz(
    path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict[str, Any]
) -> Path:
    """Write `arrays` and `meta` to `path` atomically: a reader sees the old file or the new one, never half."""
    path = Path(path)
    if _META_KEY in arrays:
        raise ValueError(f"array name {_META_KEY!r} is reserved")
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if value.dtype.hasobject:
            raise TypeError(
                f"array {name!r} has dtype object, which cannot be stored without pickle"
            )
    meta = {"format_version": FORMAT_VERSION, "fcnet_version": __version__, **meta}
    with atomic_file(path, "wb") as f:
        np.savez(f, **{_META_KEY: np.array(json.dumps(meta))}, **arrays)
    return path


def read_npz(
    path: str | os.PathLike, kind: str, wanted: Callable[[str], bool] | None = None
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`write_npz` and check that it is an fcnet file of `kind`.

    Every member's header is checked before anything is read (see :mod:`fcnet._npz_reader`); only the members
    whose names `wanted` accepts are read (default: all).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a readable fcnet file (truncated, or another format: fcnet writes .npz "
            "archives with metadata, by fcnet.save and Solver checkpoints)"
        )
    arrays, found = read_arrays(
        path, lambda name: name == _META_KEY or (wanted or (lambda _: True))(name)
    )
    if _META_KEY not in arrays:
        raise ValueError(f"{path} is not an fcnet file (no {_META_KEY} entry)")
    meta = _parse_meta(arrays.pop(_META_KEY), path)
    if meta.get("kind") != kind:
        raise ValueError(
            f"{path} is an fcnet file of kind {meta.get('kind')!r}, expected {kind!r}"
        )
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(
            f"{path} is damaged: its format_version is {version!r}, not a positive integer"
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {version!r}, written by fcnet {meta.get('fcnet_version')}; "
            f"this fcnet {__version__} reads format versions up to {FORMAT_VERSION}. "
            "Upgrade fcnet to read it."
        )
    return arrays, meta


def _parse_meta(value: np.ndarray, path: Path) -> dict[str, Any]:
    if value.dtype.kind != "U" or value.shape != ():
        raise ValueError(
            f"{path} has unreadable metadata: {_META_KEY} is a {value.dtype} array of shape "
            f"{value.shape}, not one JSON string"
        )
    try:
        meta = json.loads(str(value))
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ValueError(f"{path} has unreadable metadata: {reason}") from None
    if not isinstance(meta, dict):
        raise ValueError(
            f"{path} has unreadable metadata: a JSON {type(meta).__name__}, not an object"
        )
    return meta


def model_state(model: Any) -> dict[str, np.ndarray]:
    """A model's arrays: its parameters as 'param/<key>' and its buffers as 'buffer/<key>'."""
    state = {f"param/{k}": np.asarray(v) for k, v in model.params.items()}
    state.update({f"buffer/{k}": np.asarray(v) for k, v in _buffers(model).items()})
    return state


def _buffers(model: Any) -> dict[str, np.ndarray]:
    return model.buffers() if hasattr(model, "buffers") else {}


def check_model_state(model: Any, arrays: dict[str, np.ndarray], source: str) -> None:
    """Check that arrays from :func:`model_state` have exactly the model's names and shapes."""
    params, buffers = section(arrays, "param/"), section(arrays, "buffer/")
    expected_params = {k: np.shape(v) for k, v in model.params.items()}
    expected_buffers = {k: np.shape(v) for k, v in _buffers(model).items()}
    for what, got, expected in (
        ("parameters", params, expected_params),
        ("buffers", buffers, expected_buffers),
    ):
        if set(got) != set(expected):
            raise ValueError(
                f"{source}: {what} {sorted(got)} do not match the model's {sorted(expected)}"
            )
        for k, v in got.items():
            if v.shape != expected[k]:
                raise ValueError(
                    f"{source}: {k} has shape {v.shape} but the model expects {expected[k]}"
                )
    _check_values(
        {f"param/{k}": v for k, v in params.items()}
        | {f"buffer/{k}": v for k, v in buffers.items()},
        source,
    )


def check_stored_architecture(config: Any, arrays: dict[str, np.ndarray], source: str) -> None:
    """Before a network is built from a file's `config`, check the sizes it declares against the weights the file
    stores (param/W1, W2, ...), so that a crafted configuration cannot make fcnet allocate a network the file
    does not hold."""
    if not isinstance(config, dict):
        raise ValueError(
            f"{source}: the model configuration is a {type(config).__name__}, not a JSON object"
        )
    missing = [key for key in ("hidden_dims", "input_dim", "num_classes") if key not in config]
    if missing:
        raise ValueError(
            f"{source}: the model configuration lacks {', '.join(map(repr, missing))}"
        )
    hidden = config["hidden_dims"]
    hidden = [hidden] if isinstance(hidden, int) else hidden
    sizes = [
        config["input_dim"],
        *(hidden if isinstance(hidden, list) else [hidden]),
        config["num_classes"],
    ]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise ValueError(
            f"{source}: the model configuration declares sizes input_dim={config['input_dim']!r}, "
            f"hidden_dims={config['hidden_dims']!r}, num_classes={config['num_classes']!r}; "
            "expected positive integers"
        )
    for i in range(len(sizes) - 1):
        stored = arrays.get(f"param/W{i + 1}")
        if stored is None or stored.shape != (sizes[i], sizes[i + 1]):
            held = "nothing" if stored is None else f"shape {stored.shape}"
            raise ValueError(
                f"{source}: the configuration declares W{i + 1} of shape ({sizes[i]}, {sizes[i + 1]}) "
                f"(input_dim {sizes[0]}, hidden_dims {sizes[1:-1]}, num_classes {sizes[-1]}) but "
                f"the file stores {held}"
            )


def _check_values(arrays: dict[str, np.ndarray], source: str) -> None:
    """Parameters and buffers must be finite real numbers: a NaN weight makes every prediction meaningless."""
    for key, value in arrays.items():
        if value.dtype.kind not in "fiu":
            raise ValueError(f"{source}: {key} has dtype {value.dtype}; expected real numbers")
        bad = value.size - int(np.count_nonzero(np.isfinite(value)))
        if bad:
            raise ValueError(
                f"{source}: {key} holds {bad} non-finite value{'s' if bad > 1 else ''} (NaN or inf); "
                "the file is damaged or was saved from a diverged run"
            )


def load_model_state(
    model: Any, arrays: dict[str, np.ndarray], source: str, checked: bool = False
) -> None:
    """Put arrays from :func:`model_state` into `model`, after checking every name, shape and value (`checked`:
    the caller already ran :func:`check_model_state` on them)."""
    if not checked:
        check_model_state(model, arrays, source)
    params, buffers = section(arrays, "param/"), section(arrays, "buffer/")
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
    """Save a TwoLayerNet or FullyConnectedNet (architecture, dtype, parameters, batch norm statistics), or a
    fitted fcnet.sklearn.FCNetClassifier (its parameters, classes and network too)."""
    from fcnet.models import MODEL_CLASSES

    if hasattr(model, "_fcnet_state"):  # an estimator
        arrays, meta = model._fcnet_state()
        return write_npz(path, arrays, {"kind": "model", **meta})
    class_name = type(model).__name__
    if MODEL_CLASSES.get(class_name) is not type(model):
        raise TypeError(f"model must be one of {sorted(MODEL_CLASSES)}, got {class_name}")
    meta = {"kind": "model", "class": class_name, "config": model.get_config()}
    return write_npz(path, model_state(model), meta)


def model_from_meta(
    meta: dict[str, Any], source: str, arrays: dict[str, np.ndarray] | None = None
) -> Any:
    """The model a file's metadata describes, built after its declared sizes are checked against `arrays` (the
    file's stored weights)."""
    from fcnet.models import MODEL_CLASSES

    cls = MODEL_CLASSES.get(meta.get("class"))
    if cls is None:
        raise ValueError(
            f"{source}: unknown model class {meta.get('class')!r}; known: {sorted(MODEL_CLASSES)}"
        )
    if "config" not in meta:
        raise ValueError(f"{source} is damaged: its metadata has no model 'config'")
    if arrays is not None:
        check_stored_architecture(meta["config"], arrays, source)
    try:
        return cls.from_config(meta["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: the model configuration cannot be rebuilt: {exc}") from None


# Saved kinds of other layers of the house: class name -> "module:callable(arrays, meta, source)".
LOADERS = {"FCNetClassifier": "fcnet.sklearn:FCNetClassifier._from_fcnet_state"}


def load(path: str | os.PathLike) -> Any:
    """Load a model written by :func:`save`; its predictions are bit-identical to the saved model's."""
    arrays, meta = read_npz(
        path, "model", lambda name: name.startswith(("param/", "buffer/")) or name == "classes"
    )
    if (
        meta.get("class") in LOADERS
    ):  # a class of a higher layer, found by name (this module imports none)
        module_name, _, attribute = LOADERS[meta["class"]].partition(":")
        loader = importlib.import_module(module_name)
        for part in attribute.split("."):
            loader = getattr(loader, part)
        try:
            return loader(arrays, meta, str(path))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: the {meta['class']} cannot be rebuilt: {exc}") from None
    model = model_from_meta(meta, str(path), arrays)
    load_model_state(model, arrays, str(path))
    return model


# ---- checkpoints ----------------------------------------------------------------------------------------------
# One npz: the model ('param/…', 'buffer/…'), the best state so far ('best/param/…', 'best/buffer/…'), the
# optimizer's per-parameter state ('optim/<param>/<key>'), the history ('history/<series>'), the trainer's own
# arrays ('trainer/<name>'); the metadata holds the model's class and configuration, the optimizer's rule and
# hyperparameters, the history's events and the trainer's progress and settings.


def write_checkpoint(
    path: str | os.PathLike,
    model: Any,
    optimizer_state: dict[str, Any],
    history_arrays: dict[str, np.ndarray],
    events: list,
    best_state: dict[str, np.ndarray],
    trainer: dict[str, Any],
    trainer_arrays: dict[str, np.ndarray],
    diagnostics: list | None = None,
) -> Path:
    """Write a training checkpoint atomically (see the layout above)."""
    arrays = model_state(model)
    arrays.update({f"best/{k}": v for k, v in best_state.items()})
    for name, state in optimizer_state["state"].items():
        arrays.update({f"optim/{name}/{key}": np.asarray(value) for key, value in state.items()})
    arrays.update({f"history/{k}": v for k, v in history_arrays.items()})
    arrays.update({f"trainer/{k}": v for k, v in trainer_arrays.items()})
    meta = {
        "kind": "checkpoint",
        "model_class": type(model).__name__,
        "model_config": model.get_config() if hasattr(model, "get_config") else None,
        "optimizer": {k: v for k, v in optimizer_state.items() if k != "state"},
        "events": events,
        "diagnostics": diagnostics or [],
        "trainer": trainer,
    }
    return write_npz(path, arrays, meta)


def section(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays whose names start with `prefix`, named without it ('param/W1' -> 'W1' for 'param/')."""
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint: {'model_class', 'model_config', 'model' (arrays for load_model_state), 'best',
    'optimizer' (an Optimizer state_dict), 'history' (arrays), 'events', 'trainer', 'trainer_arrays'}."""
    arrays, meta = read_npz(path, "checkpoint")
    if not isinstance(meta.get("optimizer"), dict) or not isinstance(meta.get("trainer"), dict):
        raise ValueError(
            f"{path} is a checkpoint of an older layout; it cannot be resumed by this fcnet"
        )
    state: dict[str, dict[str, np.ndarray]] = {}
    for key, value in section(arrays, "optim/").items():
        name, _, field = key.rpartition("/")
        state.setdefault(name, {})[field] = value
    model = {k: v for k, v in arrays.items() if k.startswith(("param/", "buffer/"))}
    return {
        "model_class": meta.get("model_class"),
        "model_config": meta.get("model_config"),
        "model": model,
        "best": section(arrays, "best/"),
        "optimizer": {**meta["optimizer"], "state": state},
        "history": section(arrays, "history/"),
        "events": meta.get("events", []),
        "diagnostics": meta.get("diagnostics", []),
        "trainer": meta["trainer"],
        "trainer_arrays": section(arrays, "trainer/"),
    }
