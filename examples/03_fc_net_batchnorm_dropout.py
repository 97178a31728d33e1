# %% [markdown]
# # FullyConnectedNet with batch norm, layer norm and dropout (seeds 000 section 4 and 001)
# Gradient checks of every variant, overfitting a small set, and the effect of normalization on training.

# %%
import numpy as np

from fcnet import FullyConnectedNet
from fcnet.data import load_dataset
from fcnet.gradient_check import eval_numerical_gradient, rel_error
from fcnet.plots import plot_optimizer_comparison
from fcnet.solver import Solver

rng = np.random.default_rng(0)

# %% gradient checks (N, D, H1, H2, C = 2, 15, 20, 30, 10; batch norm on 6 samples, see the tests)
for normalization in (None, "batchnorm", "layernorm"):
    n = 6 if normalization == "batchnorm" else 2
    X, y = rng.standard_normal((n, 15)), rng.integers(10, size=n)
    for reg in (0, 3.14):
        model = FullyConnectedNet(
            [20, 30],
            input_dim=15,
            num_classes=10,
            reg=reg,
            weight_scale=5e-2,
            dtype=np.float64,
            normalization=normalization,
            dropout_keep_ratio=0.75,
            seed=123,
        )
        loss, grads = model.loss(X, y)
        worst = max(
            rel_error(
                eval_numerical_gradient(
                    lambda _: model.loss(X, y)[0], model.params[k], verbose=False
                ),
                grads[k],
            )
            for k in grads
            if not (normalization == "batchnorm" and k[0] == "b" and k != f"b{model.num_layers}")
        )
        print(
            f"{normalization or 'none':>9}, reg {reg}: initial loss {loss:.4f}, worst relative error {worst:.1e}"
        )

# %% overfit 50 samples of Fashion-MNIST (digits if Fashion-MNIST is not installed)
try:
    data = load_dataset("fashion-mnist", limit=2000)
except Exception as exc:  # no Fashion-MNIST here
    print("Fashion-MNIST unavailable:", exc)
    data = load_dataset("digits")
small = {
    "X_train": data["X_train"][:50],
    "y_train": data["y_train"][:50],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
dim = data["X_train"].shape[1]
model = FullyConnectedNet([100, 100], input_dim=dim, weight_scale="he", dtype=np.float64, seed=0)
solver = Solver(
    model,
    small,
    update_rule="sgd",
    optim_config={"learning_rate": 0.05},
    num_epochs=20,
    batch_size=25,
    print_every=10,
    seed=0,
)
solver.train()

# %% batch norm and dropout against a plain network
solvers = {}
for label, options in {
    "baseline": {},
    "batchnorm": {"normalization": "batchnorm"},
    "batchnorm + dropout 0.25": {"normalization": "batchnorm", "dropout": 0.25},
}.items():
    model = FullyConnectedNet([100, 100, 100], input_dim=dim, weight_scale=2e-2, seed=0, **options)
    solvers[label] = Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=3,
        batch_size=50,
        verbose=False,
        seed=0,
    ).train()
    print(f"{label:>25}: best validation accuracy {solvers[label].best_val_acc:.3f}")
plot_optimizer_comparison(solvers, "normalization_comparison.png")
