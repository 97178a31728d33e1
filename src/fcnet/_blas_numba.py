"""NumPy's own single-precision matrix product, callable from numba-compiled code: the cblas_sgemm of the OpenBLAS
that NumPy's wheels bundle (``scipy_cblas_sgemm64_`` in numpy.libs), called with the arguments NumPy's matmul
passes it for C-contiguous float32 matrices, so that a product computed here is NumPy's ``a @ b`` to the bit (one
library, one call; checked on load by :func:`agrees_with_numpy`, tested on the network shapes).

Why: fcnet._fused_numba.relu_stack_step runs a whole training step in one compiled call; Python's work between
two BLAS calls costs several times what it costs in a row (the caches hold the product's data). Only float32
matrices with every dimension of the product larger than one (NumPy sends a single row or column to gemv).

The symbol is registered with LLVM under its own name, so the compiled functions that call it are cached on disk
like fcnet's other loops (``cache=True``): the address is looked up again in every process. numba keys a cached
function on its own file only: a change here reaches relu_stack_step's cache when _fused_numba.py changes too (or
its cache in __pycache__ is deleted). :data:`SGEMM_LIBRARY` is None when NumPy was not built with that OpenBLAS (a
conda or distribution NumPy): the caller then keeps running the products through NumPy.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from pathlib import Path

import llvmlite.binding as llvm
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from threadpoolctl import threadpool_info

SYMBOL = "scipy_cblas_sgemm64_"  # NumPy 2's wheels: scipy-openblas64, 64-bit integers (ILP64)
THREADS_SYMBOL = "scipy_openblas_get_num_threads64_"
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112  # the CBLAS enums


def _numpy_openblas() -> str | None:
    """The path of the OpenBLAS inside NumPy's own installation that exports SYMBOL, or None."""
    numpy_home = Path(np.__file__).resolve().parent
    homes = (numpy_home, numpy_home.parent / "numpy.libs")
    for library in threadpool_info():
        path = Path(library.get("filepath") or "")
        if library.get("internal_api") == "openblas" and any(h in path.parents for h in homes):
            try:
                if hasattr(ctypes.CDLL(str(path)), SYMBOL):
                    return str(path)
            except OSError:  # a library that cannot be opened again: the products stay NumPy's
                continue
    return None


SGEMM_LIBRARY = _numpy_openblas()
_get_threads = None
if SGEMM_LIBRARY is not None:
    _library = ctypes.CDLL(SGEMM_LIBRARY)
    _address = ctypes.cast(getattr(_library, SYMBOL), ctypes.c_void_p).value
    llvm.add_symbol(SYMBOL, _address)
    _get_threads = getattr(_library, THREADS_SYMBOL, None)


def blas_threads() -> int:
    """The threads that library runs a product on now (threadpoolctl's limit included); 0 when unknown."""
    return int(_get_threads()) if _get_threads is not None else 0


_i32, _i64, _f32, _ptr = types.int32, types.int64, types.float32, types.voidptr
# cblas_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
_sgemm = types.ExternalFunction(
    SYMBOL,
    types.void(_i32, _i32, _i32, _i64, _i64, _i64, _f32, _ptr, _i64, _ptr, _i64, _f32, _ptr, _i64),
)


@intrinsic
def _data(typingctx, array):
    """The address of an array's first element, as the void pointer cblas takes."""

    def codegen(context, builder, signature, args):
        data = context.make_array(array)(context, builder, args[0]).data
        return builder.bitcast(data, cgutils.voidptr_t)

    return types.voidptr(array), codegen


@njit(inline="always")
def _product(trans_a, trans_b, rows, columns, inner, a, lda, b, ldb, out):
    """out (rows, columns) = op(a) @ op(b), alpha 1 and beta 0, row-major: NumPy's matmul call."""
    one, zero = np.float32(1), np.float32(0)
    args = (rows, columns, inner, one, _data(a), lda, _data(b), ldb, zero, _data(out), columns)
    _sgemm(_ROW_MAJOR, trans_a, trans_b, *args)


@njit(inline="always")
def matmul(a, b, out):
    """out (m, p) = a (m, n) @ b (n, p); all three C-contiguous float32."""
    m, n = a.shape
    p = b.shape[1]
    _product(_NO_TRANS, _NO_TRANS, m, p, n, a, n, b, p, out)


@njit(inline="always")
def matmul_at(a, b, out):
    """out (n, p) = a.T @ b for a (m, n) and b (m, p); all three C-contiguous float32 (NumPy's call for the
    transposed view a.T: a transposed, leading dimension n)."""
    m, n = a.shape
    p = b.shape[1]
    _product(_TRANS, _NO_TRANS, n, p, m, a, n, b, p, out)


@njit(inline="always")
def matmul_bt(a, b, out):
    """out (m, q) = a @ b.T for a (m, n) and b (q, n); all three C-contiguous float32."""
    m, n = a.shape
    q = b.shape[0]
    _product(_NO_TRANS, _TRANS, m, q, n, a, n, b, n, out)


@njit(inline="always")
def matmul_at_rows(a, b, first, stop, out):
    """out (stop - first, p) = a[:, first:stop].T @ b for a (m, n) and b (m, p), all three C-contiguous float32
    (out may be rows of a larger array): rows first..stop of matmul_at's product, by the same call on those
    columns of a (NumPy's call for a transposed a, leading dimensions n and p). The inner dimension m is not
    split, so where OpenBLAS runs its regular kernels on the block as on the whole product
    (fcnet.compiled_steps.gradient_blocks keeps the blocks above its small-matrix sizes), the rows are the whole
    product's to the bit (tests/test_gradient_blocks.py)."""
    m, n = a.shape
    p = b.shape[1]
    _product(_TRANS, _NO_TRANS, stop - first, p, m, a[:, first:stop], n, b, p, out)


@njit(cache=True)
def _products(a, b, c, ab, atc, cbt):
    matmul(a, b, ab)
    matmul_at(a, c, atc)
    matmul_bt(c, b, cbt)


def agrees_with_numpy() -> bool:
    """Whether the three products give NumPy's to the bit on a probe (the library found, called as NumPy calls
    it); False when no library was found."""
    if SGEMM_LIBRARY is None:
        return False
    rng = np.random.default_rng(0)
    a, b, c = (
        rng.standard_normal(shape).astype(np.float32) for shape in ((37, 53), (53, 29), (37, 29))
    )
    ab, atc, cbt = (
        np.empty((37, 29), np.float32),
        np.empty((53, 29), np.float32),
        np.empty((37, 53), np.float32),
    )
    _products(a, b, c, ab, atc, cbt)
    return (
        np.array_equal(ab, a @ b) and np.array_equal(atc, a.T @ c) and np.array_equal(cbt, c @ b.T)
    )


@njit(cache=True)
def _in_row_blocks(a, b, rows, buffer, out):
    """out = a.T @ b computed `rows` rows at a time through buffer, as fcnet._steps_numba computes a gradient."""
    d, p = a.shape[1], b.shape[1]
    for top in range(0, d, rows):
        bottom = min(d, top + rows)
        block = buffer[: (bottom - top) * p].reshape((bottom - top, p))
        matmul_at_rows(a, b, top, bottom, block)
        out[top:bottom] = block


@lru_cache(maxsize=256)
def row_blocks_agree(n: int, d: int, p: int, rows: int) -> bool:
    """Whether a.T @ b for a (n, d) and b (n, p), computed in blocks of `rows` rows (matmul_at_rows) at one BLAS
    thread, where fcnet.compiled_steps takes blocks, equals NumPy's whole product to the bit on a probe: OpenBLAS
    picks its kernels by CPU and size, so this is asked once a process for each shape before a run takes them."""
    if SGEMM_LIBRARY is None:
        return False
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, d)).astype(np.float32)
    b = rng.standard_normal((n, p)).astype(np.float32)
    out = np.empty((d, p), np.float32)
    with threadpool_limits(1):
        _in_row_blocks(a, b, rows, np.empty(rows * p, np.float32), out)
        whole = a.T @ b
    return out.tobytes() == whole.tobytes()
