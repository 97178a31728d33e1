"""The common network's training step in one function (fcnet.plain_stack) against the modules' path it stands in
for: the same loss, gradients and module state to the bit; taken only where it is the modules' operations (issue:
an epoch close to what its matrix products cost)."""

import numpy as np
import pytest

from fcnet import FullyConnectedNet, fused, plain_stack
from fcnet import layers as L
from fcnet._checks import inputs_checked
from fcnet.solver import Solver

pytest.importorskip("numba")


@pytest.fixture
def numba_loaded(monkeypatch):
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    assert fused.kernels() is not None


@pytest.fixture
def spy(monkeypatch):
    """Whether each model.loss took the plain step (True), found it not its to take (False)."""
    taken = []
    original = plain_stack.loss_and_grads

    def recorded(*args):
        result = original(*args)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(plain_stack, "loss_and_grads", recorded)
    return taken


def module_state(model):
    """Every array the modules hold after a step: each layer's cache and gradients, the loss layer's."""
    state = []
    for _, layer in model.layers:
        kept = layer._kept if isinstance(layer._kept, tuple) else (layer._kept,)
        state += [a for a in kept if a is not None]
        state += list(layer.grads.values())
    return state + [np.asarray(model.loss_layer.loss), model.loss_layer._dx]


def assert_bitwise_equal(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))


def checked_loss(model, X, y):
    with inputs_checked():  # as in the Solver's steps after its first
        return model.loss(X, y)


# [3, 1]: a layer of one unit, active on 14 of the 40 rows with seed 0, whose bias gradient NumPy sums pairwise
@pytest.mark.parametrize("hidden", [[], [7], [7, 5, 6], [3, 1]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_shape", [(12,), (3, 4)])
@pytest.mark.parametrize("one_hot", [False, True])
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_the_plain_step_is_the_modules_step_to_the_bit(
    numba_loaded, spy, monkeypatch, hidden, dtype, input_shape, one_hot, reg
):
    rng = np.random.default_rng(4)
    # 40 rows of mixed magnitudes: sums whose order shows in the last bits
    X = (rng.standard_normal((40, 12)) * rng.choice([1e-3, 1.0, 1e3], (40, 12))).astype(dtype)
    X = X.reshape(40, *input_shape)
    X[0, 0] = 0.0  # exact zeros and ties at ReLU's kink
    labels = rng.integers(0, 4, 40)
    y = np.eye(4)[labels] if one_hot else labels
    results = {}
    for path in ("modules", "plain"):
        model = FullyConnectedNet(
            hidden, input_dim=12, num_classes=4, dtype=dtype, seed=0, reg=reg, weight_scale=0.5
        )
        if path == "modules":
            with monkeypatch.context() as m:
                m.setattr(plain_stack, "loss_and_grads", lambda *a: None)
                loss, grads = checked_loss(model, X, y)
        else:
            loss, grads = checked_loss(model, X, y)
        results[path] = (loss, grads, module_state(model))
    assert spy == [True]
    (loss, grads, state), (plain_loss, plain_grads, plain_state) = results.values()
    assert plain_loss == loss
    assert list(plain_grads) == list(grads)  # W1, b1, W2, b2, ...
    for name in grads:
        assert_bitwise_equal(plain_grads[name], grads[name])
    assert len(plain_state) == len(state)
    for a, b in zip(plain_state, state):
        assert_bitwise_equal(a, b)


def test_a_float32_training_run_is_the_same_on_both_paths(numba_loaded, spy, monkeypatch):
    """Two epochs of Adam through the Solver: the same losses and weights, bit for bit, with every step after the
    first through the plain step (step by step: compiled runs of steps are tests/test_compiled_steps.py's)."""
    monkeypatch.setattr("fcnet.compiled_steps.plan", lambda solver: None)
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 40)).astype(np.float32)
    y = (X[:, :5].argmax(axis=1) + (X[:, 5] > 1)) % 6
    data = {"X_train": X, "y_train": y, "X_val": X[:50], "y_val": y[:50]}
    runs = {}
    for path in ("modules", "plain"):
        model = FullyConnectedNet([32, 16], input_dim=40, num_classes=6, dtype=np.float32, seed=3)
        solver = Solver(
            model, data, update_rule="adam", num_epochs=2, batch_size=25, verbose=False, seed=5
        )
        with monkeypatch.context() as m:
            if path == "modules":
                m.setattr(plain_stack, "loss_and_grads", lambda *a: None)
            solver.train()
        runs[path] = (np.array(solver.loss_history), dict(model.params))
    assert len(spy) == 23 and all(spy)  # 24 steps, the first checked through the modules
    (losses, params), (plain_losses, plain_params) = runs.values()
    assert_bitwise_equal(plain_losses, losses)
    for name in params:
        assert_bitwise_equal(plain_params[name], params[name])


def test_a_kernel_put_in_place_of_fcnets_sends_the_step_through_the_modules(
    numba_loaded, spy, monkeypatch
):
    """The kernels' seam (docs/ARCHITECTURE.md): a replaced fcnet.layers kernel is used, not bypassed."""
    calls = []
    original = L.relu_forward
    monkeypatch.setattr(L, "relu_forward", lambda x: calls.append(1) or original(x))
    model = FullyConnectedNet([5], input_dim=3, num_classes=2, dtype=np.float32, seed=0)
    checked_loss(model, np.ones((4, 3), np.float32), np.array([0, 1, 0, 1]))
    assert spy == [False] and calls == [1]


@pytest.mark.parametrize(
    "options",
    [
        {"dropout": 0.5},
        {"normalization": "batchnorm"},
        {"normalization": "layernorm"},
        {"activation": "leaky_relu"},
        {"activation": "tanh"},
        {"loss": "svm"},
    ],
)
def test_other_networks_go_through_the_modules(numba_loaded, options):
    model = FullyConnectedNet([5, 4], input_dim=3, num_classes=2, seed=0, **options)
    assert plain_stack.plain_layers(model.layers, model.loss_layer) is None


def test_the_step_is_not_taken_outside_the_checked_steps_or_with_an_observer(numba_loaded, spy):
    model = FullyConnectedNet([5], input_dim=3, num_classes=2, dtype=np.float32, seed=0)
    X, y = np.ones((4, 3), np.float32), np.array([0, 1, 0, 1])
    model.loss(X, y)  # a public call: checked, through the modules
    assert spy == []
    seen = []
    model.layers.observer = lambda name, layer, out: seen.append(name)
    checked_loss(model, X, y)
    assert spy == [False] and seen == ["affine1", "relu1", "affine2"]
    model.layers.observer = None
    checked_loss(model, X, y)
    assert spy == [False, True]


def test_parameters_of_another_dtype_go_through_the_modules(numba_loaded, spy):
    model = FullyConnectedNet([5], input_dim=3, num_classes=2, dtype=np.float32, seed=0)
    model.params["W2"] = model.params["W2"].astype(np.float64)
    checked_loss(model, np.ones((4, 3), np.float32), np.array([0, 1, 0, 1]))
    assert spy == [False]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(100, 300), (1, 7), (9, 2)])
def test_the_bias_and_relu_loops_give_numpys_numbers_to_the_bit(numba_loaded, dtype, shape):
    """The plain step's two loops against the NumPy operations they fuse, on the values where the two could part
    (signed zeros, NaN, infinities): the bias added and the ReLU; ReLU's gradient and its sum over the rows."""
    from fcnet import _fused_numba as K

    rng = np.random.default_rng(6)
    a = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 1e4], shape)).astype(dtype)
    b = rng.standard_normal(shape[1]).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    special = [-0.0, 0.0, np.nan, -np.inf, np.inf, 1e-30, -2.0]
    a.reshape(-1)[: len(special)] = special[: a.size]
    dout.reshape(-1)[-len(special) :] = special[-a.size :]
    b[0] = -0.0
    with np.errstate(invalid="ignore"):
        expected_pre = a + b
        expected_out = np.maximum(expected_pre, 0)
        expected_dx = dout * (expected_pre > 0)
        expected_db = expected_dx.sum(axis=0)
    pre, out = a.copy(), np.empty_like(a)
    K.bias_relu_forward(pre, b, out)
    dx, db = np.empty_like(dout), np.empty(shape[1], dtype)
    K.relu_backward_bias(dout, pre, dx, db, dtype(1), dtype(0))
    for got, expected in [
        (pre, expected_pre),
        (out, expected_out),
        (dx, expected_dx),
        (db, expected_db),
    ]:
        assert_bitwise_equal(got, expected)


@pytest.mark.parametrize("shape", [(100, 10), (1, 7), (9, 2), (40, 1000)])
def test_the_bias_and_softmax_loop_gives_the_softmax_loops_numbers_to_the_bit(numba_loaded, shape):
    """The last layer's loop (the bias added, the softmax loss, the bias gradient) against the operations it
    fuses: NumPy's scores + b, the float32 softmax loop the loss takes (fcnet._fused_numba.softmax_loss) and NumPy's
    sum of its gradient over the rows; scores of -0 and of large and tiny size among them."""
    from fcnet import _fused_numba as K

    rng = np.random.default_rng(7)
    scores = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 30.0], shape)).astype(np.float32)
    scores.reshape(-1)[:3] = [-0.0, 0.0, 1e-30][: scores.size]
    b = rng.standard_normal(shape[1]).astype(np.float32)
    b[0] = -0.0
    y = rng.integers(0, shape[1], shape[0])
    expected_scores = scores + b
    expected_dx = np.empty_like(scores)
    expected_loss = K.softmax_loss(expected_scores, y, expected_dx)
    got_scores, dx, db = scores.copy(), np.empty_like(scores), np.empty(shape[1], np.float32)
    loss = K.bias_softmax_loss(got_scores, b, y, dx, db, np.float32(0))
    assert loss == expected_loss
    for got, expected in [
        (got_scores, expected_scores),
        (dx, expected_dx),
        (db, expected_dx.sum(axis=0)),
    ]:
        assert_bitwise_equal(got, expected)
