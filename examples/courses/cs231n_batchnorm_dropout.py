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
# # cs231n assignment 2 (2018 on): batch normalization, dropout and deep fully connected networks, against fcnet
# The course's cells with only the imports changed (`cs231n.` -> `fcnet.courses.cs231n.`). Dropout's p is the
# probability of keeping a unit, as in the course since 2018. CIFAR-10 is not on this machine: training runs on
# scikit-learn's digits.

# %%
import numpy as np
import matplotlib.pyplot as plt

from fcnet.courses.cs231n.classifiers.fc_net import *
from fcnet.courses.cs231n.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
)
from fcnet.courses.cs231n.solver import Solver

# %matplotlib inline


def rel_error(x, y):
    """returns relative error"""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


# %% batch norm forward, training mode: means near beta, standard deviations near gamma
np.random.seed(231)
N, D1, D2, D3 = 200, 50, 60, 3
X = np.random.randn(N, D1)
W1 = np.random.randn(D1, D2)
W2 = np.random.randn(D2, D3)
a = np.maximum(0, X.dot(W1)).dot(W2)
print("Before batch normalization:")
print("  means: ", a.mean(axis=0))
print("  stds:  ", a.std(axis=0))
gamma, beta = np.asarray([1.0, 2.0, 3.0]), np.asarray([11.0, 12.0, 13.0])
a_norm, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
print("After batch normalization (gamma=", gamma, ", beta=", beta, ")")
print("  means: ", a_norm.mean(axis=0))
print("  stds:  ", a_norm.std(axis=0))
assert np.allclose(a_norm.mean(axis=0), beta) and np.allclose(a_norm.std(axis=0), gamma, rtol=1e-4)

# %% batch norm backward against numerical gradients
np.random.seed(231)
N, D = 4, 5
x = 5 * np.random.randn(N, D) + 12
gamma = np.random.randn(D)
beta = np.random.randn(D)
dout = np.random.randn(N, D)
bn_param = {"mode": "train"}
fx = lambda x: batchnorm_forward(x, gamma, beta, bn_param)[0]
fg = lambda a: batchnorm_forward(x, a, beta, bn_param)[0]
fb = lambda b: batchnorm_forward(x, gamma, b, bn_param)[0]
dx_num = eval_numerical_gradient_array(fx, x, dout)
da_num = eval_numerical_gradient_array(fg, gamma.copy(), dout)
db_num = eval_numerical_gradient_array(fb, beta.copy(), dout)
_, cache = batchnorm_forward(x, gamma, beta, bn_param)
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
print("dx error: ", rel_error(dx_num, dx))
print("dgamma error: ", rel_error(da_num, dgamma))
print("dbeta error: ", rel_error(db_num, dbeta))

# %% dropout forward: p keeps a unit (cs231n prints 10.014059116977283 for p = 0.25)
np.random.seed(231)
x = np.random.randn(500, 500) + 10
for p in [0.25, 0.4, 0.7]:
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
    print("Running tests with p = ", p)
    print("Mean of input: ", x.mean())
    print("Mean of train-time output: ", out.mean())
    print("Mean of test-time output: ", out_test.mean())
    print("Fraction of train-time output set to zero: ", (out == 0).mean())
    print("Fraction of test-time output set to zero: ", (out_test == 0).mean())
    print()

# %% dropout backward
np.random.seed(231)
x = np.random.randn(10, 10) + 10
dout = np.random.randn(*x.shape)
dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
out, cache = dropout_forward(x, dropout_param)
dx = dropout_backward(dout, cache)
dx_num = eval_numerical_gradient_array(lambda xx: dropout_forward(xx, dropout_param)[0], x, dout)
print("dx relative error: ", rel_error(dx, dx_num))
assert rel_error(dx, dx_num) < 1e-10

# %% a network with dropout (cs231n prints 2.3004790897684924, 2.302371489704412, 2.3042759220785896)
np.random.seed(231)
N, D, H1, H2, C = 2, 15, 20, 30, 10
X = np.random.randn(N, D)
y = np.random.randint(C, size=(N,))
for dropout in [1, 0.75, 0.5]:
    print("Running check with dropout = ", dropout)
    model = FullyConnectedNet(
        [H1, H2],
        input_dim=D,
        num_classes=C,
        weight_scale=5e-2,
        dtype=np.float64,
        dropout=dropout,
        seed=123,
    )
    loss, grads = model.loss(X, y)
    print("Initial loss: ", loss)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-5)
        print("%s relative error: %.2e" % (name, rel_error(grad_num, grads[name])))
    print()

# %% a network with batch normalization
np.random.seed(231)
X = np.random.randn(N, D)
y = np.random.randint(C, size=(N,))
for reg in [0, 3.14]:
    print("Running check with reg = ", reg)
    model = FullyConnectedNet(
        [H1, H2],
        input_dim=D,
        num_classes=C,
        reg=reg,
        weight_scale=5e-2,
        dtype=np.float64,
        normalization="batchnorm",
    )
    loss, grads = model.loss(X, y)
    print("Initial loss: ", loss)

# %% digits in place of CIFAR-10
from fcnet.data import load_digits, stratified_split

X_all, y_all = load_digits()
data = stratified_split(X_all, y_all, val_size=0.15, test_size=0.15, seed=0)
for k, v in data.items():
    print("%s: " % k, v.shape)

# %% the search the course's write-up runs: four hidden layers of 100, Adam, 5 epochs
hidden_dims = [100] * 4
best_val_acc, best_model = -1, None
for weight_scale in [1e-2, 5e-2]:
    for lr in [1e-3, 5e-3]:
        model = FullyConnectedNet(
            hidden_dims=hidden_dims,
            input_dim=64,
            reg=0.0,
            weight_scale=weight_scale,
            dropout=0.9,
            normalization="batchnorm",
        )
        solver = Solver(
            model,
            data,
            update_rule="adam",
            optim_config={"learning_rate": lr},
            batch_size=100,
            num_epochs=5,
            verbose=False,
        )
        solver.train()
        print("Weight_scale: %f, lr: %f, val_acc: %f" % (weight_scale, lr, solver.best_val_acc))
        if solver.best_val_acc > best_val_acc:
            best_val_acc, best_model, best_solver = solver.best_val_acc, model, solver
print("Best val_acc: %f" % best_val_acc)

# %%
y_test_pred = np.argmax(best_model.loss(data["X_test"]), axis=1)
y_val_pred = np.argmax(best_model.loss(data["X_val"]), axis=1)
print("Validation set accuracy: ", (y_val_pred == data["y_val"]).mean())
print("Test set accuracy: ", (y_test_pred == data["y_test"]).mean())
assert (y_test_pred == data["y_test"]).mean() > 0.9
plt.subplot(2, 1, 1)
plt.plot(best_solver.loss_history)
plt.title("Loss history")
plt.subplot(2, 1, 2)
plt.plot(best_solver.train_acc_history, label="train")
plt.plot(best_solver.val_acc_history, label="val")
plt.legend()
plt.show()
