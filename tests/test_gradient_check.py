import numpy as np
import pytest

from fcnet.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


def test_numerical_gradient_of_known_function(rng):
    x = rng.standard_normal((3, 4))
    grad = eval_numerical_gradient(lambda v: np.sum(v**3), x, verbose=False)
    assert rel_error(grad, 3 * x**2) < 1e-8


def test_numerical_gradient_array_of_known_function(rng):
    x, df = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 2))
    grad = eval_numerical_gradient_array(lambda v: np.sin(v), x, df)
    assert rel_error(grad, np.cos(x) * df) < 1e-8


def test_x_is_restored_exactly(rng):
    x = rng.standard_normal((4, 5)) * 1e3 + 1e-7
    before = x.copy()
    eval_numerical_gradient(lambda v: float(np.sum(np.tanh(v))), x, verbose=False)
    eval_numerical_gradient_array(lambda v: v * 2, x, np.ones_like(x))
    grad_check_sparse(lambda v: float(np.sum(v**2)), x, 2 * x, num_checks=5, seed=0)
    assert np.array_equal(x, before)


def test_x_is_restored_when_f_raises(rng):
    x = rng.standard_normal(3)
    before = x.copy()

    def f(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        eval_numerical_gradient(f, x, verbose=False)
    assert np.array_equal(x, before)


def test_grad_check_sparse_reports_small_errors_for_right_gradient(rng, capsys):
    x = rng.standard_normal((10, 10))
    errors = grad_check_sparse(lambda v: float(np.sum(v**2)), x, 2 * x, num_checks=7, seed=3)
    assert len(errors) == 7 and max(errors) < 1e-8
    assert capsys.readouterr().out.count("relative error") == 7


def test_grad_check_sparse_catches_a_wrong_gradient(rng):
    x = rng.standard_normal((10, 10))
    errors = grad_check_sparse(lambda v: float(np.sum(v**2)), x, 3 * x, num_checks=5, seed=3)
    assert min(errors) > 0.1


def test_rel_error():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
