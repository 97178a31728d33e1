"""The MNIST-MLP homework's functions with one known mistake each, written as its students write them, and the
catalogue entries (fcnet.grader.mistakes) they stand for. The update functions read their state from this
module's globals, as the notebook's do from its own: the plan binds ``v``, ``u``, ``s`` and ``grads_squared`` to
zeros before each case (fcnet.grader.plan_objects.run_course_update). They run in the grader's process, never in
the sandbox."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from fcnet.courses import mnist_mlp as course
from fcnet.grader.mistake import Mistake
from fcnet.grader.mnist_mlp_checks import KEYS, RULES

# the notebook's globals, bound by the plan before each case
v: dict = {}
u: dict = {}
s: dict = {}
grads_squared: dict = {}


class _LeakyReluLetsEveryGradientThrough:
    def __init__(self):
        self.mask, self.alpha = None, 0.1

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = self.alpha * out[self.mask]
        return out

    def backward(self, dout):
        return dout


class _LeakyReluScalesTheWrongSide(_LeakyReluLetsEveryGradientThrough):
    def backward(self, dout):
        return np.where(self.mask, dout, self.alpha * dout)


class _LeakyReluSetsAlpha(_LeakyReluLetsEveryGradientThrough):
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = self.alpha
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = self.alpha * dout[self.mask]
        return dout


class _AffineSumsDbOverEverything:
    def __init__(self, W, b):
        self.W, self.b, self.x, self.dW, self.db = W, b, None, None, None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout)
        return np.dot(dout, self.W.T).reshape(*self.original_x_shape)


def _adagrad_without_accumulating(network, grads, learning_rate=0.001, epsilon=1e-7):
    for key in KEYS:
        grads_squared[key] = grads[key] * grads[key]
        network.params[key] -= learning_rate * grads[key] / (np.sqrt(grads_squared[key]) + epsilon)


def _rmsprop_without_one_minus_beta(network, grads, learning_rate=0.001, epsilon=1e-7, beta=0.999):
    for key in KEYS:
        grads_squared[key] = beta * grads_squared[key] + grads[key] * grads[key]
        network.params[key] -= learning_rate / (np.sqrt(grads_squared[key]) + epsilon) * grads[key]


def _momentum_wrong_sign(network, grads, learning_rate=0.001, beta=0.9):
    for key in KEYS:
        v[key] = beta * v[key] - learning_rate * grads[key]
        network.params[key] -= v[key]


def _nesterov_as_momentum(network, grads, learning_rate=0.001, beta=0.9):
    for key in KEYS:
        v[key] = beta * v[key] + learning_rate * grads[key]
        network.params[key] -= v[key]


def _adam_without_bias_correction(
    network, grads, learning_rate=0.001, epsilon=1e-7, beta1=0.9, beta2=0.999
):
    for key in KEYS:
        v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
        u[key] = beta2 * u[key] + (1 - beta2) * grads[key] * grads[key]
        network.params[key] -= learning_rate / (np.sqrt(u[key]) + epsilon) * v[key]


def _adambelief_with_previous_v(
    network, grads, learning_rate=0.001, epsilon=1e-7, beta1=0.9, beta2=0.999
):
    """s from (g - v_t)**2, as the course's prose has it, where its formula and code take v_{t+1}."""
    t = network.t
    for key in KEYS:
        s[key] = beta2 * s[key] + (1 - beta2) * (grads[key] - v[key]) * (grads[key] - v[key])
        v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
        v_corrected, s_corrected = v[key] / (1 - beta1**t), s[key] / (1 - beta2**t)
        network.params[key] -= learning_rate / (np.sqrt(s_corrected) + epsilon) * v_corrected


def _replacing_params(name: str) -> Callable:
    """The course's update written as network.params[key] = network.params[key] - ...: right values in new
    arrays, which the network's layers never see."""
    reference = getattr(course, name)

    def update(network, grads, *args, **kwargs):
        for key in KEYS:
            network.params[key] = network.params[key].copy()
        reference(network, grads, *args, **kwargs)

    return update


def _entry(key: str, function: str, title: str, hint: str, mutant: Any) -> Mistake:
    return Mistake(f"mnist_mlp_{key}", function, title, hint, lambda: {function: mutant})


MNIST_MLP_MISTAKES: tuple[Mistake, ...] = (
    _entry(
        "leaky_relu_backward_no_mask",
        "LeakyRelu",
        "backward lets every gradient through",
        "Where forward scaled x by alpha (self.mask), backward scales dout by alpha too: "
        "dout[self.mask] = self.alpha * dout[self.mask].",
        _LeakyReluLetsEveryGradientThrough,
    ),
    _entry(
        "leaky_relu_backward_wrong_side",
        "LeakyRelu",
        "backward scales the wrong side",
        "The slope is alpha where x <= 0 (self.mask) and 1 elsewhere: dx = np.where(self.mask, self.alpha * "
        "dout, dout), not the other way round.",
        _LeakyReluScalesTheWrongSide,
    ),
    _entry(
        "leaky_relu_sets_alpha",
        "LeakyRelu",
        "forward sets alpha where it should scale by alpha",
        "LeakyRelu gives alpha * x for x <= 0, not the constant alpha: out[self.mask] = self.alpha * "
        "out[self.mask].",
        _LeakyReluSetsAlpha,
    ),
    _entry(
        "affine_db_over_everything",
        "Affine",
        "db summed over every element",
        "db has b's shape (M,): sum dout over the batch only, np.sum(dout, axis=0).",
        _AffineSumsDbOverEverything,
    ),
    _entry(
        "adagrad_not_accumulated",
        "update_parameters_with_adagrad",
        "the squared gradients not accumulated",
        "AdaGrad divides by the root of the sum of every squared gradient so far: grads_squared[key] += "
        "grads[key] * grads[key], not =.",
        _adagrad_without_accumulating,
    ),
    _entry(
        "rmsprop_without_one_minus_beta",
        "update_parameters_with_rmsprop",
        "the new squared gradient not weighted by (1 - beta)",
        "RMSprop keeps a moving average: grads_squared[key] = beta * grads_squared[key] + (1 - beta) * "
        "grads[key] ** 2.",
        _rmsprop_without_one_minus_beta,
    ),
    _entry(
        "momentum_wrong_sign",
        "update_parameters_with_momentum",
        "velocity with the wrong sign",
        "The course's velocity adds the gradient, v = beta * v + learning_rate * grads[key], and the "
        "parameters step against it, params -= v: one sign flipped moves them uphill.",
        _momentum_wrong_sign,
    ),
    _entry(
        "nesterov_as_momentum",
        "update_parameters_with_nesterov_momentum",
        "plain momentum's step",
        "Nesterov's step looks ahead: after v = beta * v + learning_rate * g, the parameters move by "
        "beta * v + learning_rate * g, not by v.",
        _nesterov_as_momentum,
    ),
    _entry(
        "adam_without_bias_correction",
        "update_parameters_with_adam",
        "no bias correction",
        "Divide the moments by (1 - beta1 ** t) and (1 - beta2 ** t), t = network.t, before the step: "
        "both start at zero and are too small in the first updates without it.",
        _adam_without_bias_correction,
    ),
    _entry(
        "adambelief_previous_v",
        "update_parameters_with_adambelief",
        "the belief from v before its update",
        "s follows (g - v) ** 2 with the v just updated (v^{t+1} in the course's formula, though its text "
        "says v_t): update v first, then s.",
        _adambelief_with_previous_v,
    ),
) + tuple(
    _entry(
        f"{name.replace('update_parameters_with_', '')}_replaces_params",
        name,
        "new arrays in network.params",
        "network.params[key] = network.params[key] - ... makes a new array; the network's Affine layers hold "
        "the old one and never see the update. Update in place: network.params[key] -= ...",
        _replacing_params(name),
    )
    for name in RULES
)
