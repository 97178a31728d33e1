"""The plan runner's steps for courses whose layers and optimizers are objects ("Deep Learning from Scratch"'s
common/layers.py, common/optimizer.py and ch05/two_layer_net.py): a layer built, run forward and backward, its
attributes read (dW, db, running_mean, ...); an optimizer's update(params, grads) over several steps; the book's
TwoLayerNet's loss, gradient, predict and accuracy. Standard library and NumPy only, like the plan runner.

- ``{"op": "object", "cls": C, "init": [...], "args": [...], "kwargs": {...}, "dout": A | null, "attrs": [...],
  "numeric": {NAME: "arg0" | "init1", ...}}``: layer = C(*init); out = layer.forward(*args, **kwargs);
  dx = layer.backward(dout) (backward() when dout is null); with "numeric", the centred-difference gradient of
  sum(forward(...) * dout) (or of the scalar forward) in that argument, from a fresh layer each time.
- ``{"op": "optimizer", "cls": C, "kwargs": {...}, "params": {...}, "grads": [{...}, ...]}``: opt = C(**kwargs);
  opt.update(params, grads) for each grads in turn; the parameters after each step.
- ``{"op": "book_net", "cls": C, "sizes": [D, H, K], "params": {...}, "X": A, "t": A}``: net = C(D, H, K) with
  the given values written into its params (in place: its layers share those arrays, as the book's do).
- ``{"op": "course_update", "fn": F, "params": {...}, "grads": [{...}, ...], "args": [...], "kwargs": {...},
  "state": [NAME, ...]}``: the MNIST-MLP homework's ``F(network, grads, *args, **kwargs)`` over a network that
  has ``params`` and ``t``, t counted up before each update (as the course's train_network does); the state the
  course keeps in its notebook's globals (v, u, s, grads_squared) bound to zeros like params first, as its
  ``initialize_*`` calls do; the parameters after each update and the keys whose array F replaced.
- ``{"op": "course_call", "fn": F, "args": [...] | "network": {...}}``: F(*args), or F(network).
"""

from __future__ import annotations

import numpy as np

if __package__:
    from fcnet.grader.plan_arrays import (
        _error,
        _mutated,
        _numeric,
        _snapshot,
        decode,
        encode,
        float_copies,
    )
else:  # in the sandboxed child, a plain script beside the plan runner
    from plan_arrays import _error, _mutated, _numeric, _snapshot, decode, encode, float_copies


def run_object(functions, step):
    cls = functions[step["cls"]]
    init, args = decode(step.get("init") or []), decode(step.get("args") or [])
    kwargs, dout = decode(step.get("kwargs") or {}), decode(step.get("dout"))
    names = [f"init{i}" for i in range(len(init))] + [f"arg{i}" for i in range(len(args))]
    originals = _snapshot(init + args)
    try:
        layer = cls(*init)
        out = layer.forward(*args, **kwargs)
    except Exception as exc:  # the student's code
        return {**_error(exc), "stage": "forward"}
    result = {"out": encode(out), "mutated": _mutated(originals, init + args, names)}
    if (
        step.get("backward") is False
    ):  # test mode: the book's layers keep nothing to go back through
        return result
    try:
        dx = layer.backward(np.array(dout, copy=True)) if dout is not None else layer.backward()
    except Exception as exc:
        result["backward"] = {**_error(exc), "stage": "backward"}
        return result
    result["grads"] = [encode(dx)]
    result["attrs"] = {name: encode(getattr(layer, name, None)) for name in step.get("attrs", [])}
    numeric = {}
    for name, where in (step.get("numeric") or {}).items():
        work = float_copies(originals)
        index = names.index(where)

        def value(work=work):
            fresh = cls(*work[: len(init)])
            return fresh.forward(*work[len(init) :], **kwargs)

        try:
            numeric[name] = encode(_numeric(value, work, index, dout))
        except Exception as exc:
            numeric[name] = _error(exc)
    result["numeric"] = numeric
    return result


def run_optimizer(functions, step):
    params = decode(step["params"])
    try:
        optimizer = functions[step["cls"]](**decode(step.get("kwargs") or {}))
    except Exception as exc:
        return _error(exc)
    steps = []
    for grads in decode(step["grads"]):
        try:
            optimizer.update(params, grads)
        except Exception as exc:
            steps.append(_error(exc))
            break
        steps.append({"params": encode({k: np.asarray(v) for k, v in params.items()})})
    return {"steps": steps}


def run_book_net(functions, step):
    D, H, K = step["sizes"]
    X, t = decode(step["X"]), decode(step["t"])
    try:
        net = functions[step["cls"]](D, H, K)
        for name, value in decode(step["params"]).items():
            net.params[name][...] = value
    except Exception as exc:
        return _error(exc)
    try:
        result = {
            "loss": encode(net.loss(X, t)),
            "grads": encode({k: np.asarray(v) for k, v in dict(net.gradient(X, t)).items()}),
            "predict": encode(net.predict(X)),
            "accuracy": encode(net.accuracy(X, t)),
        }
    except Exception as exc:
        return _error(exc)
    numeric = {}
    for name in sorted(net.params):

        def loss():
            return net.loss(X, t)

        try:
            numeric[name] = encode(_numeric(loss, [net.params[name]], 0, None))
        except Exception as exc:
            numeric[name] = _error(exc)
    result["numeric"] = numeric
    return result


class CourseNetwork:
    """The MNIST-MLP homework's network as its update functions see it: params, the update count t, and
    optimizer_state (where fcnet's reference keeps what the course keeps in notebook globals)."""

    def __init__(self, params):
        self.params, self.t, self.optimizer_state = params, 0, {}


def run_course_update(functions, step):
    update = functions[step["fn"]]
    network = CourseNetwork(decode(step["params"]))
    originals = dict(network.params)
    args, kwargs = decode(step.get("args") or []), decode(step.get("kwargs") or {})
    # the state goes into the function's module; no other plan runs meanwhile (the child has one thread, and the
    # grader's threads run theirs one at a time: sandbox.reference_results)
    space = getattr(update, "__globals__", {})
    saved = {name: space[name] for name in step["state"] if name in space}
    for name in step["state"]:
        space[name] = {k: np.zeros(np.shape(v)) for k, v in originals.items()}
    steps = []
    try:
        for grads in decode(step["grads"]):
            network.t += 1
            try:
                update(network, grads, *args, **kwargs)
                params = {k: np.asarray(v) for k, v in dict(network.params).items()}
            except Exception as exc:  # the student's code, or what it left in network.params
                steps.append(_error(exc))
                break
            replaced = sorted(k for k in originals if params.get(k) is not originals[k])
            steps.append({"params": encode(params), "replaced": replaced})
    finally:
        for name in step["state"]:
            space.pop(name, None)
        space.update(saved)
    return {"steps": steps}


def run_course_call(functions, step):
    if "network" in step:
        args = [CourseNetwork(decode(step["network"]))]
    else:
        args = decode(step.get("args") or [])
    try:
        out = functions[step["fn"]](*args)
        return {"out": encode(out), "shared": _shares_objects(out)}
    except Exception as exc:
        return _error(exc)


def _shares_objects(out) -> bool:
    """Whether the dicts an initializer returned (v, s), or their arrays, are one object under two names (v = s =
    {}; v[key] = s[key] = np.zeros(...)): the updates of one would then write into the other."""
    if not isinstance(out, tuple):
        return False
    dicts = [d for d in out if isinstance(d, dict)]
    objects = [id(d) for d in dicts] + [id(a) for d in dicts for a in d.values()]
    return len(set(objects)) < len(objects)
