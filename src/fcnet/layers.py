"""Layers as pure forward/backward pairs (cs231n signatures).

Every ``*_forward`` returns ``(out, cache)``; every ``*_backward`` takes ``(dout, cache)`` and returns the gradients
with respect to the forward's array inputs, in the order they were passed. No function modifies its inputs: the
normalization layers store their running statistics back into their parameter dict as new arrays, as in cs231n.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fcnet import fused
from fcnet._checks import (
    already_checked,
    as_float_array,
    check_mode,
    check_probability,
    check_real,
    check_vector,
)

# the losses live in fcnet.loss_kernels; re-exported here, where cs231n's layers.py keeps them
from fcnet.loss_kernels import log_softmax as log_softmax
from fcnet.loss_kernels import softmax as softmax
from fcnet.loss_kernels import softmax_loss as softmax_loss
from fcnet.loss_kernels import svm_loss as svm_loss

Cache = tuple


# ---------------------------------------------------------------------------------------------------------------
# Affine
# ---------------------------------------------------------------------------------------------------------------
def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Fully-connected layer: ``out = x.reshape(N, D) @ w + b``.

    x: (N, d_1, ..., d_k) float array, D = d_1 * ... * d_k
    w: (D, M) weights; b: (M,) biases
    Returns out (N, M) and cache (x, w, b).
    """
    if not already_checked():
        x = as_float_array("x", x, min_ndim=2)
        w = as_float_array("w", w, ndim=2)
        num_features = math.prod(x.shape[1:])
        if w.shape[0] != num_features:
            raise ValueError(
                f"w has {w.shape[0]} rows but x has {num_features} features per sample "
                f"(x shape {x.shape}); w must have shape ({num_features}, M)"
            )
        b = check_vector("b", b, w.shape[1], f"w's {w.shape[1]} output columns")
    out = x.reshape(x.shape[0], w.shape[0]) @ w
    out += b
    return out, (x, w, b)


def affine_backward(
    dout: np.ndarray, cache: Cache, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_forward`.

    dout: (N, M) upstream gradient.
    Returns dx (N, d_1, ..., d_k), dw (D, M), db (M,); dx is None when not `input_grad` (a network's first layer:
    nothing needs the gradient of its data, and it costs a matrix product).
    """
    x, w, _ = cache
    if np.shape(dout) != (x.shape[0], w.shape[1]):
        raise ValueError(
            f"dout must have the forward output's shape ({x.shape[0]}, {w.shape[1]}), "
            f"got {np.shape(dout)}"
        )
    x2d = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape) if input_grad else None
    dw = x2d.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


# ---------------------------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------------------------
def relu_forward(x: np.ndarray) -> tuple[np.ndarray, Cache]:
    """ReLU: ``max(x, 0)``. x: any shape. Returns out (same shape) and cache x."""
    if not already_checked():
        x = as_float_array("x", x)
    fast = fused.loaded_kernels(x)
    if fast is None:
        return np.maximum(x, 0), x
    out = np.empty_like(x)
    fast.relu_forward(x, out)  # the same numbers in one pass (fcnet.fused)
    return out, x


def relu_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """Backward pass of ReLU: the gradient flows where x > 0 (0 at the kink, as in PyTorch)."""
    x = cache
    fast = fused.loaded_kernels(dout, x)
    if fast is None:
        return dout * (x > 0)
    dx = np.empty_like(dout)
    # the mask as 1 or 0 in the gradient's dtype: the same numbers in one pass (fcnet.fused)
    fast.relu_backward(dout, x, dx, dout.dtype.type(1), dout.dtype.type(0))
    return dx


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01) -> tuple[np.ndarray, Cache]:
    """Leaky ReLU: ``x`` where x > 0, ``alpha * x`` elsewhere. x: any shape."""
    if not already_checked():
        x = as_float_array("x", x)
    alpha = check_real("alpha", alpha, 0.0)
    one, alpha_ = x.dtype.type(1), x.dtype.type(alpha)
    fast = fused.loaded_kernels(x)
    if fast is None:
        slope = np.where(x > 0, one, alpha_)
        return x * slope, slope
    out, slope = np.empty_like(x), np.empty_like(x)
    # the same numbers in one pass (fcnet.fused)
    fast.leaky_relu_forward(x, out, slope, one, alpha_)
    return out, slope


def leaky_relu_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """Backward pass of leaky ReLU: dout times the slope (1 or alpha) at each input."""
    slope = cache
    return dout * slope


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow. x: any shape."""
    x = as_float_array("x", x)
    out = np.exp(-np.logaddexp(0, -x))
    return out, out


def sigmoid_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    out = cache
    return dout * out * (1 - out)


def tanh_forward(x: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Hyperbolic tangent. x: any shape."""
    x = as_float_array("x", x)
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    out = cache
    return dout * (1 - out * out)


# ---------------------------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------------------------
def _check_norm_inputs(x: Any, gamma: Any, beta: Any, param: Any, param_name: str):
    if not isinstance(param, dict):
        raise TypeError(f"{param_name} must be a dict, got {type(param).__name__}")
    x = as_float_array("x", x, ndim=2)
    num_features = x.shape[1]
    gamma = check_vector("gamma", gamma, num_features, f"x's {num_features} features")
    beta = check_vector("beta", beta, num_features, f"x's {num_features} features")
    eps = float(param.get("eps", 1e-5))
    if not eps > 0:
        raise ValueError(f"{param_name}['eps'] must be > 0, got {eps}")
    return x, gamma, beta, eps


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict
) -> tuple[np.ndarray, Cache]:
    """Batch normalization over the batch axis.

    x: (N, D); gamma, beta: (D,)
    bn_param: dict with
      - mode: 'train' or 'test' (required)
      - eps: added to the variance (default 1e-5)
      - momentum: weight of the old running statistics (default 0.9)
      - running_mean, running_var: (D,) arrays (default zeros)
    In train mode the batch mean and biased batch variance normalize x, and
    ``running = momentum * running + (1 - momentum) * batch_statistic`` is stored back into bn_param
    (as new arrays). In test mode the running statistics normalize x.
    Returns out (N, D) and a cache for :func:`batchnorm_backward` / :func:`batchnorm_backward_alt`.
    """
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, bn_param, "bn_param")
    mode = check_mode("bn_param['mode']", bn_param.get("mode"))
    momentum = float(bn_param.get("momentum", 0.9))
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"bn_param['momentum'] must be in [0, 1], got {momentum}")
    num_features = x.shape[1]
    running_mean = bn_param.get("running_mean")
    running_var = bn_param.get("running_var")
    if running_mean is None:
        running_mean = np.zeros(num_features, dtype=x.dtype)
    if running_var is None:
        running_var = np.zeros(num_features, dtype=x.dtype)
    running_mean = check_vector(
        "bn_param['running_mean']", running_mean, num_features, "x's features"
    )
    running_var = check_vector(
        "bn_param['running_var']", running_var, num_features, "x's features"
    )

    if mode == "train":
        if (
            x.shape[0] < 2
        ):  # one sample normalizes to 0 everywhere: nothing would be learned (PyTorch refuses too)
            raise ValueError(
                f"batch normalization in training mode needs at least 2 samples per batch, got "
                f"{x.shape[0]} sample{'' if x.shape[0] == 1 else 's'} (x of shape {x.shape}); use a "
                "batch size >= 2, or evaluation mode"
            )
        mean = x.mean(axis=0)
        x_mu = x - mean
        var = np.mean(x_mu * x_mu, axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        x_mu = x - running_mean
        var = running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    out = gamma * x_hat + beta
    return out, (mode, x_hat, x_mu, var, inv_std, gamma, eps)


def _scale_shift_backward(dout: np.ndarray, x_hat: np.ndarray, gamma: np.ndarray):
    """Through ``out = gamma * x_hat + beta``: returns dx_hat (N, D), dgamma (D,), dbeta (D,)."""
    return dout * gamma, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def batchnorm_backward(
    dout: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of batch normalization, node by node through the computational graph.

    dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    mode, x_hat, x_mu, var, inv_std, gamma, eps = cache
    dx_hat, dgamma, dbeta = _scale_shift_backward(dout, x_hat, gamma)
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    # x_hat = x_mu * inv_std, inv_std = (var + eps) ** -0.5, var = mean(x_mu ** 2), x_mu = x - mean(x)
    dinv_std = np.sum(dx_hat * x_mu, axis=0)
    dvar = dinv_std * -0.5 * (var + eps) ** -1.5
    dx_mu = dx_hat * inv_std + dvar * 2.0 * x_mu / n
    dmean = -np.sum(dx_mu, axis=0)
    dx = dx_mu + dmean / n
    return dx, dgamma, dbeta


def _normalized_input_gradient(
    dx_hat: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, axis: int
) -> np.ndarray:
    """Gradient through ``x_hat = (x - mean(x)) / sqrt(var(x) + eps)`` with statistics taken along `axis`.

    The closed form: dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)).
    """
    mean_dx_hat = dx_hat.mean(axis=axis, keepdims=True)
    mean_dx_hat_x_hat = np.mean(dx_hat * x_hat, axis=axis, keepdims=True)
    return inv_std * (dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat)


def batchnorm_backward_alt(
    dout: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of batch normalization in the simplified closed form.

    dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,); equal to :func:`batchnorm_backward` to round-off.
    """
    mode, x_hat, _, _, inv_std, gamma, _ = cache
    dx_hat, dgamma, dbeta = _scale_shift_backward(dout, x_hat, gamma)
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    return _normalized_input_gradient(dx_hat, x_hat, inv_std, axis=0), dgamma, dbeta


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ln_param: dict
) -> tuple[np.ndarray, Cache]:
    """Layer normalization: each sample is normalized over its features; same in train and test.

    x: (N, D); gamma, beta: (D,); ln_param: dict with optional 'eps' (default 1e-5).
    Returns out (N, D) and cache.
    """
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, ln_param, "ln_param")
    x_mu = x - x.mean(axis=1, keepdims=True)
    var = np.mean(x_mu * x_mu, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def layernorm_backward(
    dout: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of layer normalization. dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,)."""
    x_hat, inv_std, gamma = cache
    dx_hat, dgamma, dbeta = _scale_shift_backward(dout, x_hat, gamma)
    return _normalized_input_gradient(dx_hat, x_hat, inv_std, axis=1), dgamma, dbeta


# ---------------------------------------------------------------------------------------------------------------
# Dropout
# ---------------------------------------------------------------------------------------------------------------
def dropout_forward(x: np.ndarray, dropout_param: dict) -> tuple[np.ndarray, Cache]:
    """Inverted dropout.

    x: any shape.
    dropout_param: dict with
      - p: the probability of DROPPING each unit, in [0, 1) (the convention of PyTorch and Keras; some cs231n
        versions call the keep probability p);
      - mode: 'train' or 'test' (required);
      - seed: optional int; the same seed gives the same mask;
      - rng: optional numpy.random.Generator, used when no seed is given.
    In train mode each unit is kept with probability 1 - p and the kept units are scaled by 1 / (1 - p), so the
    expected output equals the input; in test mode the layer is the identity.
    Returns out (same shape as x) and cache (mode, mask).
    """
    if not isinstance(dropout_param, dict):
        raise TypeError(f"dropout_param must be a dict, got {type(dropout_param).__name__}")
    x = as_float_array("x", x)
    p = check_probability("dropout_param['p']", dropout_param.get("p"))
    mode = check_mode("dropout_param['mode']", dropout_param.get("mode"))
    if mode == "test":
        return x.copy(), (mode, None)
    if "seed" in dropout_param and dropout_param["seed"] is not None:
        rng = np.random.default_rng(dropout_param["seed"])
    else:
        rng = dropout_param.get("rng") or np.random.default_rng()
    keep = (
        rng.random(x.shape, dtype=x.dtype if x.dtype in (np.float32, np.float64) else np.float64)
        >= p
    )
    return apply_dropout_mask(x, keep, 1.0 / (1.0 - p))


def apply_dropout_mask(x: np.ndarray, keep: np.ndarray, scale: float) -> tuple[np.ndarray, Cache]:
    """The train-mode half of inverted dropout, for a given mask: ``x * keep * scale``.

    x: any shape; keep: boolean array of x's shape (True = the unit is kept); scale: 1 / keep probability.
    Returns out and the cache :func:`dropout_backward` takes. (The course packages draw `keep` their own way.)
    """
    mask = keep * x.dtype.type(scale)
    return x * mask, ("train", mask)


def dropout_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """Backward pass of inverted dropout: dout times the scaled mask (identity in test mode)."""
    mode, mask = cache
    if mode == "test":
        return dout.copy()
    return dout * mask
