import numpy as np
import pytest

pytest.importorskip("matplotlib")

from fcnet import FullyConnectedNet, plots  # noqa: E402


def test_visualize_grid_tiles_and_rescales():
    images = np.arange(5 * 4 * 4 * 3, dtype=float).reshape(5, 4, 4, 3)
    grid = plots.visualize_grid(images, padding=1)
    assert grid.shape == (3 * 5 - 1, 3 * 5 - 1, 3)
    assert grid.min() == 0 and grid.max() == 255
    np.testing.assert_array_equal(grid[4, :, :], 0)  # padding row


def test_first_layer_images_checks_the_shape():
    with pytest.raises(ValueError, match=r"image_shape \(8, 8\) has 64 pixels but W1 has 65 rows"):
        plots.first_layer_images(np.zeros((65, 3)), (8, 8))
    assert plots.first_layer_images(np.zeros((64, 3)), (8, 8)).shape == (3, 8, 8, 1)


def test_figures_are_written_as_png(tmp_path):
    history = {
        "loss_history": [2.3, 1.0, 0.5],
        "train_acc_history": [0.1, 0.8],
        "val_acc_history": [0.1, 0.7],
    }
    plots.plot_history(history, tmp_path / "h.png")
    plots.plot_optimizer_comparison({"sgd": history, "adam": history}, tmp_path / "o.png")
    plots.show_net_weights(
        FullyConnectedNet([9], input_dim=64, num_classes=3, seed=0), (8, 8), tmp_path / "w.png"
    )
    plots.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["a", "b"], tmp_path / "c.png")
    grid = [
        {"learning_rate": lr, "reg": reg, "val_acc": lr * 100 + reg}
        for lr in (1e-3, 1e-2)
        for reg in (0, 1e-3)
    ]
    plots.plot_search_results(grid, tmp_path / "g.png")
    rng = np.random.default_rng(0)
    random = [
        {
            "learning_rate": 10 ** rng.uniform(-4, -2),
            "reg": 10 ** rng.uniform(-6, -2),
            "val_acc": rng.random(),
        }
        for _ in range(30)
    ]
    plots.plot_search_results(random, tmp_path / "r.png")
    for name in ("h", "o", "w", "c", "g", "r"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_history_panels(tmp_path):
    history = {
        "loss_history": [2.3, 1.0],
        "train_acc_history": [0.1, 0.8],
        "val_acc_history": [0.1, 0.7],
    }
    assert len(plots.plot_history(history, panels=("loss",)).axes) == 1
    assert len(plots.plot_history(history).axes) == 2
    with pytest.raises(
        ValueError, match=r"panels must be a non-empty selection of \['loss', 'accuracy'\]"
    ):
        plots.plot_history(history, panels=("lr",))
