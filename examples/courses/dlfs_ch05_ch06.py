# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # "Deep Learning from Scratch", chapters 5 and 6, against fcnet
# The book's scripts from `ch05/` and `ch06/` with their imports changed from the book's `common` and `dataset`
# packages to `fcnet.courses.dlfs`. MNIST is read from fcnet's data home when it is there; this machine has no
# MNIST, so the cells fall back to Fashion-MNIST (Debian's `dataset-fashion-mnist`: the same IDX format and
# sizes, a harder problem, so every accuracy is lower than the book's). Training runs are shortened.

# %%
import numpy as np
import matplotlib.pyplot as plt
from collections import OrderedDict
from fcnet.courses.dlfs.dataset.mnist import load_mnist, load_fashion_mnist
from fcnet.courses.dlfs.ch05.two_layer_net import TwoLayerNet
from fcnet.courses.dlfs.common.optimizer import *
from fcnet.courses.dlfs.common.multi_layer_net import MultiLayerNet
from fcnet.courses.dlfs.common.multi_layer_net_extend import MultiLayerNetExtend
from fcnet.courses.dlfs.common.trainer import Trainer
from fcnet.courses.dlfs.common.util import smooth_curve, shuffle_dataset
from fcnet.data import data_home

# %matplotlib inline


def load(**options):
    if (data_home() / "mnist").is_dir():
        return load_mnist(**options)
    return load_fashion_mnist(
        **options
    )  # no MNIST here (and no download): the same format, Fashion-MNIST


# %% [markdown]
# ## Chapter 5: backpropagation against the numerical gradient (`ch05/gradient_check.py`)

# %%
np.random.seed(0)
(x_train, t_train), (x_test, t_test) = load(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10)  # the book: hidden_size=50
x_batch, t_batch = x_train[:3], t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
    assert diff < 1e-6

# %% [markdown]
# ## Chapter 6.1: the optimizers on f(x, y) = x²/20 + y² (`ch06/optimizer_compare_naive.py`)
# The book's updates work on plain Python floats too.


# %%
def f(x, y):
    return x**2 / 20.0 + y**2


def df(x, y):
    return x / 10.0, 2.0 * y


init_pos = (-7.0, 2.0)
params, grads = {}, {}
optimizers = OrderedDict()
optimizers["SGD"] = SGD(lr=0.95)
optimizers["Momentum"] = Momentum(lr=0.1)
optimizers["AdaGrad"] = AdaGrad(lr=1.5)
optimizers["Adam"] = Adam(lr=0.3)
plt.figure(figsize=(8, 8))
for idx, key in enumerate(optimizers, start=1):
    x_history, y_history = [], []
    params["x"], params["y"] = init_pos
    for i in range(30):
        x_history.append(params["x"])
        y_history.append(params["y"])
        grads["x"], grads["y"] = df(params["x"], params["y"])
        optimizers[key].update(params, grads)
    X, Y = np.meshgrid(np.arange(-10, 10, 0.01), np.arange(-5, 5, 0.01))
    Z = f(X, Y)
    Z[Z > 7] = 0
    plt.subplot(2, 2, idx)
    plt.plot(x_history, y_history, "o-", color="red")
    plt.contour(X, Y, Z)
    plt.ylim(-10, 10)
    plt.xlim(-10, 10)
    plt.plot(0, 0, "+")
    plt.title(key)
    print(key, float(params["x"]), float(params["y"]))
plt.show()

# %% [markdown]
# ## Chapter 6.1: the optimizers on (Fashion-)MNIST (`ch06/optimizer_compare_mnist.py`, 300 steps, not 2,000)

# %%
(x_train, t_train), (x_test, t_test) = load(normalize=True)
np.random.seed(0)
optimizers = {"SGD": SGD(), "Momentum": Momentum(), "AdaGrad": AdaGrad(), "Adam": Adam()}
networks, train_loss = {}, {}
for key in optimizers:
    networks[key] = MultiLayerNet(
        input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10
    )
    train_loss[key] = []
for i in range(300):
    batch_mask = np.random.choice(x_train.shape[0], 128)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    for key in optimizers:
        grads = networks[key].gradient(x_batch, t_batch)
        optimizers[key].update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))
    if i % 100 == 0:
        print("===========" + "iteration:" + str(i) + "===========")
        for key in optimizers:
            print(key + ":" + str(networks[key].loss(x_batch, t_batch)))
for key in optimizers:
    plt.plot(smooth_curve(train_loss[key]), label=key)
plt.xlabel("iterations")
plt.ylabel("loss")
plt.ylim(0, 1.5)
plt.legend()
plt.show()
assert np.mean(train_loss["Adam"][-50:]) < np.mean(train_loss["SGD"][-50:])

# %% [markdown]
# ## Chapter 6.2: weight initialisation (`ch06/weight_init_activation_histogram.py`, `weight_init_compare.py`)

# %%
np.random.seed(0)
x = np.random.randn(1000, 100)
for name, scale in [("std 1", 1.0), ("std 0.01", 0.01), ("Xavier", np.sqrt(1.0 / 100))]:
    activations, z = [], x
    for i in range(5):
        z = 1 / (1 + np.exp(-(z @ (np.random.randn(100, 100) * scale))))
        activations.append(z)
    plt.figure(figsize=(10, 2))
    for i, a in enumerate(activations):
        plt.subplot(1, 5, i + 1)
        plt.title(f"{name}: layer {i + 1}")
        plt.hist(a.flatten(), 30, range=(0, 1))
    plt.show()

weight_init_types = {"std=0.01": 0.01, "Xavier": "sigmoid", "He": "relu"}
networks, train_loss = {}, {}
for key, weight_type in weight_init_types.items():
    networks[key] = MultiLayerNet(
        input_size=784,
        hidden_size_list=[100, 100, 100, 100],
        output_size=10,
        weight_init_std=weight_type,
    )
    train_loss[key] = []
optimizer = SGD(lr=0.01)
for i in range(300):
    batch_mask = np.random.choice(x_train.shape[0], 128)
    for key in weight_init_types:
        grads = networks[key].gradient(x_train[batch_mask], t_train[batch_mask])
        optimizer.update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_train[batch_mask], t_train[batch_mask]))
for key in weight_init_types:
    plt.plot(smooth_curve(train_loss[key]), label=key)
plt.legend()
plt.show()
assert (
    train_loss["He"][-1] < train_loss["std=0.01"][-1]
)  # std 0.01 does not learn at all in 300 steps

# %% [markdown]
# ## Chapter 6.3: batch normalization (`ch06/batch_norm_gradient_check.py`, `batch_norm_test.py`)

# %%
(x_train, t_train), (x_test, t_test) = load(normalize=True, one_hot_label=True)
network = MultiLayerNetExtend(
    input_size=784, hidden_size_list=[10, 10], output_size=10, use_batchnorm=True
)
grad_backprop = network.gradient(x_train[:2], t_train[:2])
grad_numerical = network.numerical_gradient(x_train[:2], t_train[:2])
for key in grad_numerical.keys():
    print(key + ":" + str(np.average(np.abs(grad_backprop[key] - grad_numerical[key]))))

(x_train, t_train), (x_test, t_test) = load(normalize=True)
x_train, t_train = x_train[:1000], t_train[:1000]
bn_network = MultiLayerNetExtend(
    input_size=784,
    hidden_size_list=[100, 100, 100, 100, 100],
    output_size=10,
    weight_init_std=0.05,
    use_batchnorm=True,
)
network = MultiLayerNetExtend(
    input_size=784,
    hidden_size_list=[100, 100, 100, 100, 100],
    output_size=10,
    weight_init_std=0.05,
)
optimizer = SGD(lr=0.01)
train_acc_list, bn_train_acc_list = [], []
for i in range(200):
    batch_mask = np.random.choice(1000, 100)
    for _network in (bn_network, network):
        grads = _network.gradient(x_train[batch_mask], t_train[batch_mask])
        optimizer.update(_network.params, grads)
    if i % 10 == 0:
        train_acc_list.append(network.accuracy(x_train, t_train))
        bn_train_acc_list.append(bn_network.accuracy(x_train, t_train))
plt.plot(bn_train_acc_list, label="Batch Normalization")
plt.plot(train_acc_list, "--", label="Normal")
plt.legend()
plt.show()
print("batch norm:", bn_train_acc_list[-1], "without:", train_acc_list[-1])
assert bn_train_acc_list[-1] > train_acc_list[-1]

# %% [markdown]
# ## Chapter 6.4: overfitting, weight decay and dropout (`ch06/overfit_weight_decay.py`, `overfit_dropout.py`)
# 300 training images; 60 epochs instead of 201 / 301.

# %%
x_train, t_train = x_train[:300], t_train[:300]
for label, kwargs in [
    ("no regularisation", {}),
    ("weight decay 0.1", {"weight_decay_lambda": 0.1}),
]:
    network = MultiLayerNet(
        input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100], output_size=10, **kwargs
    )
    trainer = Trainer(
        network,
        x_train,
        t_train,
        x_test[:2000],
        t_test[:2000],
        epochs=60,
        mini_batch_size=100,
        optimizer="sgd",
        optimizer_param={"lr": 0.01},
        verbose=False,
    )
    trainer.train()
    gap = trainer.train_acc_list[-1] - trainer.test_acc_list[-1]
    print(
        f"{label}: train {trainer.train_acc_list[-1]:.3f}, test {trainer.test_acc_list[-1]:.3f}, gap {gap:.3f}"
    )
    plt.plot(trainer.train_acc_list, label=f"{label}: train")
    plt.plot(trainer.test_acc_list, "--", label=f"{label}: test")
plt.legend()
plt.show()

network = MultiLayerNetExtend(
    input_size=784,
    hidden_size_list=[100, 100, 100, 100, 100, 100],
    output_size=10,
    use_dropout=True,
    dropout_ration=0.2,
)
trainer = Trainer(
    network,
    x_train,
    t_train,
    x_test[:2000],
    t_test[:2000],
    epochs=60,
    mini_batch_size=100,
    optimizer="sgd",
    optimizer_param={"lr": 0.01},
    verbose=False,
)
trainer.train()
print(f"dropout 0.2: train {trainer.train_acc_list[-1]:.3f}, test {trainer.test_acc_list[-1]:.3f}")

# %% [markdown]
# ## Chapter 6.5: a random hyperparameter search (`ch06/hyperparameter_optimization.py`, 8 trials of 20 epochs)

# %%
(x_train, t_train), (x_test, t_test) = load(normalize=True)
x_train, t_train = shuffle_dataset(x_train[:500], t_train[:500])
validation_num = int(x_train.shape[0] * 0.20)
x_val, t_val = x_train[:validation_num], t_train[:validation_num]
x_train, t_train = x_train[validation_num:], t_train[validation_num:]
results_val = {}
for _ in range(8):
    weight_decay = 10 ** np.random.uniform(-8, -4)
    lr = 10 ** np.random.uniform(-6, -2)
    network = MultiLayerNet(
        input_size=784,
        hidden_size_list=[100, 100, 100, 100, 100, 100],
        output_size=10,
        weight_decay_lambda=weight_decay,
    )
    trainer = Trainer(
        network,
        x_train,
        t_train,
        x_val,
        t_val,
        epochs=20,
        mini_batch_size=100,
        optimizer="sgd",
        optimizer_param={"lr": lr},
        verbose=False,
    )
    trainer.train()
    print(
        "val acc:"
        + str(trainer.test_acc_list[-1])
        + " | lr:"
        + str(lr)
        + ", weight decay:"
        + str(weight_decay)
    )
    results_val["lr:" + str(lr) + ", weight decay:" + str(weight_decay)] = trainer.test_acc_list
best = sorted(results_val.items(), key=lambda item: item[1][-1], reverse=True)
for i, (key, val_acc_list) in enumerate(best[:4]):
    plt.subplot(2, 2, i + 1)
    plt.title("Best-" + str(i + 1))
    plt.ylim(0.0, 1.0)
    plt.plot(val_acc_list)
plt.show()
print("best:", best[0][0], best[0][1][-1])
