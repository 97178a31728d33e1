"""A correct cs231n FullyConnectedNet written independently of fcnet's reference (a list of layer records walked
forward and back), over this submission's own layers.py; used by the grader's tests."""

import numpy as np

from cs231n.layers import (
    affine_backward,
    affine_forward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)


class FullyConnectedNet(object):
    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout_keep_ratio=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        sizes = [input_dim] + list(hidden_dims) + [num_classes]
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params["W%d" % i] = weight_scale * np.random.randn(fan_in, fan_out)
            self.params["b%d" % i] = np.zeros(fan_out)
            if normalization and i < self.num_layers:
                self.params["gamma%d" % i] = np.ones(fan_out)
                self.params["beta%d" % i] = np.zeros(fan_out)
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
        if seed is not None:
            self.dropout_param["seed"] = seed
        self.bn_params = (
            [{"mode": "train"} for _ in range(self.num_layers - 1)] if normalization else []
        )
        for key in self.params:
            self.params[key] = self.params[key].astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        for bn in self.bn_params:
            bn["mode"] = mode
        out, tape = X, []
        for i in range(1, self.num_layers + 1):
            out, cache = affine_forward(out, self.params["W%d" % i], self.params["b%d" % i])
            tape.append(("affine", i, cache))
            if i == self.num_layers:
                break
            if self.normalization == "batchnorm":
                out, cache = batchnorm_forward(
                    out,
                    self.params["gamma%d" % i],
                    self.params["beta%d" % i],
                    self.bn_params[i - 1],
                )
                tape.append(("batchnorm", i, cache))
            elif self.normalization == "layernorm":
                out, cache = layernorm_forward(
                    out,
                    self.params["gamma%d" % i],
                    self.params["beta%d" % i],
                    self.bn_params[i - 1],
                )
                tape.append(("layernorm", i, cache))
            out, cache = relu_forward(out)
            tape.append(("relu", i, cache))
            if self.use_dropout:
                out, cache = dropout_forward(out, self.dropout_param)
                tape.append(("dropout", i, cache))
        if mode == "test":
            return out
        loss, dout = softmax_loss(out, y)
        grads = {}
        for kind, i, cache in reversed(tape):
            if kind == "affine":
                dout, grads["W%d" % i], grads["b%d" % i] = affine_backward(dout, cache)
                grads["W%d" % i] = grads["W%d" % i] + self.reg * self.params["W%d" % i]
            elif kind == "batchnorm":
                dout, grads["gamma%d" % i], grads["beta%d" % i] = batchnorm_backward_alt(
                    dout, cache
                )
            elif kind == "layernorm":
                dout, grads["gamma%d" % i], grads["beta%d" % i] = layernorm_backward(dout, cache)
            elif kind == "relu":
                dout = relu_backward(dout, cache)
            else:
                dout = dropout_backward(dout, cache)
        weights = [self.params["W%d" % i] for i in range(1, self.num_layers + 1)]
        loss += 0.5 * self.reg * sum(np.sum(W**2) for W in weights)
        return loss, grads
