# %% [markdown]
# # The seven update rules (cs231n 2017 section 5, the MNIST MLP homework section 3.5)
# The MNIST MLP homework's network (784-300-300-10, LeakyReLU 0.1, weight std 0.01, batch 100) on MNIST-format data:
# Fashion-MNIST when installed, MNIST when in the data home, digits otherwise. The seed runs 10,000 iterations per
# rule; ITERATIONS below keeps this example short (`python benchmarks/run.py optimizers` runs the full one).

# %%
import numpy as np

from fcnet import FullyConnectedNet
from fcnet.data import load_dataset
from fcnet.optim import sgd_momentum
from fcnet.plots import plot_optimizer_comparison
from fcnet.experiments import HOMEWORK_LEARNING_RATES
from fcnet.solver import Solver

ITERATIONS = 300

# %% cs231n's check of sgd_momentum
N, D = 4, 5
w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
next_w, config = sgd_momentum(w, dw, config={"learning_rate": 1e-3, "velocity": v})
print("next_w[0, :2]:", next_w[0, :2], "(expected 0.1406, 0.20738947)")

# %% data
for name in ("fashion-mnist", "mnist", "digits"):
    try:
        data = load_dataset(name, limit=10000)
        break
    except Exception as exc:
        print(f"{name} unavailable: {exc}")
print("dataset:", name, data["X_train"].shape)

# %% one network per rule, same initial weights
solvers = {}
for rule, lr in HOMEWORK_LEARNING_RATES.items():
    model = FullyConnectedNet(
        [300, 300],
        input_dim=data["X_train"].shape[1],
        weight_scale=0.01,
        activation="leaky_relu",
        alpha=0.1,
        seed=1,
    )
    epochs = max(1, ITERATIONS // (len(data["y_train"]) // 100))
    solver = Solver(
        model,
        data,
        update_rule=rule,
        optim_config={"learning_rate": lr},
        num_epochs=epochs,
        batch_size=100,
        verbose=False,
        seed=0,
    )
    solvers[rule] = solver.train()
    test_acc = np.mean(model.predict(data["X_test"]) == data["y_test"])
    print(
        f"{rule:>18} (lr {lr:g}): final loss {np.mean(solver.loss_history[-20:]):.3f}, test accuracy {test_acc:.3f}"
    )
plot_optimizer_comparison(solvers, "optimizers.png")
