"""fcnet.courses: each course's code runs with only its imports changed, and prints the course's numbers.

Sources: cs231n assignments 1-2 (Stanford, 2017 and 2018 on), daseCV assignment 1 (ECNU, 2021), UCLA ECE C147/C247
homework 3 (2022), and the MNIST MLP optimizer homework of bilibili's 《数之道》.
"""

import importlib

import numpy as np
import pytest

from fcnet.gradient_check import eval_numerical_gradient, rel_error
from tests.test_data import write_cifar_root


@pytest.fixture(autouse=True)
def keep_global_generator():
    """The course code seeds NumPy's global generator; leave it as it was for the other tests."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


# ---- the assignment-1 TwoLayerNet: cs231n / daseCV and ECE C147 ---------------------------------------------
CS231N_SCORES = [
    [-0.81233741, -1.27654624, -0.70335995],
    [-0.17129677, -1.18803311, -0.47310444],
    [-0.51590475, -1.01354314, -0.8504215],
    [-0.15419291, -0.48629638, -0.52901952],
    [-0.00618733, -0.12435261, -0.15226949],
]
ECE_SCORES = [
    [-1.07260209, 0.05083871, -0.87253915],
    [-2.02778743, -0.10832494, -1.52641362],
    [-0.74225908, 0.15259725, -0.39578548],
    [-0.38172726, 0.10835902, -0.17328274],
    [-0.64417314, -0.18886813, -0.41106892],
]


def toy_problem(module: str):
    """The notebooks' init_toy_model() and init_toy_data(), with the course's TwoLayerNet."""
    TwoLayerNet = importlib.import_module(module).TwoLayerNet
    np.random.seed(0)
    net = TwoLayerNet(4, 10, 3, std=1e-1)
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    return TwoLayerNet, net, X, np.array([0, 1, 2, 2, 1])


@pytest.mark.parametrize(
    "module",
    [
        "fcnet.courses.cs231n.classifiers.neural_net",
        "fcnet.courses.dasecv.classifiers.neural_net",
        "fcnet.courses.cs231n_2017.classifiers.neural_net",
    ],
)
def test_assignment_one_net_cs231n_checks(module):
    _, net, X, y = toy_problem(module)
    assert net.params["W1"].shape == (4, 10) and net.params["W2"].shape == (10, 3)
    difference = np.sum(np.abs(net.loss(X) - np.asarray(CS231N_SCORES)))
    assert (
        f"{difference:.10e}" == f"{3.6802720745909845e-08:.10e}"
    )  # daseCV prints 3.6802720745909845e-08
    loss, grads = net.loss(X, y, reg=0.05)
    assert abs(loss - 1.30378789133) < 1e-12  # "we get < 1e-12"
    for name in grads:
        numeric = eval_numerical_gradient(
            lambda W: net.loss(X, y, reg=0.05)[0], net.params[name], verbose=False
        )
        assert rel_error(numeric, grads[name]) < 1e-8, name  # daseCV prints 2.7e-09 to 3.6e-09


def test_daseCV_printed_numbers_come_from_its_half_l2_term():
    """daseCV's notebook prints a loss difference of 0.01896541960606335 and a final toy loss of
    0.01714364353292381: its own neural_net.py used 0.5 * reg * sum(W**2) where the course asks reg * sum(W**2).
    The same network with the 0.5 factor prints both numbers; the course's term gives the course's loss."""
    TwoLayerNet, net, X, y = toy_problem("fcnet.courses.dasecv.classifiers.neural_net")

    class HalfL2(TwoLayerNet):
        l2_factor = 0.5

    np.random.seed(0)
    half = HalfL2(4, 10, 3, std=1e-1)
    assert abs(half.loss(X, y, reg=0.05)[0] - 1.30378789133) == pytest.approx(
        0.01896541960606335, rel=1e-10
    )
    for cls, expected in [(HalfL2, 0.01714364353292381), (TwoLayerNet, 0.017149607938732093)]:
        np.random.seed(0)
        net = cls(4, 10, 3, std=1e-1)
        stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100, verbose=False)
        assert stats["loss_history"][-1] == pytest.approx(expected, rel=1e-12)
        assert stats["loss_history"][-1] < 0.02  # "your training loss should be less than 0.02"
        assert (
            len(stats["train_acc_history"]) == len(stats["val_acc_history"]) == 100
        )  # 5 samples: an epoch a step


def test_assignment_one_net_ece_checks():
    _, net, X, y = toy_problem("fcnet.courses.ece.nndl.neural_net")
    assert net.params["W1"].shape == (10, 4) and net.params["W2"].shape == (
        3,
        10,
    )  # (H, D), (C, H)
    difference = np.sum(np.abs(net.loss(X) - np.asarray(ECE_SCORES)))
    assert f"{difference:.12e}" == f"{3.381231233889892e-08:.12e}"
    loss, grads = net.loss(X, y, reg=0.05)
    assert loss == 1.071696123862817  # the notebook prints "Difference ...: 0.0"
    for name in grads:
        numeric = eval_numerical_gradient(
            lambda W: net.loss(X, y, reg=0.05)[0], net.params[name], verbose=False
        )
        assert rel_error(numeric, grads[name]) < 1e-8, name  # ECE C147 prints 3.0e-10 to 3.2e-09


def ece_homework_training(X, y, num_iters=100, learning_rate=1e-1, reg=5e-6):
    """The toy training run as the ECE C147 homework's own neural_net.py computes it (its code, transcribed to
    show where its printed number comes from): its ReLU mask in the backward pass is ``W1 @ X.T > 0``, without b1."""
    np.random.seed(0)
    W1, b1 = 1e-1 * np.random.randn(10, 4), np.zeros(10)
    W2, b2 = 1e-1 * np.random.randn(3, 10), np.zeros(3)
    for _ in range(num_iters):
        idx = np.random.choice(5, 200)
        Xb, yb, n = X[idx], y[idx], 200
        scores = np.maximum(Xb @ W1.T + b1, 0) @ W2.T + b2
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        loss = np.sum(-np.log(probs[range(n), yb])) / n + 0.5 * reg * (
            np.sum(W1**2) + np.sum(W2**2)
        )
        probs[range(n), yb] -= 1
        d = probs / n
        hidden = np.maximum(W1 @ Xb.T + b1.reshape(-1, 1), 0)
        dW2, db2 = d.T @ hidden.T + reg * W2, d.sum(axis=0)
        da = (W2.T @ d.T) * (W1 @ Xb.T > 0)
        dW1, db1 = da @ Xb + reg * W1, da.sum(axis=1)
        W1, b1, W2, b2 = (
            W1 - learning_rate * dW1,
            b1 - learning_rate * db1,
            W2 - learning_rate * dW2,
            b2 - learning_rate * db2,
        )
        learning_rate *= 0.95
    return loss


def test_ece_final_toy_loss_differs_only_by_the_homework_relu_mask():
    TwoLayerNet, _, X, y = toy_problem("fcnet.courses.ece.nndl.neural_net")
    assert ece_homework_training(X, y) == 0.014498902952971647  # what the homework prints
    np.random.seed(0)
    net = TwoLayerNet(4, 10, 3, std=1e-1)
    final = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100)["loss_history"][-1]
    assert final == pytest.approx(0.014497864587765875, rel=1e-12)  # the correct ReLU gradient
    assert abs(final - 0.014498902952971647) < 2e-6


def test_assignment_one_net_train_prints_like_each_course(capsys):
    for module, line in [
        ("fcnet.courses.cs231n.classifiers.neural_net", "iteration 0 / 101: loss 1."),
        ("fcnet.courses.ece.nndl.neural_net", "iteration 0 / 101: loss 1.0"),
    ]:
        TwoLayerNet, net, X, y = toy_problem(module)
        stats = net.train(X, y, X, y, learning_rate=1e-1, num_iters=101, verbose=True)
        out = capsys.readouterr().out.splitlines()
        assert out[0].startswith(line) and out[1].startswith("iteration 100 / 101")
        assert (net.predict(X) == y).mean() == 1.0 and set(stats) == {
            "loss_history",
            "train_acc_history",
            "val_acc_history",
        }
    assert len(out[0].split("loss ")[1]) > 9  # ECE prints the float in full


# ---- cs231n from 2018: keep-probability dropout, global seeding, star imports ----------------------------------
def test_fc_net_star_import_brings_the_layer_functions():
    for module in [
        "fcnet.courses.cs231n.classifiers.fc_net",
        "fcnet.courses.cs231n_2017.classifiers.fc_net",
        "fcnet.courses.ece.nndl.fc_net",
    ]:
        namespace: dict = {}
        exec(f"from {module} import *", namespace)
        for name in [
            "affine_forward",
            "affine_backward",
            "relu_forward",
            "softmax_loss",
            "svm_loss",
            "affine_relu_forward",
            "batchnorm_forward",
            "dropout_forward",
            "TwoLayerNet",
            "FullyConnectedNet",
            "np",
        ]:
            assert name in namespace, (module, name)


def cs231n_model_check_data():
    np.random.seed(231)
    N, D, C = 2, 15, 10
    return np.random.randn(N, D), np.random.randint(C, size=(N,))


def test_cs231n_initial_losses_follow_the_global_seed():
    """cs231n's FullyConnectedNets notebook: np.random.seed(231), then 2.3004790897684924 and 7.052114776533016."""
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet

    X, y = cs231n_model_check_data()
    losses = []
    for reg in [0, 3.14]:
        model = FullyConnectedNet(
            [20, 30], input_dim=15, num_classes=10, reg=reg, weight_scale=5e-2, dtype=np.float64
        )
        loss, grads = model.loss(X, y)
        losses.append(loss)
        for name in sorted(grads):
            numeric = eval_numerical_gradient(
                lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5
            )
            # elementwise errors on ~1e-5 gradients with h = 1e-5: the notebook prints up to 2.21e-05 (W2)
            assert rel_error(numeric, grads[name]) < 1e-4, name
    assert losses == pytest.approx([2.3004790897684924, 7.052114776533016], rel=1e-13)


def test_cs231n_dropout_check_losses():
    """cs231n's Dropout notebook: keep ratios 1, 0.75, 0.5 with seed=123 give 2.3004790897684924,
    2.302371489704412 and 2.3042759220785896."""
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet

    X, y = cs231n_model_check_data()
    losses = []
    for keep in [1, 0.75, 0.5]:
        model = FullyConnectedNet(
            [20, 30],
            input_dim=15,
            num_classes=10,
            weight_scale=5e-2,
            dtype=np.float64,
            dropout_keep_ratio=keep,
            seed=123,
        )
        losses.append(model.loss(X, y)[0])
    assert losses == pytest.approx(
        [2.3004790897684924, 2.302371489704412, 2.3042759220785896], rel=1e-13
    )


def test_dropout_p_is_the_keep_probability_in_the_2018_course():
    """The user's report: fcnet read p = 0.25 as the drop probability (a 0.25 keep became 0.75) and dropout=1
    raised. Under fcnet.courses.cs231n, p keeps units and dropout=1 means no dropout."""
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet, dropout_forward

    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    for p, mean in [
        (0.25, 10.014059116977283),
        (0.4, 9.977917658761159),
        (0.7, 9.987811912159428),
    ]:
        out, _ = dropout_forward(x, {"mode": "train", "p": p})
        assert (out == 0).mean() == pytest.approx(1 - p, abs=0.01)
        assert out.mean() == pytest.approx(mean, rel=1e-12)  # cs231n's Dropout notebook
        assert np.array_equal(dropout_forward(x, {"mode": "test", "p": p})[0], x)
    model = FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=1)
    assert not model.use_dropout and "dropout" not in repr(model.layers).lower()
    model = FullyConnectedNet([50], input_dim=4, num_classes=3, dropout=0.25, seed=0)
    hidden = model.layers.layers["relu1"]
    assert model.use_dropout and model._course_p == 0.25 and hidden is not None
    with pytest.raises(ValueError, match="keep probability"):
        FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0)


def test_dropout_p_is_the_drop_probability_in_the_2017_course():
    from fcnet.courses.cs231n_2017.classifiers.fc_net import FullyConnectedNet
    from fcnet.courses.cs231n_2017.layers import dropout_forward

    x = np.ones((400, 400))
    for p in [0.25, 0.6]:
        out, _ = dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
        assert (out == 0).mean() == pytest.approx(p, abs=0.01)
        assert out.max() == pytest.approx(1 / (1 - p))
    assert not FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0).use_dropout
    model = FullyConnectedNet([5], input_dim=4, num_classes=3, use_batchnorm=True)
    assert {"gamma1", "beta1"} <= set(model.params)


def test_global_seed_fixes_weights_and_a_whole_solver_run():
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet
    from fcnet.courses.cs231n.solver import Solver

    rng = np.random.default_rng(0)
    data = {
        "X_train": rng.standard_normal((60, 8)),
        "y_train": rng.integers(0, 3, 60),
        "X_val": rng.standard_normal((20, 8)),
        "y_val": rng.integers(0, 3, 20),
    }
    runs = []
    for _ in range(2):
        np.random.seed(231)
        model = FullyConnectedNet(
            [10], input_dim=8, num_classes=3, dropout=0.5, normalization="batchnorm"
        )
        weights = model.params["W1"].copy()
        solver = Solver(
            model,
            data,
            update_rule="adam",
            optim_config={"learning_rate": 1e-2},
            num_epochs=3,
            batch_size=10,
            verbose=False,
        )
        solver.train()
        runs.append((weights, solver.loss_history))
    np.random.seed(231)
    assert np.array_equal(runs[0][0], (1e-2 * np.random.randn(8, 10)).astype(np.float32))
    assert np.array_equal(runs[0][0], runs[1][0]) and runs[0][1] == runs[1][1]


def test_cs231n_data_utils_spelling(tmp_path):
    from fcnet.courses.cs231n.data_utils import get_CIFAR10_data, load_CIFAR10, load_CIFAR_batch

    root = tmp_path / "cifar-10-batches-py"
    write_cifar_root(root, n=6)
    Xtr, Ytr, Xte, Yte = load_CIFAR10(root)
    assert Xtr.shape == (30, 32, 32, 3) and Xte.shape == (6, 32, 32, 3) and Xtr.dtype == np.float64
    assert load_CIFAR_batch(root / "test_batch")[0].shape == (6, 32, 32, 3)
    data = get_CIFAR10_data(num_training=20, num_validation=5, num_test=4, cifar10_dir=root)
    assert data["X_train"].shape == (20, 3, 32, 32) and data["X_val"].shape == (5, 3, 32, 32)
    assert abs(data["X_train"].mean()) < 1e-9
    for module in ["fcnet.courses.dasecv.data_utils", "fcnet.courses.ece.utils.data_utils"]:
        assert importlib.import_module(module).load_CIFAR10 is load_CIFAR10


# ---- ECE C147: nndl.fc_net, nndl.optim, utils.solver ----------------------------------------------------------
def test_ece_fc_net_two_layer_checks():
    from fcnet.courses.ece.nndl.fc_net import TwoLayerNet

    N, D, H, C, std = 3, 5, 50, 7, 1e-2
    np.random.seed(231)
    model = TwoLayerNet(input_dim=D, hidden_dims=H, num_classes=C, weight_scale=std)
    assert abs(model.params["W1"].std() - std) < std / 10 and np.all(model.params["b1"] == 0)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    correct_scores = np.asarray(
        [
            [
                11.53165108,
                12.2917344,
                13.05181771,
                13.81190102,
                14.57198434,
                15.33206765,
                16.09215096,
            ],
            [
                12.05769098,
                12.74614105,
                13.43459113,
                14.1230412,
                14.81149128,
                15.49994135,
                16.18839143,
            ],
            [
                12.58373087,
                13.20054771,
                13.81736455,
                14.43418138,
                15.05099822,
                15.66781506,
                16.2846319,
            ],
        ]
    )
    assert np.abs(model.loss(X) - correct_scores).sum() < 1e-6
    y = np.asarray([0, 5, 1])
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10
    model.reg = 1.0
    assert abs(model.loss(X, y)[0] - 26.5948426952) < 1e-10


def ece_nesterov_reference(w, dw, v, learning_rate=1e-2, momentum=0.9):
    """The ECE C147 / cs231n-notes form: v_new = mu * v - lr * dw; w - mu * v + (1 + mu) * v_new."""
    v_new = momentum * v - learning_rate * dw
    return w - momentum * v + (1 + momentum) * v_new, v_new


def test_ece_update_rules_names_and_state_keys():
    from fcnet import optim
    from fcnet.courses.ece.nndl import optim as ece

    rng = np.random.default_rng(0)
    w, v = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    config = {"learning_rate": 1e-2, "velocity": v.copy()}
    ref_w, ref_v = w, v
    for _ in range(3):
        dw = rng.standard_normal((4, 5))
        w_next, config = ece.sgd_nesterov_momentum(ref_w, dw, config)
        ref_w, ref_v = ece_nesterov_reference(ref_w, dw, ref_v)
        np.testing.assert_allclose(w_next, ref_w, rtol=1e-13)
        np.testing.assert_allclose(config["velocity"], ref_v, rtol=1e-12)
    dw = rng.standard_normal((4, 5))
    next_w, config = ece.rmsprop(w, dw, {"a": v**2})
    assert set(config) >= {"a", "decay_rate", "epsilon"} and "cache" not in config
    native, _ = optim.rmsprop(w, dw, {"cache": v**2})
    assert np.array_equal(next_w, native)
    config = None
    native_config: dict = {}
    for _ in range(3):
        next_w, config = ece.adam(w, dw, config)
        native_w, native_config = optim.adam(w, dw, native_config)
        assert np.array_equal(next_w, native_w)
    assert config["t"] == 3 and np.array_equal(config["v"], native_config["m"])
    assert np.array_equal(config["a"], native_config["v"])


def test_ece_solver_takes_the_course_rule_names():
    from fcnet.courses.ece.nndl.fc_net import FullyConnectedNet
    from fcnet.courses.ece.utils.solver import Solver

    rng = np.random.default_rng(1)
    data = {
        "X_train": rng.standard_normal((40, 6)),
        "y_train": rng.integers(0, 3, 40),
        "X_val": rng.standard_normal((10, 6)),
        "y_val": rng.integers(0, 3, 10),
    }
    for rule, keys in [
        ("sgd_nesterov_momentum", {"velocity"}),
        ("rmsprop", {"a"}),
        ("adam", {"v", "a", "t"}),
    ]:
        model = FullyConnectedNet([8], input_dim=6, num_classes=3, dtype=np.float64)
        solver = Solver(
            model,
            data,
            update_rule=rule,
            optim_config={"learning_rate": 1e-3},
            lr_decay=0.95,
            num_epochs=2,
            batch_size=10,
            verbose=False,
        )
        solver.train()
        assert keys <= set(solver.optim_configs["W1"]), rule
        assert np.isfinite(solver.loss_history).all()


# ---- the MNIST MLP optimizer homework ----------------------------------------------------------------------
def course_network(capsys=None):
    from fcnet.courses.mnist_mlp import TwoLayerNet

    return TwoLayerNet(input_size=12, hidden_size=7, output_size=3)


def test_mnist_mlp_layer_checks_and_initialization(capsys):
    from fcnet.courses.mnist_mlp import Affine, LeakyRelu, TwoLayerNet

    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    relu = LeakyRelu()
    np.testing.assert_allclose(relu.forward(x), [[1.0, -0.05], [-0.2, 3.0]])
    np.testing.assert_allclose(relu.backward(x), [[1.0, -0.05], [-0.2, 3.0]])
    affine = Affine(np.ones([2, 3]), np.ones(3))
    assert np.sum(affine.forward(np.ones([1, 2]))) == 9.0
    np.testing.assert_array_equal(affine.backward(np.ones([1, 3])), [[3.0, 3.0]])
    network = TwoLayerNet(input_size=784, hidden_size=300, output_size=10)
    assert capsys.readouterr().out.splitlines() == [
        "W1's shape: (784, 300)",
        "b1's shape: (300,)",
        "W2's shape: (300, 300)",
        "b2's shape: (300,)",
        "W3's shape: (300, 10)",
        "b3's shape: (10,)",
    ]
    np.random.seed(1)
    assert np.array_equal(network.params["W1"], np.random.randn(784, 300) * 0.01)


def test_mnist_mlp_cross_entropy_is_the_per_sample_mean():
    from fcnet.courses.mnist_mlp import cross_entropy_error, softmax

    pred = softmax(np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]))
    one_hot = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    expected = -(np.log(pred[0, 0] + 1e-7) + np.log(pred[1, 1] + 1e-7)) / 2
    assert cross_entropy_error(pred, one_hot) == pytest.approx(expected)
    assert cross_entropy_error(pred, np.array([0, 1])) == pytest.approx(expected)
    # the homework's pred[:, y] averages every row against every label: not what the loss is
    assert -np.sum(np.log(pred[:, [0, 1]] + 1e-7)) / 2 != pytest.approx(expected)


def homework_update(rule, params, grads, state, t, lr):
    """The homework's update functions as written in its notebook (the reference the module must match)."""
    for key in params:
        g = grads[key]
        if rule == "momentum":
            state["v"][key] = 0.9 * state["v"][key] + lr * g
            params[key] -= state["v"][key]
        elif rule == "nesterov":
            state["v"][key] = 0.9 * state["v"][key] + lr * g
            params[key] -= 0.9 * state["v"][key] + lr * g
        elif rule == "adagrad":
            state["g2"][key] += g * g
            params[key] -= lr * g / (np.sqrt(state["g2"][key]) + 1e-7)
        elif rule == "rmsprop":
            state["g2"][key] = 0.999 * state["g2"][key] + 0.001 * g * g
            params[key] -= lr / (np.sqrt(state["g2"][key]) + 1e-7) * g
        elif rule in ("adam", "adambelief"):
            state["v"][key] = 0.9 * state["v"][key] + 0.1 * g
            v_corrected = state["v"][key] / (1 - 0.9**t)
            second = g * g if rule == "adam" else (g - state["v"][key]) * (g - state["v"][key])
            state["u"][key] = 0.999 * state["u"][key] + 0.001 * second
            u_corrected = state["u"][key] / (1 - 0.999**t)
            params[key] -= lr / (np.sqrt(u_corrected) + 1e-7) * v_corrected


@pytest.mark.parametrize(
    "rule", ["momentum", "nesterov", "adagrad", "rmsprop", "adam", "adambelief"]
)
def test_mnist_mlp_update_functions_match_the_homework_formulas(rule, capsys):
    from fcnet.courses import mnist_mlp as mm

    update = getattr(
        mm,
        {"nesterov": "update_parameters_with_nesterov_momentum"}.get(
            rule, f"update_parameters_with_{rule}"
        ),
    )
    network = course_network()
    reference = {key: value.copy() for key, value in network.params.items()}
    zeros = {key: np.zeros_like(value) for key, value in reference.items()}
    state = {name: {k: v.copy() for k, v in zeros.items()} for name in ("v", "g2", "u")}
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((16, 12)), np.eye(3)[rng.integers(0, 3, 16)]
    for _ in range(4):
        grads = network.gradient(x, y)
        network.t += 1
        update(network, grads, learning_rate=0.01)
        homework_update(rule, reference, grads, state, network.t, 0.01)
    for key in reference:
        np.testing.assert_allclose(network.params[key], reference[key], rtol=1e-11, atol=1e-15)


def test_mnist_mlp_train_network_reads_the_notebook_globals(capsys):
    from fcnet.courses import mnist_mlp as mm

    rng = np.random.default_rng(4)
    namespace = {
        "x_train": rng.random((50, 12)),
        "y_train": np.eye(3)[rng.integers(0, 3, 50)],
        "x_test": rng.random((20, 12)),
        "y_test": np.eye(3)[rng.integers(0, 3, 20)],
    }
    exec(
        "from fcnet.courses.mnist_mlp import *\n"
        "network = TwoLayerNet(input_size=12, hidden_size=7, output_size=3)\n"
        "v, u = initialize_adam(network)\n"
        "train_network(network, update_parameters_with_adam, 20, x_train.shape[0], 10, 0.01)\n",
        namespace,
    )
    lines = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("Train acc:")
    ]
    assert len(lines) == 4 and "\tTest acc:" in lines[0]  # epochs of 5 steps, from step 0
    network = namespace["network"]
    assert network.t == 20 and len(network.train_loss_list) == 20
    assert namespace["v"] is network.optimizer_state["adam_v"] and np.any(
        namespace["v"]["W1"] != 0
    )
    with pytest.raises(NameError, match="x_train"):
        mm.train_network(network, mm.update_parameters, 2, 50, 10, 0.1)


@pytest.mark.slow
def test_readme_course_examples_print_the_courses_numbers(capsys, tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)  # the cs231n 2025 example saves into the working directory
    if not Path("/usr/share/datasets/fashion-mnist").is_dir():
        pytest.skip("needs the Debian package dataset-fashion-mnist")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("One example per row")[1].split("```python\n")[1].split("```")[0]
    exec(block.replace("600, x_train", "10, x_train"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[:3] == ["2.3004790897684924", "2.302371489704412", "2.3042759220785896"]
    assert abs(float(printed[3]) - 1.30378789133) < 1e-12 and printed[4] == "1.071696123862817"
    assert printed[-5:] == [
        "0.2972",
        "best_two_layer_net.npy saved.",
        "best_two_layer_net.npy loaded.",
        "True",
        "0.136007 0.318245",
    ]


def test_course_solver_checkpoint_keeps_the_global_generator(tmp_path):
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet
    from fcnet.courses.cs231n.solver import Solver

    rng = np.random.default_rng(5)
    data = {
        "X_train": rng.standard_normal((40, 6)),
        "y_train": rng.integers(0, 3, 40),
        "X_val": rng.standard_normal((10, 6)),
        "y_val": rng.integers(0, 3, 10),
    }
    np.random.seed(231)
    model = FullyConnectedNet([8], input_dim=6, num_classes=3)
    solver = Solver(
        model,
        data,
        num_epochs=2,
        batch_size=10,
        verbose=False,
        checkpoint_name=str(tmp_path / "cs231n"),
    )
    solver.train()
    after_training = np.random.get_state()
    checkpoints = sorted(tmp_path.glob("cs231n*"))
    assert checkpoints
    np.random.seed(1)  # anything else
    Solver(
        FullyConnectedNet([8], input_dim=6, num_classes=3),
        data,
        num_epochs=2,
        batch_size=10,
        verbose=False,
        resume=checkpoints[-1],
    )
    restored = np.random.get_state()
    assert np.array_equal(restored[1], after_training[1]) and restored[2] == after_training[2]
