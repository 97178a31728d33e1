# %% [markdown]
# # TwoLayerNet and the Solver (cs231n 2017 sections 2-3, daseCV and ECE C147 HW3)
# The courses train on CIFAR-10; this runs on scikit-learn's digits (no download) and, when
# `~/.cache/fcnet/cifar-10-batches-py` exists, on CIFAR-10 as the courses do.

# %%
import numpy as np

from fcnet import TwoLayerNet
from fcnet.data import data_home, get_cifar10_data, load_digits, stratified_split
from fcnet.gradient_check import eval_numerical_gradient, rel_error
from fcnet.plots import plot_history, show_net_weights
from fcnet.solver import Solver

# %% the courses' checks: test-time scores and the losses 3.4702243556 (reg 0) and 26.5948426952 (reg 1)
N, D, H, C = 3, 5, 50, 7
model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-2, seed=0)
model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
y = np.asarray([0, 5, 1])
print("training loss (no regularization):", model.loss(X, y)[0])
model.reg = 1.0
print("training loss (reg 1.0):", model.loss(X, y)[0])
for reg in (0.0, 0.7):
    model.reg = reg
    _, grads = model.loss(X, y)
    for name in sorted(grads):
        num = eval_numerical_gradient(
            lambda _: model.loss(X, y)[0], model.params[name], verbose=False
        )
        print(f"reg {reg}: {name} relative error: {rel_error(num, grads[name]):.2e}")

# %% train on digits with the Solver
X, y = load_digits()
data = stratified_split(X, y, val_size=0.15, test_size=0.15, seed=0)
model = TwoLayerNet(
    input_dim=64, hidden_dim=100, num_classes=10, weight_scale="he", reg=1e-3, seed=0
)
solver = Solver(
    model,
    data,
    update_rule="sgd",
    optim_config={"learning_rate": 0.1},
    lr_decay=0.95,
    num_epochs=20,
    batch_size=50,
    print_every=100,
    seed=0,
)
solver.train()
print("test acc: %f" % np.mean(model.predict(data["X_test"]) == data["y_test"]))
plot_history(solver, "two_layer_history.png")
show_net_weights(model, (8, 8), "two_layer_weights.png")

# %% CIFAR-10, as the courses do, when it is on this machine
if (data_home() / "cifar-10-batches-py").is_dir():
    cifar = get_cifar10_data(flatten=True)
    model = TwoLayerNet(hidden_dim=200, reg=0.25, weight_scale=1e-3, seed=0)
    solver = Solver(
        model,
        cifar,
        update_rule="sgd",
        optim_config={"learning_rate": 1e-3},
        lr_decay=0.95,
        num_epochs=10,
        batch_size=200,
        print_every=100,
    )
    solver.train()
    show_net_weights(model, (32, 32, 3), "cifar_weights.png")
else:
    print("CIFAR-10 is not in", data_home(), "- skipped")
