# %% [markdown]
# # Hyperparameter search (seeds 000 section 6, 001 section 4, 003 and 004)
# The courses nest loops over learning rates, regularization and hidden sizes; fcnet.search does the same as a grid
# or a random search, in parallel processes, and keeps the best model.

# %%
from fcnet import load
from fcnet.plots import plot_search_results
from fcnet.runs import TrainConfig
from fcnet.search import run_search

base = TrainConfig(dataset="digits", num_epochs=5, batch_size=64)
results = run_search(
    base,
    "search_example",
    space={
        "learning_rate": (3e-4, 1e-2),
        "reg": (1e-6, 1e-2),
        "hidden_dims": [[50], [100], [100, 50]],
    },
    mode="random",
    num_trials=6,
    jobs=2,
    seed=0,
)
for row in results[:3]:
    print(
        f"trial {row['trial']}: val {float(row['val_acc']):.3f}  lr {float(row['learning_rate']):.2e}  "
        f"reg {float(row['reg']):.2e}  hidden {row['hidden_dims']}"
    )
best = load("search_example/best_model.npz")
print("best model:", best.hidden_dims)
plot_search_results(results, "search_example/heatmap.png")
