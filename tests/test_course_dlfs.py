""" "Deep Learning from Scratch" (O'Reilly Japan, 2016), chapters 5-6, under fcnet.courses.dlfs: the book's
``common`` layers, optimizers, networks and Trainer, checked against the book's formulas and run the way the
book's ch05/ch06 scripts run them (imports changed, training shortened).

MNIST cannot be downloaded here: the scripts' ``load_mnist`` reads a data home whose ``mnist`` folder holds the
Fashion-MNIST files (same IDX format and sizes), which is what a student's machine holds after the book's download.
"""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from fcnet.gradient_check import rel_error

FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def mnist_home(tmp_path, monkeypatch):
    if not (FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    home = tmp_path / "data"
    (home / "mnist").mkdir(parents=True)
    for f in FASHION.glob("*-ubyte.gz"):
        (home / "mnist" / f.name).symlink_to(f)
    monkeypatch.setenv("FCNET_DATA", str(home))
    return home


# ---- common.functions, common.gradient, common.util ---------------------------------------------------------
def test_functions_are_the_books():
    from fcnet.courses.dlfs.common.functions import (
        cross_entropy_error,
        identity_function,
        relu,
        relu_grad,
        sigmoid,
        sigmoid_grad,
        softmax,
        softmax_loss,
        step_function,
        sum_squared_error,
    )

    x = np.array([-1.0, 0.0, 2.0])
    assert identity_function(x) is x
    assert step_function(x).tolist() == [0, 0, 1] and step_function(x).dtype.kind == "i"
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(
        sigmoid_grad(x), (1 - 1 / (1 + np.exp(-x))) / (1 + np.exp(-x)), rtol=1e-15
    )
    assert relu(x).tolist() == [0, 0, 2] and relu_grad(x).tolist() == [0, 1, 1]
    scores = np.random.default_rng(0).standard_normal((2, 3, 4))
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(softmax(scores), e / e.sum(axis=-1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(softmax(x), np.exp(x) / np.exp(x).sum(), rtol=1e-14)
    y, t = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]), np.eye(10)[2]
    assert (
        abs(sum_squared_error(y, t) - 0.09750000000000003) < 1e-15
    )  # the book's chapter 4 example
    assert abs(cross_entropy_error(y, t) - 0.510825457099338) < 1e-12  # -log(0.6 + 1e-7)
    assert abs(cross_entropy_error(y, np.array(2)) - 0.510825457099338) < 1e-12
    s = np.random.default_rng(1).standard_normal((5, 10))
    assert abs(softmax_loss(s, np.arange(5)) - cross_entropy_error(softmax(s), np.arange(5))) == 0


def test_numerical_gradient_is_centred_with_h_1e_4_and_restores_x():
    from fcnet.courses.dlfs.common.gradient import numerical_gradient

    x = np.array([3.0, 4.0])
    grad = numerical_gradient(lambda v: v[0] ** 2 + v[1] ** 3, x)
    np.testing.assert_allclose(
        grad, [6.0, 48.0 + 1e-8], rtol=1e-9
    )  # centred: x**3 gives 3x^2 + h^2
    assert x.tolist() == [3.0, 4.0]


def test_util_smooth_curve_and_shuffle_dataset():
    from fcnet.courses.dlfs.common.util import shuffle_dataset, smooth_curve

    curve = np.linspace(0, 1, 50) ** 2
    smoothed = smooth_curve(curve)
    assert (
        smoothed.shape == curve.shape and np.abs(smoothed - curve)[8:-8].max() < 0.01
    )  # ends are reflected
    x, t = np.arange(20).reshape(10, 2), np.arange(10)
    np.random.seed(0)
    xs, ts = shuffle_dataset(x, t)
    np.random.seed(0)
    assert np.array_equal(ts, np.random.permutation(10)) and np.array_equal(xs[:, 0] // 2, ts)


# ---- common.layers -------------------------------------------------------------------------------------------
def test_layers_backward_against_numerical_gradients():
    from fcnet.courses.dlfs.common.layers import (
        Affine,
        BatchNormalization,
        Relu,
        Sigmoid,
        SoftmaxWithLoss,
    )
    from fcnet.gradient_check import eval_numerical_gradient_array

    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 2, 3))
    W, b = rng.standard_normal((6, 5)), rng.standard_normal(5)
    affine = Affine(W, b)
    out = affine.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = affine.backward(dout)
    assert dx.shape == x.shape and np.allclose(out, x.reshape(4, 6) @ W + b)
    assert (
        rel_error(dx, eval_numerical_gradient_array(lambda v: Affine(W, b).forward(v), x, dout))
        < 1e-8
    )
    assert (
        rel_error(affine.dW, x.reshape(4, 6).T @ dout) < 1e-12
        and rel_error(affine.db, dout.sum(0)) < 1e-12
    )
    for layer in (Relu(), Sigmoid()):
        z = rng.standard_normal((3, 4))
        layer.forward(z)
        d = rng.standard_normal((3, 4))
        kind = type(layer)
        assert (
            rel_error(
                layer.backward(d), eval_numerical_gradient_array(lambda v: kind().forward(v), z, d)
            )
            < 1e-8
        )
    gamma, beta = rng.standard_normal(5) + 1, rng.standard_normal(5)
    bn = BatchNormalization(gamma, beta)
    z = rng.standard_normal((8, 5)) * 3 + 1
    out = bn.forward(z)
    # the book's forward: xc / sqrt(var + 10e-7)
    xc = z - z.mean(0)
    np.testing.assert_allclose(
        out, gamma * xc / np.sqrt((xc**2).mean(0) + 10e-7) + beta, rtol=1e-12
    )
    d = rng.standard_normal(out.shape)
    dx = bn.backward(d)
    numeric = eval_numerical_gradient_array(
        lambda v: BatchNormalization(gamma, beta).forward(v), z, d
    )
    assert rel_error(dx, numeric) < 1e-7 and rel_error(bn.dbeta, d.sum(0)) < 1e-12
    np.testing.assert_allclose(bn.running_mean, 0.1 * z.mean(0), rtol=1e-12)
    softmax_loss = SoftmaxWithLoss()
    s, t = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss = softmax_loss.forward(s, t)
    assert softmax_loss.loss == loss and np.array_equal(softmax_loss.t, t)
    np.testing.assert_allclose(softmax_loss.y.sum(axis=1), 1)
    np.testing.assert_allclose(
        softmax_loss.backward(), (softmax_loss.y - np.eye(4)[t]) / 6, rtol=1e-12
    )


def test_dropout_is_not_inverted_as_in_the_book():
    from fcnet.courses.dlfs.common.layers import Dropout

    np.random.seed(3)
    x = np.full((400, 500), 2.0)
    layer = Dropout(0.3)
    out = layer.forward(x, train_flg=True)
    np.random.seed(3)
    mask = np.random.rand(400, 500) > 0.3
    assert np.array_equal(out, x * mask) and np.array_equal(
        layer.mask, mask
    )  # kept units are NOT scaled
    assert np.array_equal(layer.backward(np.ones_like(x)), mask.astype(float))
    assert np.allclose(layer.forward(x, train_flg=False), 2.0 * 0.7)


def test_batch_norm_takes_one_sample_as_the_books_gradient_check_does():
    from fcnet.courses.dlfs.common.layers import BatchNormalization

    gamma, beta = np.ones(3), np.array([0.5, -1.0, 2.0])
    bn = BatchNormalization(gamma, beta)
    out = bn.forward(np.array([[1.0, 2.0, 3.0]]))
    assert np.array_equal(out, beta[None]) and np.allclose(bn.running_mean, [0.1, 0.2, 0.3])
    dx = bn.backward(np.array([[1.0, 2.0, 3.0]]))
    assert np.array_equal(dx, np.zeros((1, 3))) and np.array_equal(bn.dbeta, [1, 2, 3])


# ---- common.optimizer ------------------------------------------------------------------------------------------
def book_updates(name, lr, steps, position=(-7.0, 2.0), **kw):
    """The book's optimizers on f(x, y) = x**2 / 20 + y**2 (ch06/optimizer_compare_naive.py), written out from
    the formulas the book prints, on plain floats."""
    x, y = position
    state = {"v": [0.0, 0.0], "h": [0.0, 0.0], "m": [0.0, 0.0], "s": [0.0, 0.0]}
    mu, decay, b1, b2 = kw.get("momentum", 0.9), kw.get("decay_rate", 0.99), 0.9, 0.999
    history = []
    for t in range(1, steps + 1):
        p, g = [x, y], [x / 10.0, 2.0 * y]
        for i in range(2):
            if name == "SGD":
                p[i] -= lr * g[i]
            elif name == "Momentum":
                state["v"][i] = mu * state["v"][i] - lr * g[i]
                p[i] += state["v"][i]
            elif name == "Nesterov":
                state["v"][i] = mu * state["v"][i] - lr * g[i]
                p[i] += mu * mu * state["v"][i] - (1 + mu) * lr * g[i]
            elif name == "AdaGrad":
                state["h"][i] += g[i] * g[i]
                p[i] -= lr * g[i] / (np.sqrt(state["h"][i]) + 1e-7)
            elif name == "RMSprop":
                state["h"][i] = decay * state["h"][i] + (1 - decay) * g[i] * g[i]
                p[i] -= lr * g[i] / (np.sqrt(state["h"][i]) + 1e-7)
            elif name == "Adam":
                lr_t = lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)
                state["m"][i] += (1 - b1) * (g[i] - state["m"][i])
                state["s"][i] += (1 - b2) * (g[i] ** 2 - state["s"][i])
                p[i] -= lr_t * state["m"][i] / (np.sqrt(state["s"][i]) + 1e-7)
        x, y = p
        history.append((x, y))
    return history


@pytest.mark.parametrize(
    "name, lr",
    [
        ("SGD", 0.95),
        ("Momentum", 0.1),
        ("Nesterov", 0.1),
        ("AdaGrad", 1.5),
        ("RMSprop", 0.1),
        ("Adam", 0.3),
    ],
)
def test_optimizers_follow_the_book_on_plain_floats(name, lr):
    """ch06/optimizer_compare_naive.py: params {'x': -7.0, 'y': 2.0} as Python floats, 30 updates."""
    from fcnet.courses.dlfs.common import optimizer as book

    opt = getattr(book, name)(lr=lr)
    params, history = {"x": -7.0, "y": 2.0}, []
    for _ in range(30):
        opt.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
        history.append((float(params["x"]), float(params["y"])))
    np.testing.assert_allclose(history, book_updates(name, lr, 30), rtol=1e-10, atol=1e-12)


def test_optimizers_update_arrays_in_place_and_star_import_gives_np():
    namespace: dict = {}
    exec("from fcnet.courses.dlfs.common.optimizer import *", namespace)
    assert namespace["np"] is np and {"SGD", "Adam", "Nesterov"} <= set(namespace)
    W = np.ones((2, 3))
    params = {"W": W}
    namespace["Adam"]().update(params, {"W": np.ones((2, 3))})
    assert params["W"] is W and np.allclose(W, 1 - 0.001)
    with pytest.raises(ValueError, match="lr"):
        namespace["SGD"](lr=-1)


# ---- networks and the Trainer, run as the book's scripts run them ------------------------------------------
def run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<book script>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


@pytest.mark.slow
def test_ch05_gradient_check_script(mnist_home):
    """ch05/gradient_check.py with imports changed: backprop against numerical gradients on 3 images."""
    printed = run("""
import numpy as np
from fcnet.courses.dlfs.dataset.mnist import load_mnist
from fcnet.courses.dlfs.ch05.two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10)
x_batch, t_batch = x_train[:3], t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
""")
    lines = dict(line.split(":") for line in printed.split())
    assert list(lines) == ["W1", "b1", "W2", "b2"]
    assert all(float(v) < 1e-6 for v in lines.values()), lines  # the book prints e-10 to e-13


@pytest.mark.slow
def test_ch05_train_neuralnet_script(mnist_home):
    """ch05/train_neuralnet.py with imports changed, 600 iterations instead of 10,000."""
    printed = run("""
import numpy as np
from fcnet.courses.dlfs.dataset.mnist import load_mnist
from fcnet.courses.dlfs.ch05.two_layer_net import TwoLayerNet

np.random.seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
iters_num, train_size, batch_size, learning_rate = 600, x_train.shape[0], 100, 0.1
iter_per_epoch = 200
for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    grad = network.gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    loss = network.loss(x_batch, t_batch)
    if i % iter_per_epoch == 0:
        print(network.accuracy(x_train[:10000], t_train[:10000]), network.accuracy(x_test, t_test))
print(network.accuracy(x_test, t_test))
""")
    accuracies = [float(v) for v in printed.split()]
    assert (
        len(accuracies) == 7 and accuracies[0] < 0.3 and accuracies[-1] > 0.75
    )  # Fashion-MNIST after 600 steps


@pytest.mark.slow
def test_ch06_batch_norm_gradient_check_script(mnist_home):
    """ch06/batch_norm_gradient_check.py: MultiLayerNetExtend with batch norm, one image (smaller widths)."""
    printed = run("""
import numpy as np
from fcnet.courses.dlfs.dataset.mnist import load_mnist
from fcnet.courses.dlfs.common.multi_layer_net_extend import MultiLayerNetExtend

np.random.seed(1)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = MultiLayerNetExtend(input_size=784, hidden_size_list=[8, 8], output_size=10, use_batchnorm=True)
for n in (1, 4):
    x_batch, t_batch = x_train[:n], t_train[:n]
    grad_backprop = network.gradient(x_batch, t_batch)
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    for key in grad_numerical.keys():
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        print(str(n) + ":" + key + ":" + str(diff))
""")
    rows = [line.split(":") for line in printed.split()]
    keys = [key for n, key, _ in rows if n == "4"]
    assert keys == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    # h = 1e-4 and the loss's + 1e-7 (which the backward pass ignores, as the book's does) leave ~1e-6
    assert all(float(diff) < 1e-5 for n, _, diff in rows if n == "4"), rows
    # one image: batch norm's output is beta whatever the weights, so W1, W2 and the gammas get no gradient
    assert all(
        float(diff) == 0 for n, key, diff in rows if n == "1" and key[0] in "Wg" and key != "W3"
    )


@pytest.mark.slow
def test_ch06_weight_decay_and_dropout_with_the_trainer(mnist_home):
    """ch06/overfit_weight_decay.py and overfit_dropout.py: 300 images, the Trainer's printed lines."""
    printed = run("""
import numpy as np
from fcnet.courses.dlfs.dataset.mnist import load_mnist
from fcnet.courses.dlfs.common.multi_layer_net import MultiLayerNet
from fcnet.courses.dlfs.common.multi_layer_net_extend import MultiLayerNetExtend
from fcnet.courses.dlfs.common.optimizer import SGD
from fcnet.courses.dlfs.common.trainer import Trainer

np.random.seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train, t_train = x_train[:300], t_train[:300]
network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100], output_size=10,
                        weight_decay_lambda=0.1)
optimizer = SGD(lr=0.01)
for i in range(30):
    batch_mask = np.random.choice(300, 100)
    grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
    optimizer.update(network.params, grads)
print("decay train acc:" + str(network.accuracy(x_train, t_train)))
network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100], output_size=10,
                              use_dropout=True, dropout_ration=0.2)
trainer = Trainer(network, x_train, t_train, x_test[:500], t_test[:500], epochs=3, mini_batch_size=100,
                  optimizer='adam', optimizer_param={'lr': 0.001}, verbose=True)
trainer.train()
""")
    assert re.search(r"^decay train acc:0\.\d+$", printed, re.M)
    epochs = re.findall(
        r"^=== epoch:(\d+), train acc:([\d.]+), test acc:([\d.]+) ===$", printed, re.M
    )
    assert [e[0] for e in epochs] == ["1", "2", "3"]
    assert len(re.findall(r"^train loss:[\d.]+$", printed, re.M)) == 9
    assert printed.rstrip().endswith(printed.split("test acc:")[-1].strip())
    assert "=============== Final Test Accuracy ===============\ntest acc:" in printed
    assert float(epochs[-1][1]) > float(epochs[0][1])


def test_weights_come_from_the_global_generator_in_the_books_order():
    from fcnet.courses.dlfs.common.multi_layer_net_extend import MultiLayerNetExtend

    np.random.seed(5)
    net = MultiLayerNetExtend(6, [4, 3], 2, weight_init_std=0.01, use_batchnorm=True)
    np.random.seed(5)
    assert np.array_equal(net.params["W1"], 0.01 * np.random.randn(6, 4))
    assert np.array_equal(net.params["W2"], 0.01 * np.random.randn(4, 3))
    assert list(net.params) == [
        "W1",
        "b1",
        "W2",
        "b2",
        "W3",
        "b3",
        "gamma1",
        "beta1",
        "gamma2",
        "beta2",
    ]
    np.random.seed(5)
    he = MultiLayerNetExtend(6, [4], 2)
    np.random.seed(5)
    assert np.array_equal(he.params["W1"], np.sqrt(2.0 / 6) * np.random.randn(6, 4))
    labels = np.array([0, 1, 1])
    x = np.random.randn(3, 6)
    assert he.accuracy(x, np.eye(2)[labels]) == he.accuracy(
        x, labels
    )  # one-hot labels score as labels
