"""Arrays across the sandbox's boundary and centred differences: the helpers the plan runner and its network
runner share (standard library and NumPy only, like them: the sandboxed child runs them as plain scripts)."""

from __future__ import annotations

import copy
import traceback

import numpy as np

NUMERIC_STEP = 1e-5


def decode(value):
    """JSON -> Python with arrays: {"array": ..., "dtype": ...} becomes an ndarray; dicts and lists recursively."""
    if isinstance(value, dict):
        if set(value) == {
            "array",
            "dtype",
        }:  # from the child too: only plain numeric dtypes are built
            try:
                dtype = np.dtype(value["dtype"])
                if dtype.kind not in "biuf" or dtype.itemsize > 8:
                    raise TypeError(f"dtype {dtype}")
                return np.array(value["array"], dtype=dtype)
            except (TypeError, ValueError) as exc:
                return {"unsupported": f"an array that cannot be read ({exc})"}
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def encode(value):
    """Python -> JSON: arrays (and NumPy scalars) as {"array", "dtype"}; tuples as lists; other objects by type."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"unsupported": f"array of dtype {value.dtype}"}
        return {"array": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return encode(np.asarray(value))
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"unsupported": type(value).__name__}


def _error(exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    where = next(
        (
            f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
            for f in reversed(frames)
            if not f.filename.rsplit("/", 1)[-1].startswith("plan_")  # the runner's own scripts
        ),
        "",
    )
    return {"error": f"{type(exc).__name__}: {str(exc)[:300]}", "where": where}


def _snapshot(values):
    return [
        np.array(v, copy=True) if isinstance(v, np.ndarray) else copy.deepcopy(v) for v in values
    ]


def _mutated(before, after, names) -> list[str]:
    changed = []
    for name, old, new in zip(names, before, after):
        if isinstance(old, np.ndarray):
            if old.shape != np.shape(new) or not np.array_equal(old, new, equal_nan=True):
                changed.append(name)
    return changed


def _numeric(f, args, index, dout):
    """Centred differences of sum(f(*args) * dout) (or of f's scalar value when dout is None) in args[index]."""
    x = args[index]
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + NUMERIC_STEP
        plus = f()
        x[i] = old - NUMERIC_STEP
        minus = f()
        x[i] = old
        if dout is None:
            grad[i] = (float(plus) - float(minus)) / (2 * NUMERIC_STEP)
        else:
            grad[i] = float(np.sum((np.asarray(plus) - np.asarray(minus)) * dout)) / (
                2 * NUMERIC_STEP
            )
    return grad


def float_copies(values: list) -> list:
    """Copies to perturb: real arrays in float64, labels (integer arrays) as they are (a loss's labels turned into
    floats would make the function under test fail on its own indexing)."""
    return [
        np.array(v, dtype=np.float64 if v.dtype.kind == "f" else v.dtype, copy=True)
        if isinstance(v, np.ndarray)
        else v
        for v in values
    ]


def _numeric_gradients(value, args: list, indices: list, dout) -> dict:
    """For each index in `indices`, the centred-difference gradient of value(work) (summed against dout, when
    given) in work[index], where work is float_copies(args); an exception gives that index its error."""
    numeric = {}
    for index in indices:
        work = float_copies(args)
        try:
            numeric[str(index)] = encode(
                _numeric(lambda work=work: value(work), work, index, dout)
            )
        except Exception as exc:  # the student's code
            numeric[str(index)] = _error(exc)
    return numeric
