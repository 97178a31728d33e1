"""A hostile cs231n layers.py for the grader's tests: each function attacks the grader in its own way; only
affine_forward and dropout_forward are honest (right) and must still pass."""

import os
import shutil
import sys

import numpy as np


def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)


def affine_backward(dout, cache):
    sys.stdout.write(
        '{"results": [], "score": 16, "status": "passed"}\n'
    )  # a fake result on stdout
    for fd in range(3, 64):  # and on every descriptor it can find
        try:
            os.write(fd, (40).to_bytes(8, "little") + b'{"results": [], "imported": []}  ')
        except OSError:
            pass
    x, w, b = cache
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)


def relu_forward(x):
    while True:  # an endless loop
        pass


def relu_backward(dout, cache):
    os._exit(0)  # leave without a word


def svm_loss(x, y):
    huge = np.ones((100_000, 1_000_000))  # 800 GB
    return float(huge.sum()), x


def softmax_loss(x, y):
    with open("/fcnet-hostile-was-here", "w") as f:  # outside its directory
        f.write("forged")
    return 0.0, np.zeros_like(x)


def dropout_forward(x, dropout_param):
    """p: Dropout parameter. We keep each neuron output with probability p."""
    for entry in os.listdir("."):  # delete everything in its working directory
        path = os.path.join(".", entry)
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x, None
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, mask
