"""The course packages' bad inputs from the trial of 2026-12-01 (N14, N15, N16, N22, N53-N65, N104, N105): each a
clear error naming the argument, as the native API gives them."""

import numpy as np
import pytest

from fcnet.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)

X = np.random.default_rng(0).standard_normal((5, 4))
Y = np.array([0, 1, 2, 2, 1])


def test_numerical_gradients_refuse_integer_arrays():
    """N15: [50000, 150000, 250000] for the gradient [2, 4, 6]."""
    with pytest.raises(TypeError, match="dtype int64.*astype"):
        eval_numerical_gradient(lambda x: float((x**2).sum()), np.array([1, 2, 3]), verbose=False)
    with pytest.raises(TypeError, match="dtype"):
        eval_numerical_gradient_array(lambda x: x * 2, np.array([1, 2, 3]), np.ones(3))
    with pytest.raises(TypeError, match="dtype"):
        grad_check_sparse(lambda x: float(x.sum()), np.array([1, 2]), np.ones(2), num_checks=1)
    np.testing.assert_allclose(
        eval_numerical_gradient(
            lambda x: float((x**2).sum()), np.array([1.0, 2, 3]), verbose=False
        ),
        [2, 4, 6],
        rtol=1e-6,
    )


def test_rel_error_refuses_arrays_of_different_shapes():
    """N16: 0.5 for identical values broadcast to 3x3."""
    a = np.arange(1.0, 4.0)
    with pytest.raises(ValueError, match=r"\(3,\) and \(3, 1\)"):
        rel_error(a, a.reshape(3, 1))
    assert rel_error(a, a.copy()) == 0


@pytest.mark.parametrize(
    "module", ["fcnet.courses.cs231n.classifiers.neural_net", "fcnet.courses.ece.nndl.neural_net"]
)
def test_assignment_one_network_checks_its_arguments(module):
    import importlib

    TwoLayerNet = importlib.import_module(module).TwoLayerNet
    net = TwoLayerNet(4, 10, 3)
    with pytest.raises(
        ValueError, match="reg must be a finite number in \\[0, inf\\), got -1.0"
    ):  # N22
        net.loss(X, Y, reg=-1.0)
    with pytest.raises(TypeError, match="reg must be a real number, got '0.05'"):  # N54
        net.loss(X, Y, reg="0.05")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):  # N56
        net.train(X, Y, X, Y, batch_size=0)
    with pytest.raises(ValueError, match="X_val, y_val must hold one label per sample"):  # N57
        net.train(X, Y, X, Y[:3], num_iters=3)
    del net.params["b2"]
    with pytest.raises(KeyError, match="params lacks \\['b2'\\]"):  # N55
        net.loss(X, Y)


def test_ece_network_names_its_weight_layout():
    """N104: a cs231n-layout W1 (D, H) given to ECE's (H, D) network."""
    from fcnet.courses.ece.nndl.neural_net import TwoLayerNet

    net = TwoLayerNet(4, 10, 3)
    net.params["W1"] = np.random.randn(4, 10)
    with pytest.raises(
        ValueError, match=r"params\['W1'\] has shape \(4, 10\), expected \(10, 4\).*\(H, D\)"
    ):
        net.loss(X, Y)


def test_course_network_refuses_integer_parameters():
    """N53: an int64 W1 failed at the first update with a UFuncTypeError."""
    from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet

    model = FullyConnectedNet([10], input_dim=20)
    with pytest.raises(TypeError, match=r"params\['W1'\] must be a float array"):
        model.params["W1"] = np.zeros((20, 10), dtype=int)


def test_course_update_rules_name_mis_shaped_state_and_a_bad_step_count():
    """N58-N60: numpy's broadcast message, or str + int."""
    from fcnet.courses.cs231n.optim import adam, sgd_momentum
    from fcnet.courses.ece.nndl import optim as ece

    with pytest.raises(
        ValueError, match=r"config\['v'\] has shape \(4,\), but w has shape \(3,\)"
    ):
        ece.adam(np.zeros(3), np.ones(3), {"learning_rate": 1e-3, "v": np.zeros(4)})
    with pytest.raises(ValueError, match=r"config\['velocity'\] has shape \(4,\)"):
        sgd_momentum(np.zeros(3), np.ones(3), {"learning_rate": 1e-2, "velocity": np.zeros(4)})
    with pytest.raises(
        ValueError, match=r"config\['t'\] \(the step count\) must be an integer >= 0, got '1'"
    ):
        adam(np.zeros(3), np.ones(3), {"learning_rate": 1e-2, "t": "1"})


def test_ece_solver_names_the_misspelt_setting_before_the_schedule():
    """N105: the message blamed a missing learning_rate for a custom rule."""
    from fcnet.courses.ece.nndl.fc_net import FullyConnectedNet
    from fcnet.courses.ece.utils.solver import Solver

    data = {"X_train": X, "y_train": Y, "X_val": X, "y_val": Y}
    with pytest.raises(
        ValueError, match=r"unknown hyperparameter \['lr'\] for update rule 'rmsprop'"
    ):
        Solver(
            FullyConnectedNet([5], input_dim=4, num_classes=3),
            data,
            update_rule="rmsprop",
            optim_config={"lr": 1e-2},
            lr_decay=0.5,
        )


def test_mnist_mlp_helpers_name_their_arguments():
    from fcnet.courses import mnist_mlp as mm

    network = mm.TwoLayerNet(input_size=12, hidden_size=7, output_size=3)
    x, y = np.random.default_rng(1).random((100, 12)), np.eye(3)[np.arange(100) % 3]
    grads = network.gradient(x[:5], y[:5])
    del grads["b3"]
    with pytest.raises(KeyError, match="grads lacks \\['b3'\\]"):  # N61
        mm.update_parameters_with_adam(network, grads)
    with pytest.raises(ValueError, match="y holds 3 labels for 2 rows"):  # N62
        mm.cross_entropy_error(np.full((2, 10), 0.1), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="train_size 1000 must be at most the 100 samples"):  # N63
        mm.train_network(network, mm.update_parameters_with_adam, 3, 1000, 10, 1e-3, x, y, x, y)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):  # N64
        mm.train_network(network, mm.update_parameters_with_adam, 3, 100, 0, 1e-3, x, y, x, y)


def test_visualize_grid_names_the_shape_it_needs():
    """N65: not enough values to unpack."""
    from fcnet.courses.cs231n.vis_utils import visualize_grid

    with pytest.raises(ValueError, match=r"\(N, H, W, C\).*\(4, 8, 8\)"):
        visualize_grid(np.random.rand(4, 8, 8))
