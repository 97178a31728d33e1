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
- ``{"op": "chain", "layers": [{"forward": F, "backward": B, "params": [...], "param": {...}}, ...], "x": A,
  "dout": A}``: the layers composed forward and back (see run_chain).

Every step reports "mutated" (which inputs the function changed) and an "error" (the exception's type and message,
with the student's line) instead of its outputs when it raises.
"""

from __future__ import annotations

import copy
import json
import os
import sys

import numpy as np

if __package__:
    from fcnet.grader.plan_arrays import (
        _error,
        _mutated,
        _numeric_gradients,
        _snapshot,
        decode,
        encode,
    )
    from fcnet.grader.plan_networks import run_network, run_two_layer_net
    from fcnet.grader.plan_objects import (
        run_book_net,
        run_course_call,
        run_course_update,
        run_object,
        run_optimizer,
    )
else:  # the sandboxed child runs this file as a script, beside copies of its two helpers (never the student's)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from plan_arrays import _error, _mutated, _numeric_gradients, _snapshot, decode, encode
    from plan_networks import run_network, run_two_layer_net
    from plan_objects import (
        run_book_net,
        run_course_call,
        run_course_update,
        run_object,
        run_optimizer,
    )

MAX_RESULT_BYTES = 64 * 2**20
# what the child runs, copied side by side
SCRIPTS = ("plan_arrays.py", "plan_networks.py", "plan_objects.py", "plan_runner.py")


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


def run_chain(functions, step):
    """The student's layers composed, x -> layer 1 -> ... -> out, then back: each layer's forward gets the
    previous output, its params and (a copy of) its param dict; the backward passes run in reverse, each on the
    gradient the next one returned. Reports out, grads [dx, then each layer's parameter gradients in order] and
    the centred-difference gradient of sum(out * dout) in x ("0")."""
    layers, x, dout = step["layers"], decode(step["x"]), decode(step["dout"])
    params = [decode(layer.get("params", [])) for layer in layers]

    def forward(x):
        caches = []
        for layer, extra in zip(layers, params):
            param = decode(layer.get("param"))
            out = functions[layer["forward"]](x, *extra, *([param] if param is not None else []))
            x, cache = out
            caches.append(cache)
        return x, caches

    try:
        out, caches = forward(x)
    except Exception as exc:  # the student's code
        return {**_error(exc), "stage": "forward"}
    result = {"out": encode(out)}
    try:
        grad, grads = np.array(dout, copy=True), []
        for layer, cache in reversed(list(zip(layers, caches))):
            back = functions[layer["backward"]](grad, cache)
            back = back if isinstance(back, tuple) else (back,)
            grad, grads = back[0], list(back[1:]) + grads
    except Exception as exc:
        result["backward"] = {**_error(exc), "stage": "backward"}
        return result
    result["grads"] = encode([grad] + grads)
    result["numeric"] = _numeric_gradients(lambda work: forward(work[0])[0], [x], [0], dout)
    return result


RUNNERS = {
    "pair": run_pair,
    "call": run_call,
    "rule": run_rule,
    "network": run_network,
    "two_layer_net": run_two_layer_net,
    "object": run_object,
    "optimizer": run_optimizer,
    "book_net": run_book_net,
    "course_update": run_course_update,
    "course_call": run_course_call,
    "chain": run_chain,
}


def run_plan(functions, plan) -> list:
    """Each step's result, in order; a missing function gives {"missing": name}."""
    results = []
    for step in plan:
        wanted = [step[k] for k in ("forward", "fn", "cls") if k in step] + [
            layer[k] for layer in step.get("layers", []) for k in ("forward", "backward")
        ]
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
    """The public functions of the reference modules to swap in (imported before the student's code runs): all
    of a module's ``__all__``, or those ``"module:name,name"`` names."""
    import importlib

    if not modules:
        return {}
    sys.path.append(path)
    functions = {}
    for entry in modules:
        name, _, names = entry.partition(":")
        module = importlib.import_module(name)
        wanted = names.split(",") if names else module.__all__
        functions.update({n: getattr(module, n) for n in wanted})
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


def _python2_shims() -> None:
    """cs231n's templates import `from past.builtins import xrange` (the `future` package, which a grader's
    Python rarely has): without it every such file fails to import through no fault of the student's. When
    `past` is absent, a `past.builtins` with Python 3's names stands in."""
    import importlib.util
    import types

    if importlib.util.find_spec("past") is not None:
        return
    past, builtins = types.ModuleType("past"), types.ModuleType("past.builtins")
    names = {"xrange": range, "basestring": str, "unicode": str, "long": int, "raw_input": input}
    builtins.__dict__.update(names)
    past.builtins = builtins
    sys.modules.update({"past": past, "past.builtins": builtins})


def _child(request_path: str, fd: int) -> None:
    """The sandboxed child: import the student's module, run the plan, write the results to `fd`."""
    import importlib
    import os

    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    channel = os.fdopen(fd, "wb", closefd=True)
    sys.path.insert(0, request["root"])
    _python2_shims()
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
