# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The MNIST MLP optimizer homework (bilibili 《数之道》), against fcnet
# The homework's cells with its `from utils import load_mnist` and its own definitions replaced by one import.
# MNIST is not on this machine; Fashion-MNIST (the same IDX format and shapes) is, from Debian's
# `dataset-fashion-mnist` package. The homework runs 10,000 steps per optimizer; this notebook runs 1,200 (two
# epochs) to stay quick, with the homework's learning rates.

# %%
from fcnet.courses.mnist_mlp import *
import matplotlib.pyplot as plt

# %matplotlib inline

# %%
path = "/usr/share/datasets/fashion-mnist"
(x_train, y_train), (x_test, y_test) = load_mnist(path, normalize=True, one_hot_label=True)
print("The shape of X_train is:", x_train.shape)
print("The shape of Y_train is:", y_train.shape)
print("The shape of X_test is:", x_test.shape)
print("The shape of Y_test is:", y_test.shape)

# %%
fig = plt.figure()
for i in range(1, 5):
    ax = fig.add_subplot(1, 4, i)
    ax.imshow(x_train[i, :].reshape(28, 28), cmap="Greys")
plt.show()
print("one hot 标签:", y_train[1, :], y_train[2, :], y_train[3, :], y_train[4, :])
print(
    "对应的实际标签:",
    np.argmax(y_train[1, :]),
    np.argmax(y_train[2, :]),
    np.argmax(y_train[3, :]),
    np.argmax(y_train[4, :]),
)

# %% the homework's layer checks
leakyRelu = LeakyRelu()
x = np.array([[1.0, -0.5], [-2.0, 3.0]])
print(leakyRelu.forward(x), leakyRelu.backward(x))
w = np.ones([2, 3])
b = np.ones(3)
affine = Affine(w, b)
x = np.ones([1, 2])
l = np.sum(affine.forward(x))
dout = np.ones([1, 3])
print(l, affine.backward(dout))
assert l == 9.0

# %% gradient descent
iters_num = 1200
train_size = x_train.shape[0]
batch_size = 100
network = TwoLayerNet(input_size=784, hidden_size=300, output_size=10)
train_network(network, update_parameters, iters_num, train_size, batch_size, 0.1)
results = {"sgd": network.test_acc_list}

# %% AdaGrad, RMSprop, momentum, Nesterov momentum, Adam and AdaBelief, with the homework's rates
for name, update, initialize in [
    ("adagrad", update_parameters_with_adagrad, initialize_grads_squared),
    ("rmsprop", update_parameters_with_rmsprop, initialize_grads_squared),
    ("momentum", update_parameters_with_momentum, initialize_velocity),
    ("nesterov", update_parameters_with_nesterov_momentum, initialize_velocity),
    ("adam", update_parameters_with_adam, initialize_adam),
    ("adambelief", update_parameters_with_adambelief, initialize_adambelief),
]:
    print(name)
    network = TwoLayerNet(input_size=784, hidden_size=300, output_size=10)
    state = initialize(network)
    train_network(network, update, iters_num, train_size, batch_size, 0.001)
    results[name] = network.test_acc_list

# %%
for name, accuracies in results.items():
    plt.plot(accuracies, "-o", label=name)
plt.xlabel("epoch")
plt.ylabel("test accuracy")
plt.legend()
plt.show()
assert results["adam"][-1] > 0.8 and results["sgd"][-1] > 0.75
