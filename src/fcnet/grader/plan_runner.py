"""Run a plan of calls against a module's functions and collect what they return: the grader's only code that
touches a student's functions.

It imports nothing but the standard library and NumPy, so that it runs as a plain script in the sandboxed child
(``python -I plan_runner.py REQUEST FD``: fcnet is not imported there, and a student's ``import fcnet`` shows), and
the grader runs the very same code in-process on the course's reference and on the catalogue's mutants, so that
the three are compared call for call.

A plan is a list of steps (JSON); arrays are given as ``{"array": nested list, "dtype": ...}``:

- ``{"op": "pair", "forward": F, "backward": B, "args": [...], "param": {...} | null, "dout": A,
  "numeric": [i, ...], "modes": ["train"]}``: out, cache = F(*args[, param]); grads = B(dout, cache); with
  "numeric", the centred-difference gradient of sum(F(...) * dout) with respect to args[i], from F itself.
- ``{"op": "call", "fn": F, "args": [...], "numeric": [i, ...]}``: F(*args) -> (value, grad) as losses return
  (numeric: the gradient of the value with respect to args[i]).
- ``{"op": "rule", "fn": F, "w": A, "dws": [A, ...], "config": {...} | null}``: next_w, config = F(w, dw, config)
  for each dw in turn, the config carried from step to step.

Every step reports "mutated" (which inputs the function changed) and an "error" (the exception's type and message,
with the student's line) instead of its outputs when it raises.
"""

from __future__ import annotations

import copy
import json
import sys
import traceback

import numpy as np

NUMERIC_STEP = 1e-5
MAX_RESULT_BYTES = 64 * 2**20


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
            if "plan_runner" not in f.filename
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


def _numeric_gradients(value, args: list, indices: list, dout) -> dict:
    """For each index in `indices`, the centred-difference gradient of value(work) (summed against dout, when
    given) in work[index], where work is a float64 copy of args; an exception gives that index its error."""
    numeric = {}
    for index in indices:
        work = [
            np.array(a, dtype=np.float64, copy=True) if isinstance(a, np.ndarray) else a
            for a in args
        ]
        try:
            numeric[str(index)] = encode(
                _numeric(lambda work=work: value(work), work, index, dout)
            )
        except Exception as exc:  # the student's code
            numeric[str(index)] = _error(exc)
    return numeric


def run_pair(functions, step):
    forward, backward = functions[step["forward"]], functions.get(step["backward"])
    args, param, dout = decode(step["args"]), decode(step.get("param")), decode(step.get("dout"))
    names = [f"arg{i}" for i in range(len(args))]
    inputs = args + ([param] if param is not None else [])
    before = _snapshot(args)
    param_before = copy.deepcopy(param)
    result: dict = {}
    try:
        out = forward(*inputs)
    except Exception as exc:  # the student's code: any exception is a finding
        return {**_error(exc), "stage": "forward"}
    if not (isinstance(out, tuple) and len(out) == 2):
        return {
            "error": f"returned {type(out).__name__}, not a pair (out, cache)",
            "stage": "forward",
        }
    result["out"] = encode(out[0])
    result["mutated"] = _mutated(before, args, names)
    if param is not None:
        result["param_after"] = encode(
            {k: v for k, v in param.items() if isinstance(v, np.ndarray)}
        )
    if backward is not None and dout is not None:
        try:
            grads = backward(np.array(dout, copy=True), out[1])
        except Exception as exc:
            result["backward"] = {**_error(exc), "stage": "backward"}
        else:
            grads = grads if isinstance(grads, tuple) else (grads,)
            result["grads"] = encode(list(grads))
    numeric = {}

    def value(work):
        p = copy.deepcopy(param_before)
        return forward(*(work + ([p] if p is not None else [])))[0]

    numeric = _numeric_gradients(value, args, step.get("numeric", []), dout)
    if numeric:
        result["numeric"] = numeric
    return result


def run_call(functions, step):
    fn = functions[step["fn"]]
    args = decode(step["args"])
    before = _snapshot(args)
    try:
        out = fn(*args)
    except Exception as exc:
        return _error(exc)
    result = {
        "out": encode(out if isinstance(out, tuple) else (out,)),
        "mutated": _mutated(before, args, [f"arg{i}" for i in range(len(args))]),
    }

    def value(work):
        out = fn(*work)
        return out[0] if isinstance(out, tuple) else out

    numeric = _numeric_gradients(value, args, step.get("numeric", []), None)
    if numeric:
        result["numeric"] = numeric
    return result


def run_rule(functions, step):
    fn = functions[step["fn"]]
    w, config = decode(step["w"]), decode(step.get("config"))
    steps = []
    for dw in decode(step["dws"]):
        before = _snapshot([w, dw])
        try:
            out = fn(w, dw, config)
        except Exception as exc:
            steps.append(_error(exc))
            break
        if not (isinstance(out, tuple) and len(out) == 2):
            steps.append({"error": f"returned {type(out).__name__}, not (next_w, config)"})
            break
        next_w, config = out
        steps.append(
            {
                "next_w": encode(next_w),
                "config": encode(config),
                "mutated": _mutated(before, [w, dw], ["w", "dw"]),
            }
        )
        w = (
            np.array(next_w, dtype=np.float64, copy=True)
            if isinstance(next_w, np.ndarray)
            else next_w
        )
    return {"steps": steps}


def run_network(functions, step):
    """Build functions[step["cls"]](**kwargs) twice from the same NumPy seed (as given and with reg 0): the
    parameters' names, shapes and values, the loss and gradients on (X, y), the centred-difference gradient of
    the loss in every parameter, the reg-0 twin's loss, and the test-mode scores' shape."""
    cls, kwargs = functions[step["cls"]], decode(step["kwargs"])
    X, y = decode(step["X"]), decode(step["y"])
    try:
        np.random.seed(step.get("np_seed", 0))
        model = cls(**kwargs)
        np.random.seed(step.get("np_seed", 0))
        twin = cls(**{**kwargs, "reg": 0.0})
        params = {
            name: np.asarray(value, dtype=np.float64) for name, value in model.params.items()
        }
    except Exception as exc:
        return _error(exc)
    try:
        loss, grads = model.loss(X, y)
        twin_loss, _ = twin.loss(X, y)
        scores = model.loss(X)
    except Exception as exc:  # the parameters are still worth judging
        return {"params": encode(params), "loss_error": _error(exc)}
    numeric = {}
    for name in params:
        value = model.params[name]

        def f(name=name):
            return model.loss(X, y)[0]

        try:
            numeric[name] = encode(_numeric(f, [value], 0, None))
        except Exception as exc:
            numeric[name] = _error(exc)
    return {
        "params": encode(params),
        "loss": encode(loss),
        "twin_loss": encode(twin_loss),
        "grads": encode({k: np.asarray(v) for k, v in (grads or {}).items()}),
        "numeric": numeric,
        "scores_shape": list(np.shape(scores)),
    }


RUNNERS = {"pair": run_pair, "call": run_call, "rule": run_rule, "network": run_network}


def run_plan(functions, plan) -> list:
    """Each step's result, in order; a missing function gives {"missing": name}."""
    results = []
    for step in plan:
        wanted = [step[k] for k in ("forward", "fn", "cls") if k in step]
        missing = [name for name in wanted if name not in functions]
        if missing:
            results.append({"missing": missing[0]})
            continue
        np.random.seed(
            step.get("np_seed", 0)
        )  # the courses draw dropout masks from NumPy's global generator
        results.append(RUNNERS[step["op"]](functions, step))
    return results


def _import_references(modules: list, path: str | None) -> dict:
    """The public functions of the reference modules to swap in (imported before the student's code runs)."""
    import importlib

    if not modules:
        return {}
    sys.path.append(path)
    functions = {}
    for name in modules:
        module = importlib.import_module(name)
        functions.update({n: getattr(module, n) for n in module.__all__})
    return functions


def _swap_in(references: dict, root: str) -> None:
    """Put the reference functions in place of the student's of the same name, in every module of the submission
    (the network's own module, and the layers it imports: their functions call each other through their globals)."""
    import os

    prefix = os.path.join(os.path.realpath(root), "")
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if os.path.realpath(path).startswith(prefix):
            for name, function in references.items():
                if hasattr(module, name):
                    setattr(module, name, function)


def _child(request_path: str, fd: int) -> None:
    """The sandboxed child: import the student's module, run the plan, write the results to `fd`."""
    import importlib
    import os

    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    channel = os.fdopen(fd, "wb", closefd=True)
    sys.path.insert(0, request["root"])
    references = _import_references(request.get("swap_in", []), request.get("reference_path"))
    before = set(sys.modules)
    found = {"imported": []}

    def imported() -> list[str]:
        return sorted(
            {name.split(".")[0] for name in set(sys.modules) - before} & set(request["watch"])
        )

    try:
        module = importlib.import_module(request["module"])
    except BaseException as exc:  # SystemExit and KeyboardInterrupt in a student's module too
        found["import_error"] = _error(exc)["error"]
        functions = {}
    else:
        _swap_in(references, request["root"])
        functions = {
            name: getattr(module, name)
            for name in dir(module)
            if callable(getattr(module, name, None))
        }
    found["imported"] = imported()
    found["results"] = run_plan(functions, request["plan"]) if functions else []
    found["imported"] = imported()
    data = json.dumps(found).encode()
    channel.write(len(data).to_bytes(8, "little") + data)
    channel.close()


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
