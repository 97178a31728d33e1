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
# # cs231n assignment 2 (2017): fully connected networks and update rules, against fcnet
# The course's cells with only the imports changed (`cs231n.` -> `fcnet.courses.cs231n_2017.`). In 2017 the
# network takes `use_batchnorm=True` and dropout's p is the probability of dropping a unit. CIFAR-10 is not on
# this machine: training runs on scikit-learn's digits.

# %%
import numpy as np
import matplotlib.pyplot as plt

from fcnet.courses.cs231n_2017.classifiers.fc_net import *
from fcnet.courses.cs231n_2017.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
)
from fcnet.courses.cs231n_2017.optim import sgd_momentum
from fcnet.courses.cs231n_2017.solver import Solver

# %matplotlib inline


def rel_error(x, y):
    """returns relative error"""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


# %% affine forward (the course prints 9.76984772881e-10) and ReLU forward (4.99999979802e-08)
num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
input_size = num_inputs * np.prod(input_shape)
weight_size = output_dim * np.prod(input_shape)
x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
b = np.linspace(-0.3, 0.1, num=output_dim)
out, _ = affine_forward(x, w, b)
correct_out = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
print("testing affine_forward function:")
print("difference:", rel_error(out, correct_out))
assert rel_error(out, correct_out) < 1e-9
x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
out, _ = relu_forward(x)
correct_out = np.array(
    [
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.04545455, 0.13636364],
        [0.22727273, 0.31818182, 0.40909091, 0.5],
    ]
)
print("testing relu_forward function:")
print("difference:", rel_error(out, correct_out))

# %% losses on small random scores (the course prints about 9.0 for the SVM and 2.3026 for softmax)
num_classes, num_inputs = 10, 50
x = 0.001 * np.random.randn(num_inputs, num_classes)
y = np.random.randint(num_classes, size=num_inputs)
dx_num = eval_numerical_gradient(lambda x: svm_loss(x, y)[0], x, verbose=False)
loss, dx = svm_loss(x, y)
print("testing svm_loss:")
print("loss:", loss)
print("dx error:", rel_error(dx_num, dx))
dx_num = eval_numerical_gradient(lambda x: softmax_loss(x, y)[0], x, verbose=False)
loss, dx = softmax_loss(x, y)
print("\ntesting softmax_loss:")
print("loss:", loss)
print("dx error:", rel_error(dx_num, dx))

# %% TwoLayerNet: the course's checks (3.4702243556 without regularization, 26.5948426952 with reg = 1)
N, D, H, C = 3, 5, 50, 7
X = np.random.randn(N, D)
y = np.random.randint(C, size=N)
std = 1e-2
model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=std)
print("Testing initialization ... ")
assert abs(model.params["W1"].std() - std) < std / 10, "First layer weights do not seem right"
assert abs(model.params["W2"].std() - std) < std / 10, "Second layer weights do not seem right"
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
    print("Running numeric gradient check with reg = ", reg)
    model.reg = reg
    loss, grads = model.loss(X, y)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False)
        print("%s relative error: %.2e" % (name, rel_error(grad_num, grads[name])))

# %% digits in place of CIFAR-10
from fcnet.data import load_digits, stratified_split

X_all, y_all = load_digits()
data = stratified_split(X_all, y_all, val_size=0.15, test_size=0.15, seed=0)
model = TwoLayerNet(input_dim=64, reg=1e-1, weight_scale=1e-2)
solver = Solver(
    model,
    data,
    update_rule="sgd",
    optim_config={"learning_rate": 1e-1},
    lr_decay=0.8,
    num_epochs=10,
    batch_size=100,
    print_every=100,
)
solver.train()
scores = model.loss(data["X_test"])
y_pred = np.argmax(scores, axis=1)
print("test acc: %f" % np.mean(y_pred == data["y_test"]))

# %% FullyConnectedNet: initial losses near 2.3 and 6.9 (reg 3.14), and gradient checks
N, D, H1, H2, C = 2, 15, 20, 30, 10
X = np.random.randn(N, D)
y = np.random.randint(C, size=(N,))
for reg in [0, 3.14]:
    print("Running check with reg = ", reg)
    model = FullyConnectedNet(
        [H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2, dtype=np.float64
    )
    loss, grads = model.loss(X, y)
    print("Initial loss: ", loss)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-5)
        print("%s relative error: %.2e" % (name, rel_error(grad_num, grads[name])))

# %% overfit 50 samples with a three-layer and a five-layer network
num_train = 50
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
for hidden, learning_rate in [([100, 100], 1e-1), ([100, 100, 100, 100], 5e-2)]:
    model = FullyConnectedNet(hidden, input_dim=64, weight_scale=5e-2, dtype=np.float64)
    solver = Solver(
        model,
        small_data,
        print_every=10,
        num_epochs=20,
        batch_size=25,
        update_rule="sgd",
        optim_config={"learning_rate": learning_rate},
    )
    solver.train()
    plt.plot(solver.loss_history, "-o", label=f"{len(hidden) + 1} layers")
plt.title("training loss history")
plt.xlabel("iteration")
plt.legend()
plt.show()

# %% SGD + momentum: the course prints next_w error 8.88234703351e-09 and velocity error 4.26928774328e-09
N, D = 4, 5
w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
config = {"learning_rate": 1e-3, "velocity": v}
next_w, _ = sgd_momentum(w, dw, config=config)
expected_next_w = np.asarray(
    [
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
    ]
)
expected_velocity = np.asarray(
    [
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
    ]
)
print("next_w error:", rel_error(next_w, expected_next_w))
print("velocity error:", rel_error(expected_velocity, config["velocity"]))
assert rel_error(next_w, expected_next_w) < 1e-8

# %% the four update rules on a five-layer network (1,000 digits, 5 epochs)
num_train = 1000
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
solvers = {}
learning_rates = {"sgd": 1e-2, "sgd_momentum": 1e-2, "rmsprop": 1e-4, "adam": 1e-3}
for update_rule in ["sgd", "sgd_momentum", "rmsprop", "adam"]:
    print("running with", update_rule)
    model = FullyConnectedNet([100, 100, 100, 100, 100], input_dim=64, weight_scale=5e-2)
    solver = Solver(
        model,
        small_data,
        num_epochs=5,
        batch_size=100,
        update_rule=update_rule,
        optim_config={"learning_rate": learning_rates[update_rule]},
        verbose=False,
    )
    solvers[update_rule] = solver
    solver.train()
    print("best validation accuracy", solver.best_val_acc)
for i, (title, key) in enumerate(
    [
        ("training loss", "loss_history"),
        ("training accuracy", "train_acc_history"),
        ("validation accuracy", "val_acc_history"),
    ]
):
    plt.subplot(3, 1, i + 1)
    plt.title(title)
    for update_rule, solver in solvers.items():
        plt.plot(getattr(solver, key), "-o", label=update_rule)
    plt.legend(loc="upper right")
plt.gcf().set_size_inches(15, 15)
plt.show()

# %% the course's final model: batch norm, dropout (p = 0.25 DROPS a quarter of the units in 2017), Adam
model = FullyConnectedNet(
    [600, 500, 400, 300, 200, 100],
    input_dim=64,
    weight_scale=2.5e-2,
    dtype=np.float64,
    dropout=0.25,
    use_batchnorm=True,
    reg=1e-2,
)
solver = Solver(
    model,
    data,
    print_every=500,
    num_epochs=10,
    batch_size=100,
    update_rule="adam",
    optim_config={"learning_rate": 3.1e-4},
    lr_decay=0.9,
    verbose=False,
)
solver.train()
y_test_pred = np.argmax(model.loss(data["X_test"]), axis=1)
y_val_pred = np.argmax(model.loss(data["X_val"]), axis=1)
print("Validation set accuracy: ", (y_val_pred == data["y_val"]).mean())
print("Test set accuracy: ", (y_test_pred == data["y_test"]).mean())
assert (y_test_pred == data["y_test"]).mean() > 0.9
