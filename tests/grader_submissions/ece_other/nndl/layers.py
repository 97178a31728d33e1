"""A correct ECE C147 nndl/layers.py (dropout p = drop probability) written differently from fcnet's reference: loops, np.where, log-sum-exp, a
step-by-step computational graph for batch norm, layer norm through the transpose. Used by the grader's tests:
every function must pass."""

import numpy as np


def affine_forward(x, w, b):
    rows = [x[i].ravel() for i in range(x.shape[0])]
    out = np.zeros((x.shape[0], w.shape[1]))
    for i, row in enumerate(rows):
        out[i] = np.dot(row, w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    flat = x.reshape(len(x), np.prod(x.shape[1:], dtype=int))
    dw = np.einsum("nd,nm->dm", flat, dout)
    db = np.einsum("nm->m", dout)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    return dx, dw, db


def relu_forward(x):
    return np.where(x > 0, x, 0.0), x


def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)


def svm_loss(x, y):
    n = len(y)
    loss, dx = 0.0, np.zeros_like(x)
    for i in range(n):
        for j in range(x.shape[1]):
            if j == y[i]:
                continue
            margin = x[i, j] - x[i, y[i]] + 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    return loss / n, dx / n


def softmax_loss(x, y):
    n = x.shape[0]
    top = np.max(x, axis=1, keepdims=True)
    log_z = top + np.log(np.sum(np.exp(x - top), axis=1, keepdims=True))
    log_p = x - log_z
    loss = -np.mean(log_p[np.arange(n), y])
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1
    return loss, dx / n


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    d = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(d, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(d, dtype=x.dtype))
    if mode == "train":
        mu = x.sum(axis=0) / x.shape[0]
        xc = x - mu
        var = (xc * xc).sum(axis=0) / x.shape[0]
        std = np.sqrt(var + eps)
        xn = xc / std
        out = xn * gamma + beta
        cache = (xc, std, xn, gamma)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        out = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta
        cache = None
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    # the computational graph, one node at a time
    xc, std, xn, gamma = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xn).sum(axis=0)
    dxn = dout * gamma
    dxc = dxn / std
    dstd = -(dxn * xc).sum(axis=0) / std**2
    dvar = 0.5 * dstd / std
    dxc += 2.0 * xc * dvar / n
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    xc, std, xn, gamma = cache
    n = dout.shape[0]
    dgamma = np.sum(dout * xn, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx = gamma / (n * std) * (n * dout - dbeta - xn * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xt = x.T  # features along axis 0: the batch-norm arithmetic, per sample
    mu = xt.mean(axis=0)
    var = xt.var(axis=0)
    xn = ((xt - mu) / np.sqrt(var + eps)).T
    return xn * gamma + beta, (xn, np.sqrt(var + eps), gamma)


def layernorm_backward(dout, cache):
    xn, std, gamma = cache
    d = dout.shape[1]
    dgamma = (dout * xn).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxn = dout * gamma
    dx = d * dxn - dxn.sum(axis=1, keepdims=True) - xn * (dxn * xn).sum(axis=1, keepdims=True)
    return dx / (d * std[:, None]), dgamma, dbeta


def dropout_forward(x, dropout_param):
    """
    Performs the forward pass for (inverted) dropout.

    Inputs:
    - x: Input data, of any shape
    - dropout_param: A dictionary with the following keys:
      - p: Dropout parameter. We drop each neuron output with probability p.
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.uniform(size=x.shape) >= p
        out = np.where(mask, x / (1 - p), 0.0)
    else:
        out = x
    return out.astype(x.dtype, copy=False), (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return np.where(mask, dout / (1 - dropout_param["p"]), 0.0)
    return dout
