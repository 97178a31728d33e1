"""The reference with one known mistake each, written as students write them (fcnet.grader.mistakes says which
mistake each is and what hint it earns). Pure NumPy; they run in the grader's process, never in the sandbox."""

from __future__ import annotations

import numpy as np

from fcnet import layers as L


def _affine_forward_no_reshape(x, w, b):
    return x @ w + b, (x, w, b)


def _affine_backward_with(db_mean=False, dw_transposed=False, dx_not_reshaped=False):
    def affine_backward(dout, cache):
        x, w, b = cache
        x2 = x.reshape(x.shape[0], -1)
        dx = dout @ w.T
        if not dx_not_reshaped:
            dx = dx.reshape(x.shape)
        dw = dout.T @ x2 if dw_transposed else x2.T @ dout
        db = dout.mean(axis=0) if db_mean else dout.sum(axis=0)
        return dx, dw, db

    def affine_forward(x, w, b):
        return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)

    return {"affine_forward": affine_forward, "affine_backward": affine_backward}


def _relu_forward_returns_mask(x):
    return (x > 0).astype(x.dtype), x


def _relu_backward_masks_dout(dout, cache):
    return dout * (dout > 0)


def _relu_pair():
    def relu_forward(x):
        return np.maximum(0, x), x

    return {"relu_forward": relu_forward, "relu_backward": _relu_backward_masks_dout}


def _softmax_loss_with(sum_not_mean=False, unshifted=False, dx_not_divided=False):
    def softmax_loss(x, y):
        n = x.shape[0]
        shifted = x if unshifted else x - x.max(axis=1, keepdims=True)
        with np.errstate(all="ignore"):
            probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            loss = -np.log(probs[np.arange(n), y]).sum()
        dx = probs.copy()
        dx[np.arange(n), y] -= 1
        if not sum_not_mean:
            loss /= n
            if not dx_not_divided:
                dx /= n
        return loss, dx

    return {"softmax_loss": softmax_loss}


def _svm_loss_counts_correct_class(x, y):
    n = x.shape[0]
    margins = np.maximum(
        0, x - x[np.arange(n), y][:, None] + 1.0
    )  # the correct class's own margin (1) kept
    loss = margins.sum() / n
    positive = (margins > 0).astype(x.dtype)
    positive[np.arange(n), y] -= positive.sum(axis=1)
    return loss, positive / n


def _batchnorm_forward_with(unbiased=False, momentum_swapped=False, test_uses_batch=False):
    def batchnorm_forward(x, gamma, beta, bn_param):
        mode, eps, momentum = (
            bn_param["mode"],
            bn_param.get("eps", 1e-5),
            bn_param.get("momentum", 0.9),
        )
        running_mean = bn_param.get("running_mean", np.zeros(x.shape[1]))
        running_var = bn_param.get("running_var", np.zeros(x.shape[1]))
        if mode == "train" or test_uses_batch:
            mean, var = x.mean(axis=0), x.var(axis=0, ddof=1 if unbiased else 0)
            x_hat = (x - mean) / np.sqrt(var + eps)
            if mode == "train":
                keep = (1 - momentum) if momentum_swapped else momentum
                bn_param["running_mean"] = keep * running_mean + (1 - keep) * mean
                bn_param["running_var"] = keep * running_var + (1 - keep) * var
        else:
            x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * x_hat + beta, (x, gamma, beta, bn_param)

    return {"batchnorm_forward": batchnorm_forward}


def _batchnorm_pair_without_mean_term(name):
    def batchnorm_forward(x, gamma, beta, bn_param):
        return L.batchnorm_forward(x, gamma, beta, bn_param)

    def backward(dout, cache):
        _, dgamma, dbeta = L.batchnorm_backward(dout, cache)
        mode, x_hat, x_mu, var, inv_std, gamma, eps = cache
        return (
            dout * gamma * inv_std,
            dgamma,
            dbeta,
        )  # the paths through the batch mean and variance dropped

    return {"batchnorm_forward": batchnorm_forward, name: backward}


def _layernorm_forward_wrong_axis(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(
        x.var(axis=0) + eps
    )  # over the batch, as batch norm does
    return gamma * x_hat + beta, None


def _dropout_forward_with(inverted=True, swapped=False, convention="keep"):
    def dropout_forward(x, dropout_param):
        p, mode = dropout_param["p"], dropout_param["mode"]
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        if mode == "test":
            return x, (dropout_param, None)
        keep = p if (convention == "keep") != swapped else 1 - p
        mask = (np.random.rand(*x.shape) < keep) / (keep if inverted else 1.0)
        return x * mask, (dropout_param, mask)

    return {"dropout_forward": dropout_forward}


def _dropout_pair_redraws_mask():
    forward = _dropout_forward_with()["dropout_forward"]

    def dropout_backward(dout, cache):
        dropout_param, mask = cache
        if dropout_param["mode"] == "test":
            return dout
        p = dropout_param["p"]
        return dout * (np.random.rand(*dout.shape) < p) / p  # a new mask, not the forward's

    return {"dropout_forward": forward, "dropout_backward": dropout_backward}


def _sgd_momentum_wrong_sign(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw  # the step's sign flipped
    config["velocity"] = v
    return w + v, config


def _rmsprop_without_sqrt(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    return w - config["learning_rate"] * dw / (config["cache"] + config["epsilon"]), config


def _adam_with(t_after=False, no_bias_correction=False, t_from=0):
    def adam(w, dw, config=None):
        config = {} if config is None else config
        for key, value in (
            ("learning_rate", 1e-3),
            ("beta1", 0.9),
            ("beta2", 0.999),
            ("epsilon", 1e-8),
            ("m", np.zeros_like(w)),
            ("v", np.zeros_like(w)),
            ("t", t_from),
        ):
            config.setdefault(key, value)
        b1, b2 = config["beta1"], config["beta2"]
        if not t_after:
            config["t"] += 1
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * dw**2
        m, v = config["m"], config["v"]
        if not no_bias_correction:
            with np.errstate(all="ignore"):
                m, v = m / (1 - b1 ** config["t"]), v / (1 - b2 ** config["t"])
        if t_after:
            config["t"] += 1
        return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config

    return {"adam": adam}
