"""Course packages, round three: ECE C147/C247's drop-probability dropout (and the keep-probability templates),
the course Solver's refused optimizer settings, the MNIST MLP homework's printed loss, cs231n 2025's save/load.

Sources: UCLA ECE C147/C247 HW3 ``nndl/fc_net.py`` and HW4 ``nndl/layers.py`` (2018-2019, 2022, 2024: "We drop
each neuron output with probability p"; 2020-2021: "We keep ..."), the MNIST MLP optimizer homework (bilibili
《数之道》), cs231n 2025 assignment 1 ``classifiers/fc_net.py``.
"""

import os

import numpy as np
import pytest

from fcnet.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error


# ---- ECE C147: dropout's p is the drop probability --------------------------------------------------------
def test_ece_dropout_forward_drops_a_fraction_p():
    from fcnet.courses.ece.nndl.layers import dropout_forward

    x = np.random.default_rng(0).standard_normal((500, 500)) + 10
    for p in (0.25, 0.4, 0.7):
        out, _ = dropout_forward(x, {"mode": "train", "p": p})
        assert abs((out == 0).mean() - p) < 0.01, p
        assert abs(out.mean() - x.mean()) < 0.1  # inverted: scaled by 1 / (1 - p)
        assert np.array_equal(dropout_forward(x, {"mode": "test", "p": p})[0], x)


def test_ece_dropout_mask_is_drawn_as_the_homework_draws_it():
    """HW4's mask is ``np.random.rand(*x.shape) < (1 - p)`` after ``np.random.seed(seed)``, scaled by 1/(1-p)."""
    from fcnet.courses.ece.nndl.layers import dropout_backward, dropout_forward

    x = np.random.default_rng(1).standard_normal((6, 7))
    out, cache = dropout_forward(x, {"mode": "train", "p": 0.3, "seed": 123})
    np.random.seed(123)
    mask = (np.random.rand(*x.shape) < 0.7) / 0.7
    assert np.array_equal(out, x * mask)
    dout = np.random.default_rng(2).standard_normal(x.shape)
    assert np.array_equal(dropout_backward(dout, cache), dout * mask)
    numeric = eval_numerical_gradient_array(
        lambda v: dropout_forward(v, {"mode": "train", "p": 0.3, "seed": 123})[0], x, dout
    )
    assert rel_error(numeric, dropout_backward(dout, cache)) < 1e-9


def test_ece_fully_connected_net_dropout_is_the_drop_probability():
    from fcnet.courses.ece.nndl.fc_net import FullyConnectedNet, TwoLayerNet

    assert not FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0).use_dropout
    model = FullyConnectedNet(
        [400], input_dim=30, num_classes=3, dropout=0.25, seed=0, dtype=np.float64
    )
    hidden = [layer for name, layer in model.layers.layers.items() if name.startswith("dropout")]
    assert model.use_dropout and len(hidden) == 1 and hidden[0].p == 0.25
    x = np.abs(np.random.default_rng(3).standard_normal((200, 400))) + 1
    hidden[0].train()
    assert (
        abs((hidden[0].forward(x) == 0).mean() - 0.25) < 0.01
    )  # a quarter dropped, not three quarters
    with pytest.raises(ValueError, match="drop probability"):
        FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=1)
    assert TwoLayerNet(input_dim=4, hidden_dims=6, num_classes=3, dropout=0.25)._course_p == 0.25


def test_ece_network_with_dropout_passes_the_homework_gradient_check():
    from fcnet.courses.ece.nndl.fc_net import FullyConnectedNet

    np.random.seed(231)
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    for dropout in (0, 0.25, 0.5):
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
        for name in sorted(grads):
            numeric = eval_numerical_gradient(
                lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5
            )
            assert rel_error(numeric, grads[name]) < 1e-4, (
                dropout,
                name,
            )  # the notebook prints e-5 to e-9


def test_ece_keep_namespace_reads_p_as_the_keep_probability():
    from fcnet.courses.ece_keep.nndl.fc_net import FullyConnectedNet, TwoLayerNet, dropout_forward
    from fcnet.courses.ece_keep.nndl.layers import dropout_forward as layers_dropout
    from fcnet.courses.ece_keep.utils.solver import Solver
    from fcnet.courses.ece.utils.solver import Solver as DropSolver

    assert dropout_forward is layers_dropout and Solver is DropSolver
    x = np.ones((500, 500))
    out, _ = dropout_forward(x, {"mode": "train", "p": 0.3})
    assert abs((out == 0).mean() - 0.7) < 0.01  # the 2020-2021 templates keep 30%
    assert not FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0).use_dropout
    model = FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0.25)
    assert model.use_dropout and model._course_p == 0.25 and "keep" in repr(model.layers)
    assert TwoLayerNet(input_dim=4, hidden_dims=6, num_classes=3, dropout=0.25)._course_p == 0.25


# ---- the course Solver checks its optimizer settings -------------------------------------------------------
def small_data():
    rng = np.random.default_rng(1)
    return {
        "X_train": rng.standard_normal((40, 6)),
        "y_train": rng.integers(0, 3, 40),
        "X_val": rng.standard_normal((10, 6)),
        "y_val": rng.integers(0, 3, 10),
    }


@pytest.mark.parametrize(
    "rule", ["sgd", "sgd_momentum", "sgd_nesterov_momentum", "rmsprop", "adam"]
)
def test_ece_solver_refuses_an_unknown_optimizer_setting(rule):
    from fcnet.courses.ece.nndl.fc_net import FullyConnectedNet
    from fcnet.courses.ece.utils.solver import Solver

    model = FullyConnectedNet([8], input_dim=6, num_classes=3)
    with pytest.raises(ValueError, match=r"unknown hyperparameter \['lr'\].*learning_rate"):
        Solver(model, small_data(), update_rule=rule, optim_config={"lr": 0.5})
    with pytest.raises(ValueError, match="learning_rate"):
        Solver(model, small_data(), update_rule=rule, optim_config={"learning_rate": -1})


def test_course_update_rules_refuse_unknown_config_keys():
    from fcnet.courses.ece.nndl import optim as ece

    w = np.ones((2, 3))
    for rule in (ece.adam, ece.rmsprop, ece.sgd_nesterov_momentum):
        with pytest.raises(ValueError, match=r"unknown config key \['lr'\]"):
            rule(w, w, {"lr": 0.5})
    next_w, config = ece.adam(
        w, w, {"learning_rate": 0.5, "v": np.zeros_like(w)}
    )  # course state names pass
    assert set(config) >= {"v", "a", "t"}


# ---- the MNIST MLP homework: the loss it prints -------------------------------------------------------------
def test_mnist_mlp_softmax_with_loss_prints_the_homework_loss():
    from fcnet.courses.mnist_mlp import SoftmaxWithLoss, TwoLayerNet

    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((8, 10)) * 3, rng.integers(0, 10, 8)
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    homework = -np.sum(np.log(probabilities[np.arange(8), y] + 1e-7)) / 8
    layer = SoftmaxWithLoss()
    assert abs(layer.forward(x, y) - homework) < 1e-12
    assert abs(layer.forward(x, np.eye(10)[y]) - homework) < 1e-12
    np.testing.assert_allclose(layer.backward(1), (probabilities - np.eye(10)[y]) / 8, rtol=1e-12)
    network = TwoLayerNet(input_size=10, hidden_size=6, output_size=10, weight_init_std=1.0)
    scores = network.predict(x)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    assert abs(network.loss(x, y) - (-np.sum(np.log(p[np.arange(8), y] + 1e-7)) / 8)) < 1e-12


# ---- cs231n 2025: save(fname) / load(fname) -----------------------------------------------------------------
def test_cs231n_2025_save_and_load_round_trip(tmp_path, capsys, monkeypatch):
    import fcnet.courses.cs231n as package
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet

    monkeypatch.chdir(tmp_path)
    package_dir = os.path.dirname(package.__file__)
    before = sorted(os.listdir(package_dir))
    np.random.seed(0)
    model = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    model.save("best_two_layer_net.npy")
    assert capsys.readouterr().out == "best_two_layer_net.npy saved.\n"
    assert (tmp_path / "best_two_layer_net.npy").is_file() and sorted(
        os.listdir(package_dir)
    ) == before
    other = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    assert other.load("best_two_layer_net.npy") is True
    assert capsys.readouterr().out == "best_two_layer_net.npy loaded.\n"
    x = np.random.randn(4, 6)
    assert np.array_equal(other.loss(x), model.loss(x))
    assert other.load("missing.npy") is False
    assert capsys.readouterr().out == "missing.npy not available.\n"

    net = FullyConnectedNet(
        [7, 5], input_dim=6, num_classes=3, normalization="batchnorm", dtype=np.float64
    )
    net.loss(x, np.array([0, 1, 2, 0]))  # moves the running statistics
    net.save(tmp_path / "sub" / "fc.npy")
    again = FullyConnectedNet(
        [7, 5], input_dim=6, num_classes=3, normalization="batchnorm", dtype=np.float64
    )
    assert again.load(tmp_path / "sub" / "fc.npy")
    assert np.array_equal(again.loss(x), net.loss(x))
    wrong = FullyConnectedNet([9], input_dim=6, num_classes=3)
    with pytest.raises(ValueError, match="fc.npy"):
        wrong.load(tmp_path / "sub" / "fc.npy")


def test_cs231n_2025_load_refuses_a_pickled_file(tmp_path):
    from fcnet.courses.cs231n.classifiers.fc_net import TwoLayerNet

    model = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    np.save(
        tmp_path / "course.npy", {"W1": np.zeros((6, 5))}, allow_pickle=True
    )  # the course's own format
    with pytest.raises(ValueError, match="course.npy"):
        model.load(tmp_path / "course.npy")
