"""The update rules' fused path: which loop of fcnet._fused_numba runs a rule, with which arguments, and when
(fcnet.fused decides whether the loops are there; the NumPy rules in fcnet.optim stay the reference).

Two callers: each rule of fcnet.optim, given ``out=w`` (:func:`run_fused`, from its config), and fcnet's Optimizer,
which keeps the state apart from the checked hyperparameters (:func:`update_all_in_place`: one pass over every
parameter of a step, no per-parameter dictionary, the scalars computed once: Optimizer.step over a 4-3-3-2
network's six Adam parameters takes 41 us against 7 us for the six loops called bare). Both count the step and
compute the scalars the same way, so both give the rule's numbers to the bit (tests).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable, Mapping

import numpy as np

from fcnet import fused

# A gradient that is exactly zero (a border pixel that is zero in every image, a dead unit) shrinks a moment by
# beta per step into float32's subnormal range, where arithmetic is many times slower. Every FLUSH_EVERY steps the
# moments below FLUSH_BELOW become 0; the update such a moment gives is below 1e-22 (tested), so no trajectory moves.
FLUSH_BELOW = 1e-30
FLUSH_EVERY = 100


def _flush_tiny(a: np.ndarray) -> None:
    a[np.abs(a) < FLUSH_BELOW] = 0


def count_step(state: dict, m: np.ndarray, second_moment: np.ndarray) -> None:
    """t += 1, and every FLUSH_EVERY steps the flush of tiny moments (see FLUSH_BELOW)."""
    state["t"] += 1
    if state["t"] % FLUSH_EVERY == 0:
        _flush_tiny(m)
        _flush_tiny(second_moment)


def _moment_scalars(w: np.ndarray, h: Mapping, t: int) -> tuple:
    """The fused Adam/AdaBelief loop's scalars, in w's dtype: the NumPy path's, bias corrections included."""
    b1, b2 = h["beta1"], h["beta2"]
    return _scalars(
        w,
        b1,
        1 - b1,
        b2,
        1 - b2,
        1 / math.sqrt(1 - b2**t),
        h["epsilon"],
        h["learning_rate"] * (1 / (1 - b1**t)),
        _decay(h),
    )


# Each rule's fused loop (fcnet._fused_numba, named as the rule) takes (w, dw, *its state arrays, *its scalars): the
# state arrays by key, the scalars from the hyperparameters h and the step count t, in w's dtype.
FUSED_ARGUMENTS: dict[str, tuple[tuple[str, ...], Callable[[np.ndarray, Mapping, int], tuple]]] = {
    "sgd": ((), lambda w, h, t: _scalars(w, h["learning_rate"], _decay(h))),
    "sgd_momentum": (
        ("velocity",),
        lambda w, h, t: _scalars(w, h["learning_rate"], h["momentum"], _decay(h)),
    ),
    "nesterov_momentum": (
        ("velocity",),
        lambda w, h, t: _scalars(w, h["learning_rate"], h["momentum"], _decay(h)),
    ),
    "adagrad": (
        ("cache",),
        lambda w, h, t: _scalars(w, h["learning_rate"], h["epsilon"], _decay(h)),
    ),
    "rmsprop": (
        ("cache",),
        lambda w, h, t: _scalars(
            w, h["learning_rate"], h["decay_rate"], 1 - h["decay_rate"], h["epsilon"], _decay(h)
        ),
    ),
    "adam": (("m", "v"), _moment_scalars),
    "adabelief": (("m", "s"), _moment_scalars),
}


def run_fused(
    w: np.ndarray, dw: np.ndarray, config: dict, rule: str, out: np.ndarray | None
) -> bool:
    """Run the rule's fused loop when fcnet.fused can take this update (see _fused_loops); False (nothing done) when
    the NumPy operations must run. config holds the rule's hyperparameters and its state, t already counted."""
    if out is not w:  # the fused loops write into w: the Optimizer's path (out=w)
        return False
    keys, scalars = FUSED_ARGUMENTS[rule]
    state = [config[key] for key in keys]
    kernels = _fused_loops(rule, w, dw, state, config)
    if kernels is None:
        return False
    getattr(kernels, rule)(w, dw, *state, *scalars(w, config, config.get("t")))
    return True


def _fused_loops(rule: str, w: np.ndarray, dw: np.ndarray, state: list, h: Mapping):
    """The fused loops (fcnet.fused) when they can take this update in place of the NumPy operations (see
    _loops_take), and w is large enough to be worth loading numba for (once it is loaded, by a network's large
    weights, its small biases go through it too: a call costs a few microseconds where the NumPy operations cost
    tens)."""
    if w.size < fused.FUSE_MIN and not fused.loaded():
        return None
    kernels = fused.kernels()
    return kernels if kernels is not None and _loops_take(rule, w, dw, state, h) else None


def _loops_take(rule: str, w: np.ndarray, dw: np.ndarray, state: list, h: Mapping) -> bool:
    """Whether the loops take these arrays (one float dtype, C-contiguous, writable); Nesterov without momentum is
    the NumPy path's special case."""
    if rule == "nesterov_momentum" and not h["momentum"]:
        return False
    return fused.fusable(w, dw, *state)


def update_all_in_place(
    rule: str,
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    states: Mapping[str, dict],
    hyperparameters: Mapping,
    kernels: Any,
) -> bool:
    """One step of fcnet's rule `rule` for every parameter, each written into its array by the rule's fused loop
    in `kernels` (fcnet.fused.kernels(), read once a step by the caller once numba is loaded), for a caller that
    keeps the state apart from the checked hyperparameters (fcnet's Optimizer): states[name] holds the rule's
    arrays (created by a first step through the rule itself) and its step count, counted here. The numbers are the
    rule's own; this path only spares the per-parameter dictionaries and work: the scalars are computed once for
    the step. Returns False, changing nothing, unless the loops can take every parameter's update (a first step; a
    dtype or layout they do not take; parameters of different dtypes or step counts): the caller then runs the
    rule on each."""
    taken = fused_calls(rule, params, grads, states, hyperparameters)
    if taken is None:
        return False
    calls, t = taken
    if not calls:
        return True
    if t is not None:
        for _, _, arrays, state in calls:
            count_step(state, *arrays)
    loop = getattr(kernels, rule)
    _, scalars = FUSED_ARGUMENTS[rule]
    step_scalars = scalars(calls[0][0], hyperparameters, None if t is None else t + 1)
    for w, dw, arrays, _ in calls:
        loop(w, dw, *arrays, *step_scalars)
    return True


def fused_calls(
    rule: str,
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    states: Mapping[str, dict],
    hyperparameters: Mapping,
) -> tuple[list, int | None] | None:
    """([(w, dw, the rule's state arrays, the state dict) per parameter], their common step count or None for a
    rule that counts none) when the rule's loops take every parameter's update: each parameter with its state
    arrays (made by a first step), a dtype and layout the loops take, one dtype and one step count for all; else
    None."""
    keys, _ = FUSED_ARGUMENTS[rule]
    calls = []
    first = None
    for name, w in params.items():
        state, dw = states[name], grads[name]
        arrays = [state.get(key) for key in keys]
        if not _loops_take(rule, w, dw, arrays, hyperparameters):
            return None
        if first is None:
            first = (w.dtype, state.get("t"))
        elif (w.dtype, state.get("t")) != first:
            return None
        calls.append((w, dw, arrays, state))
    return calls, None if first is None else first[1]


def _scalars(w: np.ndarray, *values: float) -> tuple:
    """The rule's scalars in w's dtype: what NumPy does to a Python float meeting a float32 array (the same
    rounding as w.dtype.type(v), done in one conversion: the fused path is called once per parameter per step)."""
    return _in_dtype(w.dtype, values)


@lru_cache(maxsize=64)
def _in_dtype(dtype: np.dtype, values: tuple) -> tuple:
    """values as scalars of `dtype`; cached: a step's parameters share their dtype, t and hyperparameters."""
    return tuple(np.array(values, dtype=dtype))


def _decay(h: Mapping) -> float:
    return h["learning_rate"] * h["weight_decay"]
