"""Every number that the courses' checks print, reproduced on the courses' own inputs."""

import numpy as np
import pytest

from fcnet import layers as L
from fcnet.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from fcnet.layer_utils import affine_relu_backward, affine_relu_forward


def test_affine_forward_correct_out():
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * np.prod(input_shape)
    weight_size = output_dim * np.prod(input_shape)
    x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = L.affine_forward(x, w, b)
    correct_out = np.array(
        [[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]]
    )
    # ECE C147 (2022) prints 9.769849468192957e-10; cs231n 2017's write-up 9.76984772881e-10 (Python 2 and an older
    # NumPy, whose linspace rounded differently in the last bits)
    assert rel_error(out, correct_out) == pytest.approx(9.769849468192957e-10, rel=1e-12)


def test_affine_backward_seed_check():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((10, 5))
    _, cache = L.affine_forward(x, w, b)
    dx, dw, db = L.affine_backward(dout, cache)
    assert (
        rel_error(
            dx, eval_numerical_gradient_array(lambda v: L.affine_forward(v, w, b)[0], x, dout)
        )
        < 1e-8
    )
    assert (
        rel_error(
            dw, eval_numerical_gradient_array(lambda v: L.affine_forward(x, v, b)[0], w, dout)
        )
        < 1e-8
    )
    assert (
        rel_error(
            db, eval_numerical_gradient_array(lambda v: L.affine_forward(x, w, v)[0], b, dout)
        )
        < 1e-8
    )


def test_relu_forward_correct_out():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, _ = L.relu_forward(x)
    correct_out = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.04545455, 0.13636364],
            [0.22727273, 0.31818182, 0.40909091, 0.5],
        ]
    )
    assert rel_error(out, correct_out) == pytest.approx(
        4.999999798022158e-08, rel=1e-12
    )  # ECE C147 and cs231n 2017


def test_affine_relu_seed_check():
    rng = np.random.default_rng(1)
    x, w, b = (
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((12, 10)),
        rng.standard_normal(10),
    )
    dout = rng.standard_normal((2, 10))
    _, cache = affine_relu_forward(x, w, b)
    dx, dw, db = affine_relu_backward(dout, cache)
    f = affine_relu_forward
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: f(v, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: f(x, v, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda v: f(x, w, v)[0], b, dout)) < 1e-8


@pytest.mark.parametrize("seed", range(5))
def test_svm_and_softmax_loss_on_small_random_scores(seed):
    rng = np.random.default_rng(seed)
    num_classes, num_inputs = 10, 50
    x = 0.001 * rng.standard_normal((num_inputs, num_classes))
    y = rng.integers(num_classes, size=num_inputs)
    loss, dx = L.svm_loss(x, y)
    assert loss == pytest.approx(9.0, abs=0.01)  # the courses print 9.00034570116
    assert (
        rel_error(eval_numerical_gradient(lambda v: L.svm_loss(v, y)[0], x, verbose=False), dx)
        < 1e-8
    )
    loss, dx = L.softmax_loss(x, y)
    assert loss == pytest.approx(
        np.log(10), abs=0.001
    )  # the courses print 2.30262010084 and 2.302442595204509
    assert (
        rel_error(eval_numerical_gradient(lambda v: L.softmax_loss(v, y)[0], x, verbose=False), dx)
        < 1e-7
    )


def test_leaky_relu_mnist_mlp_homework_check():
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    out, cache = L.leaky_relu_forward(x, alpha=0.1)
    np.testing.assert_allclose(out, [[1.0, -0.05], [-0.2, 3.0]])
    np.testing.assert_allclose(L.leaky_relu_backward(x, cache), [[1.0, -0.05], [-0.2, 3.0]])


def test_affine_mnist_mlp_homework_check():
    out, cache = L.affine_forward(np.ones([1, 2]), np.ones([2, 3]), np.ones(3))
    assert np.sum(out) == 9.0
    dx, _, _ = L.affine_backward(np.ones([1, 3]), cache)
    np.testing.assert_array_equal(dx, [[3.0, 3.0]])
