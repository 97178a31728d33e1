"""The compiled runs' weight gradients in blocks of rows (fcnet.compiled_steps.gradient_blocks,
fcnet._steps_numba): the blocks chosen, each block's product equal to the rows of NumPy's whole product to the bit
on the shapes of the networks and batches fcnet trains, and whole blocked trainings equal to step-by-step ones for
every update rule (issue: an epoch close to what its matrix products cost)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from fcnet import compiled_steps, fused
from fcnet.compiled_steps import BLOCK_ELEMENTS, SMALL_PRODUCT, gradient_blocks
from test_compiled_steps import (
    RULE_SETTINGS,
    assert_same_training,
    make_data,
    make_solver,
    module_state,
    train_both,
)

numba = pytest.importorskip("numba")
from fcnet._blas_numba import _in_row_blocks, row_blocks_agree  # noqa: E402


@pytest.fixture(autouse=True)
def numba_kernels(monkeypatch):
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    if fused.whole_step(fused.kernels()) is None:
        pytest.fail("NumPy's sgemm not found: a NumPy wheel from PyPI bundles it")


@pytest.fixture
def one_thread():
    """Blocks are taken at one BLAS thread only."""
    with threadpool_limits(1):
        yield


def blocks_of(d, rows):
    return [(top, min(d, top + rows)) for top in range(0, d, rows)]


def test_the_blocks_chosen(monkeypatch):
    monkeypatch.setattr(compiled_steps, "_blocks_agree", lambda *shape: True)
    weights = [np.empty(shape, np.float32) for shape in ((784, 300), (300, 300), (300, 10))]
    # 235,200 elements: 4 blocks of 196 rows; 90,000: 2 of 150; 3,000: one
    assert gradient_blocks(weights, 100).tolist() == [196, 150, 300]
    # a small batch: blocks above OpenBLAS's small-matrix sizes, so fewer
    assert gradient_blocks(weights, 8).tolist() == [784, 300, 300]
    # layers wider than BLOCK_ELEMENTS / MIN_BLOCK_ROWS stay whole
    wide = [np.empty(shape, np.float32) for shape in ((784, 2000), (2000, 2000), (784, 500))]
    assert gradient_blocks(wide, 100).tolist() == [784, 2000, 131]
    # at two BLAS threads every gradient stays whole
    assert gradient_blocks(weights, 100, threads=2).tolist() == [784, 300, 300]
    for n in (2, 8, 32, 100, 512, 2048):
        for w in weights + wide:
            d, p = w.shape
            rows = int(gradient_blocks([w], n)[0])
            if rows < d:
                assert w.size > BLOCK_ELEMENTS and min(b - t for t, b in blocks_of(d, rows)) >= 96
                assert min(b - t for t, b in blocks_of(d, rows)) * p * n > SMALL_PRODUCT


def test_blocks_that_differ_from_the_whole_product_on_this_cpu_are_not_taken(monkeypatch):
    monkeypatch.setattr(compiled_steps, "_blocks_agree", lambda *shape: False)
    weights = [np.empty(shape, np.float32) for shape in ((784, 300), (300, 300), (300, 10))]
    assert gradient_blocks(weights, 100).tolist() == [784, 300, 300]


@pytest.mark.parametrize(
    "d, p, n",
    [
        (784, 300, 100),
        (300, 300, 100),
        (784, 300, 32),
        (784, 300, 512),
        (784, 300, 2048),
        (784, 500, 100),
        (1000, 400, 100),
        (2000, 256, 100),
        (784, 256, 100),
        (300, 400, 64),
        (400, 300, 64),
    ],
)
def test_a_blocks_products_are_the_whole_products_rows_to_the_bit(d, p, n):
    rng = np.random.default_rng(d * p + n)
    a = rng.standard_normal((n, d)).astype(np.float32)
    b = rng.standard_normal((n, p)).astype(np.float32)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_steps, "_blocks_agree", lambda *shape: True)
        rows = int(gradient_blocks([np.empty((d, p), np.float32)], n)[0])
    assert rows < d  # every shape here is blocked where the probe agrees
    out = np.empty((d, p), np.float32)
    with threadpool_limits(1):
        _in_row_blocks(a, b, rows, np.empty(rows * p, np.float32), out)
        whole = a.T @ b
    # equal to the bit where the probe (other data) says so: the runs take the blocks only then (on the Intel
    # Xeons this project ran on the blocks agreed; on its AMD EPYC, Zen 3, they do not)
    assert (out.tobytes() == whole.tobytes()) == row_blocks_agree(n, d, p, rows)


def blocked_data():
    # 300 features, hidden layers of 400 and 300, batch 64: W1 and W2 (120,000 elements each) in 2 blocks each
    return make_data(rows=700, features=(300,))


def test_blas_threads_follows_threadpoolctl():
    from fcnet._blas_numba import blas_threads

    with threadpool_limits(1):
        assert blas_threads() == 1
    with threadpool_limits(2):
        assert blas_threads() == 2


def blocked_network_rows(threads):
    """The gradient rows a run of blocked_data's 300-400-300-7 network (batch 64) takes: at one thread the blocks
    this CPU's probe allows (every layer whole where OpenBLAS's blocks differ from the whole product, as on AMD's
    Zen 3), at two whole gradients."""
    rows = gradient_blocks(
        [np.empty((300, 400)), np.empty((400, 300)), np.empty((300, 7))], 64, threads
    ).tolist()
    if threads == 2:
        assert rows == [300, 400, 300]
    elif row_blocks_agree(64, 300, 400, 150) and row_blocks_agree(64, 400, 300, 200):
        assert rows == [150, 200, 300]
    return rows


def runs_with_blocks(monkeypatch):
    """The gradient_rows each compiled run is given."""
    seen = []
    real = compiled_steps.plan

    def plan(solver):
        parts = real(solver)
        if parts is not None:
            seen.append(parts.blocks[0].tolist())
        return parts

    monkeypatch.setattr(compiled_steps, "plan", plan)
    return seen


@pytest.mark.parametrize("rule", sorted(RULE_SETTINGS))
def test_a_blocked_training_equals_the_step_by_step_one_to_the_bit(monkeypatch, one_thread, rule):
    data = blocked_data()
    expected = blocked_network_rows(threads=1)
    seen = runs_with_blocks(monkeypatch)
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(
            data,
            hidden=(400, 300),
            rule=rule,
            config=RULE_SETTINGS[rule],
            batch_size=64,
            restore_best=False,
        ),
    )
    # 10 steps an epoch: the first alone, then runs to each epoch's end; the modules' state before every check
    # (the last step's whole gradients) compared too
    assert calls == [9, 10, 10] and seen == [expected] * 3
    assert_same_training(compiled, reference)


def test_a_loss_that_explodes_in_a_blocked_run(monkeypatch, one_thread):
    data = blocked_data()
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(
            data,
            hidden=(400, 300),
            rule="sgd",
            config={"learning_rate": 5.0},
            batch_size=64,
            num_epochs=5,
            restore_best=False,
        ),
    )
    assert reference.stop_reason == "diverged" and reference.t == 33  # inside the run from step 30
    assert calls and compiled.stop_reason == "diverged"
    assert_same_training(compiled, reference)
    # the modules hold the diverged step's state: its whole gradients, computed though not applied
    assert module_state(compiled) == module_state(reference)


@pytest.mark.parametrize("threads", [1, 2])
def test_blocks_and_threads_give_the_same_training(monkeypatch, threads):
    data = blocked_data()

    def train():
        solver = make_solver(data, hidden=(400, 300), batch_size=64, restore_best=False)
        with threadpool_limits(threads):
            return solver.train()

    expected = blocked_network_rows(threads)
    with monkeypatch.context() as m:
        seen = runs_with_blocks(m)
        blocked = train()
    assert seen and all(rows == expected for rows in seen)
    monkeypatch.setattr(compiled_steps, "BLOCK_ELEMENTS", 10**9)
    whole = train()
    for name in blocked.model.params:
        assert blocked.model.params[name].tobytes() == whole.model.params[name].tobytes()
    assert blocked.loss_history == whole.loss_history
