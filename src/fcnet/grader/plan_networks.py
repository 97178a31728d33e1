"""The plan runner's network steps: a network class built, its loss, gradients and centred differences
measured (cs231n's FullyConnectedNet; the assignment-1 TwoLayerNet's loss, train and predict). Standard library
and NumPy only, like the plan runner that calls them."""

from __future__ import annotations

import numpy as np

if __package__:
    from fcnet.grader.plan_arrays import _error, _numeric, decode, encode
else:  # in the sandboxed child, a plain script beside the plan runner
    from plan_arrays import _error, _numeric, decode, encode


def run_network(functions, step):
    """Build functions[step["cls"]](**kwargs) twice from the same NumPy seed (as given and with reg 0): the
    parameters' names, shapes and values, the loss and gradients on (X, y), the centred-difference gradient of
    the loss in every parameter, the reg-0 twin's loss, and the test-mode scores' shape."""
    cls, kwargs = functions[step["cls"]], decode(step["kwargs"])
    X, y = decode(step["X"]), decode(step["y"])
    if step.get("overfit"):
        return _overfit(cls, kwargs, X, y, step["overfit"])
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


def run_two_layer_net(functions, step):
    """The assignment-1 TwoLayerNet(D, H, C) with the given parameters put in its params, then one of its methods:
    "loss" (the scores, the loss and gradients at step["reg"], and the loss's centred differences in every
    parameter), "predict" (the labels), or "train" (its history and the parameters it ends with)."""
    D, H, C = step["sizes"]
    try:
        net = functions[step["cls"]](D, H, C)
        for name, value in decode(step["params"]).items():
            net.params[name] = value
    except Exception as exc:  # the student's code
        return _error(exc)
    X, y = decode(step["X"]), decode(step["y"])
    try:
        if step["method"] == "predict":
            return {"predict": encode(net.predict(X))}
        if step["method"] == "train":
            given = decode(step["train"])
            stats = net.train(
                given["X"], given["y"], given["X_val"], given["y_val"], **given["kwargs"]
            )
            history = {str(k): encode(np.asarray(v)) for k, v in dict(stats or {}).items()}
            params = {k: np.asarray(v, dtype=np.float64) for k, v in net.params.items()}
            return {"history": history, "params_after": encode(params)}
        scores = net.loss(X)
        loss, grads = net.loss(X, y, reg=step["reg"])
    except Exception as exc:
        return _error(exc)
    numeric = {}
    for name in sorted(net.params):

        def f():
            return net.loss(X, y, reg=step["reg"])[0]

        try:
            numeric[name] = encode(_numeric(f, [net.params[name]], 0, None))
        except Exception as exc:
            numeric[name] = _error(exc)
    grads = {k: np.asarray(v) for k, v in (grads or {}).items()} if isinstance(grads, dict) else {}
    return {
        "scores": encode(scores),
        "loss": encode(loss),
        "grads": encode(grads),
        "numeric": numeric,
    }


def _overfit(cls, kwargs, X, y, settings):
    """The notebooks' sanity check: train the network by full-batch gradient descent (this loop, not the
    student's) on a few samples; the training accuracy and the losses it went through."""
    try:
        np.random.seed(0)
        model = cls(**kwargs)
        losses = []
        for _ in range(settings["steps"]):
            loss, grads = model.loss(X, y)
            losses.append(float(loss))
            for name, value in model.params.items():
                value -= settings["learning_rate"] * grads[name]
        accuracy = float(np.mean(np.argmax(model.loss(X), axis=1) == y))
    except Exception as exc:  # the student's code
        return _error(exc)
    return {"overfit_accuracy": accuracy, "overfit_losses": [losses[0], losses[-1]]}
