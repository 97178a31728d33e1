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
# # UCLA ECE C147/C247 homework 3 (2022): the two-layer network and fully connected networks, against fcnet
# The course's code cells with only the imports changed (`nndl.` -> `fcnet.courses.ece.nndl.`, `utils.` ->
# `fcnet.courses.ece.utils.`). CIFAR-10 is not on this machine: the training cells use scikit-learn's digits.

# %%
import numpy as np
import matplotlib.pyplot as plt

from fcnet.courses.ece.nndl.neural_net import TwoLayerNet

# %matplotlib inline


def rel_error(x, y):
    """returns relative error"""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


# %%
input_size = 4
hidden_size = 10
num_classes = 3
num_inputs = 5


def init_toy_model():
    np.random.seed(0)
    return TwoLayerNet(input_size, hidden_size, num_classes, std=1e-1)


def init_toy_data():
    np.random.seed(1)
    X = 10 * np.random.randn(num_inputs, input_size)
    y = np.array([0, 1, 2, 2, 1])
    return X, y


net = init_toy_model()
X, y = init_toy_data()

# %% the course prints 3.381231233889892e-08 (W1 is (H, D) in this course)
scores = net.loss(X)
correct_scores = np.asarray(
    [
        [-1.07260209, 0.05083871, -0.87253915],
        [-2.02778743, -0.10832494, -1.52641362],
        [-0.74225908, 0.15259725, -0.39578548],
        [-0.38172726, 0.10835902, -0.17328274],
        [-0.64417314, -0.18886813, -0.41106892],
    ]
)
print("Difference between your scores and correct scores:")
print(np.sum(np.abs(scores - correct_scores)))
assert np.sum(np.abs(scores - correct_scores)) < 1e-7

# %% the course prints "Loss: 1.071696123862817" and a difference of 0.0
loss, _ = net.loss(X, y, reg=0.05)
correct_loss = 1.071696123862817
print("Loss:", loss)
print("Difference between your loss and correct loss:")
print(np.sum(np.abs(loss - correct_loss)))
assert loss == correct_loss

# %%
from fcnet.courses.ece.utils.gradient_check import eval_numerical_gradient

loss, grads = net.loss(X, y, reg=0.05)
for param_name in grads:
    f = lambda W: net.loss(X, y, reg=0.05)[0]
    param_grad_num = eval_numerical_gradient(f, net.params[param_name], verbose=False)
    print(
        "{} max relative error: {}".format(
            param_name, rel_error(param_grad_num, grads[param_name])
        )
    )

# %% [markdown]
# The homework prints a final training loss of 0.014498902952971647. Its own `neural_net.py` masks the ReLU
# gradient with `W1 @ X.T > 0`, leaving out b1; with the correct mask (fcnet's kernels) the run ends at
# 0.014497864587765875 (tests/test_courses.py replays both).

# %%
net = init_toy_model()
stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100, verbose=False)
print("Final training loss: ", stats["loss_history"][-1])
plt.plot(stats["loss_history"])
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.title("Training Loss history")
plt.show()

# %% digits in place of CIFAR-10 (pixels scaled to 0..255, mean image subtracted, as get_CIFAR10_data does)
from fcnet.data import load_digits

X_all, y_all = load_digits(normalize=False)
X_all = X_all.astype(np.float64) * 16.0
order = np.random.RandomState(0).permutation(len(y_all))
X_all, y_all = X_all[order], y_all[order]
X_train, y_train = X_all[:1200], y_all[:1200]
X_val, y_val = X_all[1200:1400], y_all[1200:1400]
X_test, y_test = X_all[1400:], y_all[1400:]
mean_image = X_train.mean(axis=0)
X_train, X_val, X_test = X_train - mean_image, X_val - mean_image, X_test - mean_image

# %%
input_size, hidden_size, num_classes = 64, 50, 10
net = TwoLayerNet(input_size, hidden_size, num_classes)
stats = net.train(
    X_train,
    y_train,
    X_val,
    y_val,
    num_iters=1000,
    batch_size=200,
    learning_rate=1e-4,
    learning_rate_decay=0.95,
    reg=0.25,
    verbose=True,
)
subopt_net = net
print("Validation accuracy: ", (net.predict(X_val) == y_val).mean())

# %%
best_net = None
learning_rates = [1e-4, 1e-3, 1e-2, 3e-2]
accuracy = {}
best_learning_rate, best_validation = 0, 0
for learning_rate in learning_rates:
    net = TwoLayerNet(input_size, hidden_size, num_classes)
    stats = net.train(
        X_train,
        y_train,
        X_val,
        y_val,
        num_iters=1500,
        batch_size=200,
        learning_rate=learning_rate,
        learning_rate_decay=0.95,
        reg=0.25,
        verbose=False,
    )
    train_accuracy = np.mean(np.equal(y_train, net.predict(X_train)))
    val_accuracy = np.mean(np.equal(y_val, net.predict(X_val)))
    accuracy[learning_rate] = (train_accuracy, val_accuracy)
    if best_validation < val_accuracy:
        best_learning_rate, best_validation, best_net = learning_rate, val_accuracy, net
for learning_rate in accuracy:
    print(
        "Learning Rate: {}, Train Accuracy: {}, Validation: {}".format(
            learning_rate, *accuracy[learning_rate]
        )
    )
print("\nThe Best Learning Rate: {}\n".format(best_learning_rate))
print("Validation accuracy: ", (best_net.predict(X_val) == y_val).mean())

# %% the course's show_net_weights draws W1.T: its W1 is (H, D)
from fcnet.courses.ece.utils.vis_utils import visualize_grid


def show_net_weights(net):
    W1 = net.params["W1"]
    W1 = W1.T.reshape(8, 8, 1, -1).transpose(3, 0, 1, 2)
    plt.imshow(visualize_grid(W1, padding=3).astype("uint8").squeeze())
    plt.gca().axis("off")
    plt.show()


show_net_weights(subopt_net)
show_net_weights(best_net)
test_acc = (best_net.predict(X_test) == y_test).mean()
print("Test accuracy: ", test_acc)
assert test_acc > 0.9

# %% [markdown]
# ## Fully connected networks (the modular notebook)

# %%
from fcnet.courses.ece.nndl.fc_net import *
from fcnet.courses.ece.utils.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
)
from fcnet.courses.ece.utils.solver import Solver

# %% the layer checks the course prints (affine_forward: difference 9.769849468192957e-10)
num_inputs = 2
input_shape = (4, 5, 6)
output_dim = 3
input_size = num_inputs * np.prod(input_shape)
weight_size = output_dim * np.prod(input_shape)
x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
b = np.linspace(-0.3, 0.1, num=output_dim)
out, _ = affine_forward(x, w, b)
correct_out = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
print("Testing affine_forward function:")
print("difference: {}".format(rel_error(out, correct_out)))

x = np.random.randn(10, 2, 3)
w = np.random.randn(6, 5)
b = np.random.randn(5)
dout = np.random.randn(10, 5)
dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)
_, cache = affine_forward(x, w, b)
dx, dw, db = affine_backward(dout, cache)
print("Testing affine_backward function:")
print("dx error: {}".format(rel_error(dx_num, dx)))
print("dw error: {}".format(rel_error(dw_num, dw)))
print("db error: {}".format(rel_error(db_num, db)))

# %% TwoLayerNet(input_dim=..., hidden_dims=...): the course's checks 3.4702243556 and 26.5948426952
N, D, H, C = 3, 5, 50, 7
X = np.random.randn(N, D)
y = np.random.randint(C, size=N)
std = 1e-2
model = TwoLayerNet(input_dim=D, hidden_dims=H, num_classes=C, weight_scale=std)
print("Testing initialization ... ")
assert abs(model.params["W1"].std() - std) < std / 10, "First layer weights do not seem right"
assert np.all(model.params["b1"] == 0), "First layer biases do not seem right"
print("Testing test-time forward pass ... ")
model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
scores = model.loss(X)
correct_scores = np.asarray(
    [
        [11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
        [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
        [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319],
    ]
)
assert np.abs(scores - correct_scores).sum() < 1e-6, "Problem with test-time forward pass"
print("Testing training loss (no regularization)")
y = np.asarray([0, 5, 1])
loss, grads = model.loss(X, y)
assert abs(loss - 3.4702243556) < 1e-10, "Problem with training-time loss"
model.reg = 1.0
loss, grads = model.loss(X, y)
assert abs(loss - 26.5948426952) < 1e-10, "Problem with regularization loss"
for reg in [0.0, 0.7]:
    print("Running numeric gradient check with reg = {}".format(reg))
    model.reg = reg
    loss, grads = model.loss(X, y)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False)
        print("{} relative error: {}".format(name, rel_error(grad_num, grads[name])))

# %% the Solver (the course asks for 50% validation accuracy on CIFAR-10)
data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
model = TwoLayerNet(input_dim=64, hidden_dims=200, weight_scale=1e-2)  # the course: 200 units
solver = Solver(
    model=model,
    data=data,
    update_rule="sgd",
    optim_config={"learning_rate": 1e-3},
    lr_decay=0.95,
    batch_size=200,
    num_epochs=20,
    print_every=100,
)
solver.train()
plt.subplot(2, 1, 1)
plt.title("Training loss")
plt.plot(solver.loss_history, "o")
plt.subplot(2, 1, 2)
plt.title("Accuracy")
plt.plot(solver.train_acc_history, "-o", label="train")
plt.plot(solver.val_acc_history, "-o", label="val")
plt.legend(loc="lower right")
plt.show()

# %% FullyConnectedNet checks (the course prints initial losses near 2.3 and 7.0)
N, D, H1, H2, C = 2, 15, 20, 30, 10
X = np.random.randn(N, D)
y = np.random.randint(C, size=(N,))
for reg in [0, 3.14]:
    print("Running check with reg = {}".format(reg))
    model = FullyConnectedNet(
        [H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2, dtype=np.float64
    )
    loss, grads = model.loss(X, y)
    print("Initial loss: {}".format(loss))
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-5)
        print("{} relative error: {}".format(name, rel_error(grad_num, grads[name])))

# %% overfit 50 training samples (the course asks for training accuracy 1.0)
num_train = 50
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
model = FullyConnectedNet([100, 100], input_dim=64, weight_scale=2e-2, dtype=np.float64)
solver = Solver(
    model,
    small_data,
    print_every=10,
    num_epochs=20,
    batch_size=25,
    update_rule="sgd",
    optim_config={"learning_rate": 1e-2},
)
solver.train()
assert max(solver.train_acc_history) == 1.0
