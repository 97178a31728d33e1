"""Numerical gradients by centred differences, to check analytic backward passes (use float64)."""

from __future__ import annotations

from typing import Callable

import numpy as np


def rel_error(x: np.ndarray, y: np.ndarray) -> float:
    """Largest elementwise relative error ``|x - y| / max(1e-8, |x| + |y|)`` of two arrays of one shape (a shape
    mismatch is an error: broadcasting would compare every element with every other)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error compares arrays of one shape, got {x.shape} and {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _check_perturbable(x: np.ndarray, h: float) -> None:
    """x is perturbed in place by h: it must be a float array (an integer one would truncate x + h to x)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a NumPy float array (it is perturbed in place), got {type(x).__name__}"
        )
    if x.dtype.kind != "f":
        raise TypeError(
            f"x has dtype {x.dtype}: the numerical gradient moves x by h = {h:g} in place, which an "
            "array of that dtype cannot hold; pass x.astype(np.float64)"
        )


def _perturbed(f: Callable, x: np.ndarray, index: tuple, h: float):
    """f at x[index] + h and at x[index] - h; x[index] is restored to its exact old value."""
    old = x[index]
    try:
        x[index] = old + h
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[index] = old - h
        minus = np.array(f(x), dtype=np.float64, copy=True)
    finally:
        x[index] = old
    return plus, minus


def eval_numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, verbose: bool = True, h: float = 1e-5
) -> np.ndarray:
    """Numerical gradient of a scalar function f at x (any shape); returns an array shaped like x.

    x is perturbed in place, one element at a time, and restored exactly after each perturbation.
    """
    _check_perturbable(x, h)
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        plus, minus = _perturbed(f, x, index, h)
        grad[index] = (plus - minus) / (2 * h)
        if verbose:
            print(index, grad[index])
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Numerical gradient of ``sum(f(x) * df)`` at x, for an array-valued f; returns an array shaped like x."""
    _check_perturbable(x, h)
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        plus, minus = _perturbed(f, x, index, h)
        grad[index] = np.sum((plus - minus) * df) / (2 * h)
    return grad


def grad_check_sparse(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic_grad: np.ndarray,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int | None = None,
) -> list[float]:
    """Compare the analytic gradient with the numerical one at `num_checks` random elements of x.

    Prints one line per element, as cs231n does, and returns the relative errors.
    """
    _check_perturbable(x, h)
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        index = tuple(int(rng.integers(n)) for n in x.shape)
        plus, minus = _perturbed(f, x, index, h)
        numerical = float((plus - minus) / (2 * h))
        analytic = float(analytic_grad[index])
        error = abs(numerical - analytic) / max(1e-12, abs(numerical) + abs(analytic))
        errors.append(error)
        print(f"numerical: {numerical:f} analytic: {analytic:f}, relative error: {error:e}")
    return errors
