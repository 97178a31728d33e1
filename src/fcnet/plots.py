"""matplotlib figures: training history, first-layer weights, optimizer comparison, search results, confusion.

Every function builds a ``matplotlib.figure.Figure`` without pyplot, so it works headless; pass ``path`` to save a
PNG, or display the returned figure in a notebook.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _save(fig, path: str | Path | None):
    if path is not None:
        from fcnet.saving import atomic_file

        with atomic_file(Path(path), "wb") as f:
            fig.savefig(f, format="png", dpi=100)
    return fig


def _history(history: Any) -> dict:
    """A Solver's or a History's series as a dict (with the Solver's iterations_per_epoch), or the dict itself."""
    per_epoch = getattr(history, "iterations_per_epoch", None)
    history = getattr(history, "history", history)
    h = history.to_dict() if hasattr(history, "to_dict") else dict(history)
    if per_epoch is not None:
        h["iterations_per_epoch"] = per_epoch
    return h


def _draw_loss(ax, h: dict) -> None:
    ax.plot(
        np.arange(1, len(h["loss_history"]) + 1),
        h["loss_history"],
        "o",
        markersize=2,
        alpha=0.6,
        label="training (per iteration)",
    )
    per_epoch = h.get("iterations_per_epoch")
    if (
        h.get("val_loss_history") and per_epoch
    ):  # check 0 follows iteration 1, check e the end of epoch e
        at = [1] + [e * per_epoch for e in range(1, len(h["val_loss_history"]))]
        ax.plot(
            at, h["val_loss_history"], "-o", color="tab:orange", label="validation (per epoch)"
        )
        ax.legend(loc="upper right")
    ax.set(title="Loss", xlabel="Iteration", ylabel="Loss")


def _draw_accuracy(ax, h: dict) -> None:
    ax.plot(h["train_acc_history"], "-o", label="train")
    ax.plot(h["val_acc_history"], "-o", label="val")
    ax.set(title="Classification accuracy", xlabel="Epoch", ylabel="Accuracy")
    ax.legend(loc="lower right")


def plot_history(
    history: Any,
    path: str | Path | None = None,
    panels: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
):
    """Training loss per iteration (with the validation loss per epoch when recorded) and train/validation
    accuracy per epoch, stacked, as the courses plot.

    history: a Solver, or a dict with loss_history, train_acc_history, val_acc_history.
    panels: which of 'loss' and 'accuracy' to draw, top to bottom. title: above the figure (dataset, model).
    """
    draw = {"loss": _draw_loss, "accuracy": _draw_accuracy}
    unknown = [p for p in panels if p not in draw]
    if unknown or not panels:
        raise ValueError(
            f"panels must be a non-empty selection of {list(draw)}, got {list(panels)}"
        )
    h = _history(history)
    fig = _figure(10, 4 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels):
        draw[panel](ax, h)
    if title:
        best = max(h["val_acc_history"], default=None)
        fig.suptitle(title + ("" if best is None else f" (best validation accuracy {best:.4f})"))
    return _save(fig, path)


def visualize_grid(Xs: np.ndarray, ubound: float = 255.0, padding: int = 1) -> np.ndarray:
    """Tile images Xs (N, H, W, C) into one grid image, each rescaled to [0, ubound] (cs231n's visualize_grid)."""
    Xs = np.asarray(Xs)
    if Xs.ndim != 4 or Xs.shape[0] == 0:
        raise ValueError(
            f"Xs must be images of shape (N, H, W, C) with N >= 1, got shape {Xs.shape}; add a channel "
            "axis to grey images with Xs[..., None]"
        )
    N, H, W, C = Xs.shape
    grid_size = int(math.ceil(math.sqrt(N)))
    grid = np.zeros((grid_size * (H + padding) - padding, grid_size * (W + padding) - padding, C))
    for i in range(N):
        row, col = divmod(i, grid_size)
        img = Xs[i]
        low, high = np.min(img), np.max(img)
        y0, x0 = row * (H + padding), col * (W + padding)
        grid[y0 : y0 + H, x0 : x0 + W] = ubound * (img - low) / (high - low) if high > low else 0
    return grid


def first_layer_images(W1: np.ndarray, image_shape: Sequence[int]) -> np.ndarray:
    """The columns of W1 (D, H) as H images of image_shape ((h, w) or (h, w, c), with h * w * c = D)."""
    shape = tuple(image_shape) if len(image_shape) == 3 else (*image_shape, 1)
    if int(np.prod(shape)) != W1.shape[0]:
        raise ValueError(
            f"image_shape {tuple(image_shape)} has {int(np.prod(shape))} pixels but W1 has "
            f"{W1.shape[0]} rows"
        )
    return W1.T.reshape(-1, *shape)


def show_net_weights(
    net: Any,
    image_shape: Sequence[int] = (32, 32, 3),
    path: str | Path | None = None,
    max_units: int = 100,
):
    """The first layer's weights as an image grid (the courses' show_net_weights)."""
    images = first_layer_images(np.asarray(net.params["W1"]), image_shape)[:max_units]
    grid = visualize_grid(images, padding=2)
    fig = _figure(8, 8)
    ax = fig.subplots()
    if grid.shape[2] == 1:
        ax.imshow(grid[:, :, 0].astype("uint8"), cmap="gray")
    else:
        ax.imshow(grid.astype("uint8"))
    ax.axis("off")
    total = np.shape(net.params["W1"])[1]
    shown = (
        f"all {total} units"
        if len(images) == total
        else f"the first {len(images)} of {total} units"
    )
    ax.set_title(f"First-layer weights ({shown})")
    return _save(fig, path)


def plot_optimizer_comparison(solvers: Mapping[str, Any], path: str | Path | None = None):
    """Training loss, training accuracy and validation accuracy of several runs (the courses' three panels)."""
    fig = _figure(12, 12)
    panels = fig.subplots(3, 1)
    titles = [
        ("Training loss", "Iteration", "Loss", "loss_history"),
        ("Training accuracy", "Epoch", "Accuracy", "train_acc_history"),
        ("Validation accuracy", "Epoch", "Accuracy", "val_acc_history"),
    ]
    markers = "os^vD<>px*"
    for ax, (title, xlabel, ylabel, key) in zip(panels, titles):
        for i, (name, solver) in enumerate(solvers.items()):
            h = _history(solver)
            style = {"color": f"C{i % 10}", "label": name}
            if (
                key == "loss_history"
            ):  # a smoothed line per rule, distinguishable where raw points overlap
                window = max(1, len(h[key]) // 50)
                smooth = (
                    np.convolve(h[key], np.ones(window) / window, mode="valid") if h[key] else []
                )
                ax.plot(h[key], ",", alpha=0.3, color=style["color"])
                ax.plot(np.arange(len(smooth)) + window - 1, smooth, "-", **style)
            else:
                ax.plot(h[key], f"-{markers[i % len(markers)]}", markersize=4, **style)
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return _save(fig, path)


def _axis_values(values: np.ndarray, bins: int | None):
    """The distinct values of a grid axis (bins None), or the centres and edges of log-spaced bins."""
    unique = np.unique(values)
    if bins is None or len(unique) <= 1:
        return unique, None
    edges = np.logspace(np.log10(unique.min()), np.log10(unique.max()), bins + 1)
    return np.sqrt(edges[:-1] * edges[1:]), edges


def _zero_left_of_positive(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Values for a log axis: 0 gets its own place a decade left of the smallest positive value."""
    has_zero = bool(np.any(values == 0))
    if not has_zero:
        return values, False
    smallest = values[values > 0].min() / 10 if np.any(values > 0) else 1e-6
    return np.where(values > 0, values, smallest), True


def plot_search_results(
    results: Sequence[Mapping[str, Any]], path: str | Path | None = None, bins: int = 6
):
    """A heatmap of the best validation accuracy over learning rate x regularization.

    results: rows with 'learning_rate', 'reg' and 'val_acc' (a grid gives one cell per pair; a random search is
    binned on log scales). Empty cells are left blank.
    """
    lr_values = np.array([float(r["learning_rate"]) for r in results])
    reg = np.array([float(r["reg"]) for r in results])
    acc = np.array([float(r["val_acc"]) for r in results])
    lr, has_zero_lr = _zero_left_of_positive(lr_values)
    reg_plot, has_zero_reg = _zero_left_of_positive(reg)
    # a grid search fills every (lr, reg) pair once; scattered (random) points are binned on log scales
    is_grid = len(np.unique(lr)) * len(np.unique(reg_plot)) <= len(results)
    axis_bins = None if is_grid else max(2, min(bins, int(math.ceil(math.sqrt(len(results))))))
    x_vals, x_edges = _axis_values(lr, axis_bins)
    y_vals, y_edges = _axis_values(reg_plot, axis_bins)
    heat = np.full((len(y_vals), len(x_vals)), np.nan)
    for a, b, value in zip(lr, reg_plot, acc):
        i = (
            int(np.argmin(np.abs(np.log(y_vals) - np.log(b))))
            if y_edges is None
            else min(np.searchsorted(y_edges, b, side="right") - 1, len(y_vals) - 1)
        )
        j = (
            int(np.argmin(np.abs(np.log(x_vals) - np.log(a))))
            if x_edges is None
            else min(np.searchsorted(x_edges, a, side="right") - 1, len(x_vals) - 1)
        )
        heat[i, j] = value if np.isnan(heat[i, j]) else max(heat[i, j], value)
    fig = _figure(8, 6)
    ax = fig.subplots()
    image = ax.imshow(heat, origin="lower", cmap="viridis", aspect="auto")
    x_labels = [f"{v:.1e}" for v in x_vals]
    if has_zero_lr:
        x_labels[0] = "0" if x_edges is None else x_labels[0]
    ax.set_xticks(range(len(x_vals)), x_labels, rotation=45)
    y_labels = [f"{v:.1e}" for v in y_vals]
    if has_zero_reg:
        y_labels[0] = "0" if y_edges is None else y_labels[0]
    ax.set_yticks(range(len(y_vals)), y_labels)
    ax.set(xlabel="learning rate", ylabel="reg", title="Best validation accuracy")
    for (i, j), value in np.ndenumerate(heat):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(image, ax=ax)
    return _save(fig, path)


def plot_confusion_matrix(
    matrix: np.ndarray,
    class_names: Sequence[str] | None = None,
    path: str | Path | None = None,
    title: str = "Confusion matrix",
):
    """A confusion matrix (rows: true class, columns: predicted), with counts in the cells."""
    matrix = np.asarray(matrix)
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(matrix))]
    fig = _figure(8, 7)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(value),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value > threshold else "black",
        )
    fig.colorbar(image, ax=ax)
    return _save(fig, path)
