"""The book's ``common/gradient.py``: ``numerical_gradient(f, x)``, centred differences with h = 1e-4 (fcnet's
:func:`fcnet.gradient_check.eval_numerical_gradient`): x is perturbed in place, one element at a time, and
restored exactly; f(x) is the loss (the book's f usually ignores its argument and reads the network)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from fcnet.gradient_check import eval_numerical_gradient

__all__ = ["numerical_gradient"]

H = 1e-4


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The gradient of the scalar f at x (any shape), shaped like x (float64)."""
    return eval_numerical_gradient(f, x, verbose=False, h=H)
