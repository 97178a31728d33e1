"""The MNIST three-layer MLP homework with hand-written optimizers (bilibili 《数之道》 course): everything its
notebook imports or defines, in one module. ``from utils import load_mnist`` becomes
``from fcnet.courses.mnist_mlp import *``.

The network is the course's ``TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.01)``: affine -
LeakyRelu (slope 0.1) - affine - LeakyRelu - affine - softmax with cross-entropy, W1 (784, 300), W2 (300, 300),
W3 (300, 10), drawn after ``np.random.seed(1)`` as the course's ``initialize_parameters`` does. The update
functions ``update_parameters_with_*(network, grads, learning_rate=0.001, ...)`` run fcnet's kernels with the
course's defaults (epsilon 1e-7, RMSProp beta 0.999); their state (the course's global ``v``, ``u``, ``s``,
``grads_squared``) lives on the network, created by the ``initialize_*`` helpers or at the first update.

Two bugs of the course's own code are not copied: its ``cross_entropy_error`` indexes ``pred[:, y]`` (an N x N
block, every row against every label) where the loss needs ``pred[np.arange(N), y]``; and its ``train_network``
reads the data from the notebook's globals, which this one does too, but it also takes them as arguments.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from fcnet import layers as L
from fcnet import modules as M
from fcnet._checks import check_int
from fcnet.data.idx import load_mnist as _load_mnist
from fcnet.courses._mnist_mlp_rules import (  # the update functions, re-exported
    PARAMETER_KEYS as PARAMETER_KEYS,
    initialize_adam as initialize_adam,
    initialize_adambelief as initialize_adambelief,
    initialize_grads_squared as initialize_grads_squared,
    initialize_velocity as initialize_velocity,
    update_parameters as update_parameters,
    update_parameters_with_adagrad as update_parameters_with_adagrad,
    update_parameters_with_adam as update_parameters_with_adam,
    update_parameters_with_adambelief as update_parameters_with_adambelief,
    update_parameters_with_momentum as update_parameters_with_momentum,
    update_parameters_with_nesterov_momentum as update_parameters_with_nesterov_momentum,
    update_parameters_with_rmsprop as update_parameters_with_rmsprop,
)

__all__ = [
    "load_mnist",
    "initialize_parameters",
    "LeakyRelu",
    "Affine",
    "SoftmaxWithLoss",
    "softmax",
    "cross_entropy_error",
    "TwoLayerNet",
    "update_parameters",
    "initialize_grads_squared",
    "initialize_velocity",
    "initialize_adam",
    "initialize_adambelief",
    "update_parameters_with_adagrad",
    "update_parameters_with_rmsprop",
    "update_parameters_with_momentum",
    "update_parameters_with_nesterov_momentum",
    "update_parameters_with_adam",
    "update_parameters_with_adambelief",
    "train_network",
    "np",
    "OrderedDict",
]


def load_mnist(
    path: Any = None,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    **options: Any,
):
    """``(x_train, y_train), (x_test, y_test)`` from the IDX files in `path` (MNIST, or Fashion-MNIST in the same
    format, e.g. /usr/share/datasets/fashion-mnist); see :func:`fcnet.data.load_mnist` for the options."""
    return _load_mnist(
        path, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label, **options
    )


def initialize_parameters(
    input_size: int, hidden_size: int, output_size: int, weight_init_std: float
) -> dict:
    """W1 (input_size, hidden_size), W2 (hidden_size, hidden_size), W3 (hidden_size, output_size) as
    ``np.random.randn(...) * weight_init_std`` after ``np.random.seed(1)``, biases zero; prints the shapes."""
    np.random.seed(1)
    params = {}
    for i, (fan_in, fan_out) in enumerate(
        [(input_size, hidden_size), (hidden_size, hidden_size), (hidden_size, output_size)],
        start=1,
    ):
        params[f"W{i}"] = np.random.randn(fan_in, fan_out) * weight_init_std
        params[f"b{i}"] = np.zeros((fan_out,))
    for key in PARAMETER_KEYS:
        print(f"{key}'s shape:", params[key].shape)
    return params


class LeakyRelu(M.LeakyReLU):
    """LeakyReLU with the course's slope 0.1: ``forward(x)``, ``backward(dout)``."""

    def __init__(self) -> None:
        super().__init__(alpha=0.1)


class Affine(M.Affine):
    """``x @ W + b`` over the arrays W (D, M), b (M,) it is given (in-place updates of them are seen); after
    ``backward(dout)``, ``dW`` and ``db`` hold the gradients."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        super().__init__(W, b)


class SoftmaxWithLoss(M.SoftmaxWithLoss):
    """Softmax with cross-entropy: ``forward(x, y)`` -> mean loss (y labels (N,) or one-hot (N, C)),
    ``backward(dout=1)`` -> dx; ``pred`` is the softmax output, ``y`` the targets.

    The loss is the homework's ``cross_entropy_error(softmax(x), y)``, with its ``+ 1e-7`` inside the log (what
    the notebook prints); fcnet's native layer computes it in log space, about 1e-7 lower. The gradient is the
    same ``(softmax(x) - y) / N`` in both."""

    def __init__(self) -> None:
        super().__init__()
        self.pred = self.y = None

    def forward(
        self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> float:
        native_loss = super().forward(
            x, y, sample_weight
        )  # checks the arguments and caches the gradient
        probabilities = softmax(x)
        self._remember(probabilities, y)
        self.loss = (
            native_loss if sample_weight is not None else cross_entropy_error(probabilities, y)
        )
        return self.loss

    def _remember(self, probabilities: np.ndarray, targets: np.ndarray) -> None:
        """What the homework's layer keeps after forward: pred (the softmax output) and y (the targets)."""
        self.pred, self.y = probabilities, targets


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores x (N, C) (or of one score vector (C,))."""
    return L.softmax(x)


def cross_entropy_error(pred: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of probabilities pred (N, C) (or (C,)) against labels (N,) or one-hot rows (N, C),
    with the course's 1e-7 inside the log."""
    pred, y = np.asarray(pred), np.asarray(y)
    if pred.ndim == 1:
        y, pred = y.reshape(1, y.size), pred.reshape(1, pred.size)
    if y.size == pred.size:
        y = y.argmax(axis=1)
    batch_size = pred.shape[0]
    if y.size != batch_size:
        raise ValueError(
            f"y holds {y.size} labels for {batch_size} rows of pred {pred.shape}; give one label (or one "
            "one-hot row) per row"
        )
    return -np.sum(np.log(pred[np.arange(batch_size), y.reshape(-1)] + 1e-7)) / batch_size


class TwoLayerNet:
    """The course's network (three affine layers despite the name): ``predict(x)`` -> scores, ``loss(x, y)``,
    ``accuracy(x, y)``, ``gradient(x, y)`` -> grads keyed like params; ``t`` counts updates (Adam reads it)."""

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01
    ) -> None:
        self.params = initialize_parameters(input_size, hidden_size, output_size, weight_init_std)
        self.t = 0
        self.layers: OrderedDict[str, M.Module] = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["LeakyRelu1"] = LeakyRelu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["LeakyRelu2"] = LeakyRelu()
        self.layers["Affine3"] = Affine(self.params["W3"], self.params["b3"])
        self.lastLayer = SoftmaxWithLoss()
        self.optimizer_state: dict[str, dict[str, np.ndarray]] = {}

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores (N, 10) of x (N, 784)."""
        pred = x
        for layer in self.layers.values():
            pred = layer.forward(pred)
        return pred

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        return self.lastLayer.forward(self.predict(x), y)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        pred = np.argmax(self.predict(x), axis=1)
        if y.ndim != 1:
            y = np.argmax(y, axis=1)
        return np.sum(pred == y) / float(x.shape[0])

    def gradient(self, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, y)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in (1, 2, 3):
            affine = self.layers[f"Affine{i}"]
            grads[f"W{i}"], grads[f"b{i}"] = affine.dW, affine.db
        return grads


# ---- training -----------------------------------------------------------------------------------------------------
def _from_caller(names: tuple[str, ...], given: dict) -> dict:
    """The data arrays: those given, else the caller's globals of the same names (the course's notebook defines
    x_train, y_train, x_test, y_test at top level and its train_network reads them from there)."""
    missing = [name for name in names if given[name] is None]
    if missing:
        frame = inspect.currentframe().f_back.f_back
        caller = frame.f_globals if frame is not None else {}
        for name in missing:
            if name not in caller:
                raise NameError(
                    f"train_network needs {name}: pass {name}=... or define it in the notebook"
                )
            given[name] = caller[name]
    return given


def train_network(
    network: TwoLayerNet,
    update_params_method: Callable,
    iters_num: int,
    train_size: int,
    batch_size: int,
    learning_rate: float,
    x_train: np.ndarray | None = None,
    y_train: np.ndarray | None = None,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
) -> None:
    """The course's loop: ``iters_num`` steps on minibatches drawn with ``np.random.choice(train_size,
    batch_size)``; before each update ``network.t += 1``; the training and test accuracy printed once per epoch
    (every max(train_size / batch_size, 1) steps, from step 0). The loss, train and test accuracy lists are kept
    in ``network.train_loss_list``, ``network.train_acc_list`` and ``network.test_acc_list``."""
    data = _from_caller(
        ("x_train", "y_train", "x_test", "y_test"),
        {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test},
    )
    iters_num = check_int("iters_num", iters_num, 0)
    batch_size = check_int("batch_size", batch_size, 1)
    train_size = check_int("train_size", train_size, 1)
    if train_size > len(data["x_train"]) or len(data["x_train"]) != len(data["y_train"]):
        raise ValueError(
            f"train_size {train_size} must be at most the {len(data['x_train'])} samples of x_train "
            f"(with {len(data['y_train'])} labels in y_train)"
        )
    network.train_loss_list, network.train_acc_list, network.test_acc_list = [], [], []
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch, t_batch = data["x_train"][batch_mask], data["y_train"][batch_mask]
        network.t += 1
        update_params_method(network, network.gradient(x_batch, t_batch), learning_rate)
        network.train_loss_list.append(network.loss(x_batch, t_batch))
        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(data["x_train"], data["y_train"])
            test_acc = network.accuracy(data["x_test"], data["y_test"])
            network.train_acc_list.append(train_acc)
            network.test_acc_list.append(test_acc)
            print("Train acc:{:<.6f}\tTest acc:{:<.6f}".format(train_acc, test_acc))
