"""Which kernels the hot path runs: fcnet's NumPy operations (the readable reference: fcnet.optim's update rules,
fcnet.layers' ReLU and leaky ReLU, fcnet.loss_kernels' softmax loss), or the same operations fused into one
compiled loop (fcnet._fused_numba, with numba: ``pip install 'fcnet[fast]'``). One switch, the environment variable
FCNET_KERNELS: ``auto`` (the default: numba when it is installed), ``numpy`` (always the reference) or ``numba``
(an error when numba is missing).

The update rules' loops, ReLU's forward and backward, leaky ReLU's forward and fcnet.plain_stack's bias-and-ReLU
loops give the NumPy operations' numbers to the last bit (tests run every rule and the activations both ways; the
loops raise no RuntimeWarning where NumPy's product warns of inf * 0). The softmax loss's loop, taken for float32
scores only, agrees with NumPy's to float32 rounding (numba's exp and log are not NumPy's, 1 ulp apart in places);
float64 scores (the courses' printed numbers, gradient checks) always take NumPy's; plain_stack's last-layer loop
(bias, softmax loss, bias gradient) gives that loop's numbers and NumPy's bias and sum to the bit. numba is loaded
by the first float32 softmax loss or the first update of a parameter of FUSE_MIN elements or more; a float64
network of small parameters never loads it. Once loaded, small parameters' updates and the activations use it too
(those loops being bit-identical, that history changes no number). The first use compiles the loops once per
machine (cached in __pycache__). fcnet.plain_stack's float32 step runs as one compiled call (whole_step) when
NumPy's own sgemm can be called from the loops (fcnet._blas_numba).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

import numpy as np

CHOICES = ("auto", "numpy", "numba")
# A network whose parameters are all smaller than this stays on the NumPy path: it never pays the second numba
# takes to import (scikit-learn's digits). Once a large parameter has loaded numba, small ones use it too.
FUSE_MIN = 16_384


def mode() -> str:
    """FCNET_KERNELS, checked."""
    value = os.environ.get("FCNET_KERNELS", "auto")
    if value not in CHOICES:
        raise ValueError(f"FCNET_KERNELS must be one of {list(CHOICES)}, got {value!r}")
    return value


@lru_cache(maxsize=None)
def _load(choice: str) -> Any:
    if choice == "numpy":
        return None
    try:
        import numba  # noqa: F401
    except ImportError:
        if choice == "numba":
            raise ImportError(
                "FCNET_KERNELS=numba needs numba: pip install 'fcnet[fast]'"
            ) from None
        return None
    from fcnet import _fused_numba

    return _fused_numba


def kernels() -> Any:
    """The module of fused loops, or None for the NumPy path."""
    return _load(mode())


def loaded() -> bool:
    """Whether the fused loops have been loaded (numba imported) in this process: then even small arrays use them,
    as far as FCNET_KERNELS lets kernels() return them."""
    return "fcnet._fused_numba" in sys.modules


def loaded_kernels(*arrays: np.ndarray) -> Any:
    """The fused loops, once numba is loaded and chosen, for these arrays when they are fusable (none given: for
    any); else None. An activation or the Optimizer's direct calls never load numba themselves: their loops give
    NumPy's numbers to the bit, so which path ran changes none."""
    if not loaded():
        return None
    kernels_ = kernels()
    return kernels_ if kernels_ is not None and (not arrays or fusable(*arrays)) else None


def whole_step(kernels: Any) -> Any:
    """fcnet.plain_stack's float32 step as one compiled call (`kernels.relu_stack_step`), or None: when `kernels`
    (what kernels() returned) is None, or when NumPy's own sgemm was not found or does not give NumPy's products
    to the bit (fcnet._blas_numba, checked once a process)."""
    return kernels.relu_stack_step if kernels is not None and _sgemm_agrees() else None


@lru_cache(maxsize=None)
def _sgemm_agrees() -> bool:
    from fcnet import _blas_numba

    return _blas_numba.agrees_with_numpy()


def fusable(*arrays: np.ndarray) -> bool:
    """Whether the fused loops can take these arrays: one float dtype, C-contiguous, writable, one shape."""
    first = arrays[0]
    if not isinstance(first, np.ndarray):
        return False
    dtype, shape = first.dtype, first.shape
    # float32 or float64 (the char: cheaper than comparing dtypes, once a parameter per step)
    if dtype.char not in "fd":
        return False
    for a in arrays:
        if not (
            isinstance(a, np.ndarray)
            and (a.dtype is dtype or a.dtype == dtype)
            and a.shape == shape
        ):
            return False
        flags = a.flags
        if not (flags.c_contiguous and flags.writeable):
            return False
    return True
