"""Sandwich layers: common sequences of :mod:`fcnet.layers`, with the same ``(out, cache)`` convention."""

from __future__ import annotations

import numpy as np

from fcnet import (
    layers as L,
)  # kernels looked up when called: one rule for every module (ARCHITECTURE.md)

Cache = tuple

NORMALIZATIONS = ("batchnorm", "layernorm")


def affine_relu_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Affine then ReLU. x: (N, d_1, ..., d_k); w: (D, M); b: (M,). Returns out (N, M) and cache."""
    a, fc_cache = L.affine_forward(x, w, b)
    out, relu_cache = L.relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(
    dout: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_relu_forward`. Returns dx, dw, db."""
    fc_cache, relu_cache = cache
    return L.affine_backward(L.relu_backward(dout, relu_cache), fc_cache)


def affine_norm_relu_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    norm_param: dict,
    normalization: str = "batchnorm",
) -> tuple[np.ndarray, Cache]:
    """Affine, then batch or layer normalization, then ReLU.

    x: (N, d_1, ..., d_k); w: (D, M); b, gamma, beta: (M,); norm_param: the bn_param or ln_param dict;
    normalization: 'batchnorm' or 'layernorm'. Returns out (N, M) and cache.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    norm_forward = L.batchnorm_forward if normalization == "batchnorm" else L.layernorm_forward
    a, fc_cache = L.affine_forward(x, w, b)
    normed, norm_cache = norm_forward(a, gamma, beta, norm_param)
    out, relu_cache = L.relu_forward(normed)
    return out, (normalization, fc_cache, norm_cache, relu_cache)


def affine_norm_relu_backward(dout: np.ndarray, cache: Cache):
    """Backward pass of :func:`affine_norm_relu_forward`. Returns dx, dw, db, dgamma, dbeta."""
    normalization, fc_cache, norm_cache, relu_cache = cache
    norm_backward = (
        L.batchnorm_backward_alt if normalization == "batchnorm" else L.layernorm_backward
    )
    dnormed = L.relu_backward(dout, relu_cache)
    da, dgamma, dbeta = norm_backward(dnormed, norm_cache)
    dx, dw, db = L.affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    """Affine - batch norm - ReLU (see :func:`affine_norm_relu_forward`)."""
    return affine_norm_relu_forward(x, w, b, gamma, beta, bn_param, "batchnorm")


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    """Affine - layer norm - ReLU (see :func:`affine_norm_relu_forward`)."""
    return affine_norm_relu_forward(x, w, b, gamma, beta, ln_param, "layernorm")


affine_bn_relu_backward = affine_norm_relu_backward
affine_ln_relu_backward = affine_norm_relu_backward
