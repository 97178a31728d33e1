"""The common network's training step as one compiled call (fcnet._fused_numba.relu_stack_step, its products
through NumPy's own sgemm, fcnet._blas_numba) against the same step one call after another
(fcnet.plain_stack._call_by_call): the same numbers to the bit, at 1 and 2 BLAS threads; and the steps it does not
take (issue: an epoch close to what its matrix products cost)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from fcnet import FullyConnectedNet, fused, plain_stack
from fcnet._checks import inputs_checked, labels_of
from fcnet.solver import Solver

pytest.importorskip("numba")


@pytest.fixture
def step(monkeypatch):
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    loaded = fused.whole_step(fused.kernels())
    assert loaded is not None, "NumPy's sgemm not found: a NumPy wheel from PyPI bundles it"
    return loaded


def bits(a):
    a = np.asarray(a)
    return a.dtype, a.shape, a.view(f"u{a.itemsize}").tobytes()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "shape", [(2, 2, 2), (100, 784, 300), (37, 1000, 3), (5, 2, 9), (300, 300, 10)]
)
def test_the_three_products_are_numpys_to_the_bit(step, threads, shape):
    from fcnet._blas_numba import _products

    m, n, p = shape
    rng = np.random.default_rng(m * n * p)
    # mixed magnitudes: a product summed in another order shows in the last bits
    a, b, c = (
        (rng.standard_normal(s) * rng.choice([1e-3, 1.0, 1e3], s)).astype(np.float32)
        for s in ((m, n), (n, p), (m, p))
    )
    ab, atc, cbt = (
        np.empty((m, p), np.float32),
        np.empty((n, p), np.float32),
        np.empty((m, n), np.float32),
    )
    with threadpool_limits(threads):
        _products(a, b, c, ab, atc, cbt)
        assert bits(ab) == bits(a @ b)
        assert bits(atc) == bits(a.T @ c)
        assert bits(cbt) == bits(c @ b.T)


def network(hidden, input_dim, classes, seed=0):
    model = FullyConnectedNet(
        hidden,
        input_dim=input_dim,
        num_classes=classes,
        dtype=np.float32,
        seed=seed,
        weight_scale=0.5,
    )
    return [
        (affine.W, affine.b)
        for affine in plain_stack.plain_layers(model.layers, model.loss_layer)[0::2]
    ]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "hidden, input_dim, classes, rows",
    [
        ([300, 300], 784, 10, 100),
        ([7, 5, 6], 12, 4, 40),
        ([2], 3, 2, 2),
        ([2, 2, 2], 9, 3, 33),
        ([40], 6, 17, 5),
        ([64, 200, 32], 50, 10, 600),  # layers of different widths sharing the backward work rows
    ],
)
@pytest.mark.parametrize("labels", ["int64", "int32", "uint8", "one-hot"])
def test_the_one_call_step_is_the_call_by_call_step_to_the_bit(
    step, threads, hidden, input_dim, classes, rows, labels
):
    rng = np.random.default_rng(rows + input_dim)
    X = rng.standard_normal((rows, input_dim)) * rng.choice([1e-3, 1.0, 1e3], (rows, input_dim))
    X = X.astype(np.float32)
    X[0, 0] = 0.0
    classes_of_rows = rng.integers(0, classes, rows)
    y = np.eye(classes)[classes_of_rows] if labels == "one-hot" else classes_of_rows.astype(labels)
    weights = network(hidden, input_dim, classes)
    assert plain_stack._one_call_takes(X, weights)
    with threadpool_limits(threads):
        one = plain_stack._in_one_call(step, X, weights, labels_of(y))
        by_call = plain_stack._call_by_call(fused.kernels(), X, weights, y)
    loss, inputs, pre_activations, dscores, weight_grads, bias_grads = one
    assert loss == by_call[0] and isinstance(loss, float)
    for ours, theirs in zip(one[1:], by_call[1:]):
        ours, theirs = (ours, theirs) if isinstance(ours, list) else ([ours], [theirs])
        assert [bits(a) for a in ours] == [bits(a) for a in theirs]
    assert inputs[0] is X and len(weight_grads) == len(bias_grads) == len(hidden) + 1


def test_a_training_run_takes_the_one_call_step_and_is_the_modules_run(step, monkeypatch):
    """Two epochs of Adam through the Solver: every step after the first in one call; the same losses and
    weights, bit for bit, as the run through the modules (step by step: compiled runs of steps are
    tests/test_compiled_steps.py's)."""
    monkeypatch.setattr("fcnet.compiled_steps.plan", lambda solver: None)
    calls = []
    original = plain_stack._in_one_call
    monkeypatch.setattr(plain_stack, "_in_one_call", lambda *a: calls.append(1) or original(*a))
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 40)).astype(np.float32)
    y = (X[:, :5].argmax(axis=1) + (X[:, 5] > 1)) % 6
    data = {"X_train": X, "y_train": y, "X_val": X[:50], "y_val": y[:50]}
    runs = []
    for through_modules in (True, False):
        model = FullyConnectedNet([32, 16], input_dim=40, num_classes=6, dtype=np.float32, seed=3)
        solver = Solver(
            model, data, update_rule="adam", num_epochs=2, batch_size=25, verbose=False, seed=5
        )
        with monkeypatch.context() as m:
            if through_modules:
                m.setattr(plain_stack, "loss_and_grads", lambda *a: None)
            solver.train()
        runs.append((solver.loss_history, {k: bits(v) for k, v in model.params.items()}))
    assert len(calls) == 23  # 24 steps, the first checked through the modules
    assert [bits(np.float32(v)) for v in runs[0][0]] == [bits(np.float32(v)) for v in runs[1][0]]
    assert runs[0][1] == runs[1][1]


def test_the_steps_it_does_not_take(step):
    """A single row, a unit or a class alone, no hidden layer, float64, a weight not C-contiguous or read-only, a
    weight of the wrong shape: the step runs one call after another (NumPy then raises the shape error)."""
    X = np.ones((4, 3), np.float32)
    weights = network([5, 4], 3, 2)
    assert plain_stack._one_call_takes(X, weights)
    assert not plain_stack._one_call_takes(X[:1], weights)
    assert not plain_stack._one_call_takes(X, network([5, 1], 3, 2))
    assert not plain_stack._one_call_takes(X, network([], 3, 2))
    assert not plain_stack._one_call_takes(X.astype(np.float64), weights)
    (w1, b1), second, third = weights
    assert not plain_stack._one_call_takes(X, [(np.asfortranarray(w1), b1), second, third])
    read_only = w1.copy()
    read_only.flags.writeable = False
    assert not plain_stack._one_call_takes(X, [(read_only, b1), second, third])
    wrong = [(w1, b1), (np.ones((6, 4), np.float32), second[1]), third]
    assert not plain_stack._one_call_takes(X, wrong)

    # reached behind the parameters' view (which refuses a new shape): NumPy's error, not a read out of bounds
    model = FullyConnectedNet([5, 4], input_dim=3, num_classes=2, dtype=np.float32, seed=0)
    affine2 = model.layers.layers["affine2"]
    affine2.params[affine2.names["W"]] = np.ones((6, 4), np.float32)
    with inputs_checked(), pytest.raises(ValueError, match="matmul"):
        model.loss(X, np.array([0, 1, 0, 1]))


def test_without_numpys_sgemm_the_step_runs_call_by_call(step, monkeypatch):
    """A NumPy built on another BLAS (no sgemm of its own found): no one-call step, the same numbers."""
    from fcnet import _blas_numba

    model = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, dtype=np.float32, seed=1)
    X = np.random.default_rng(2).standard_normal((8, 4)).astype(np.float32)
    y = np.arange(8) % 3
    with inputs_checked():
        loss, grads = model.loss(X, y)
        expected = (loss, {k: bits(g) for k, g in grads.items()})
    monkeypatch.setattr(_blas_numba, "SGEMM_LIBRARY", None)
    fused._sgemm_agrees.cache_clear()
    try:
        assert not _blas_numba.agrees_with_numpy()
        assert fused.whole_step(fused.kernels()) is None
        with inputs_checked():
            loss, grads = model.loss(X, y)
        assert (loss, {k: bits(g) for k, g in grads.items()}) == expected
    finally:
        fused._sgemm_agrees.cache_clear()
