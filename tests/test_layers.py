import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import away_from_zero
from fcnet import layers as L
from fcnet.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error

TOL = 1e-7
SHAPES = [(4, 5), (3, 4, 5), (2, 3, 2, 4)]


# ---------------------------------------------------------------------------------------------------------------
# Gradients against numerical differences (float64)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_affine_backward_matches_numeric_gradient(rng, shape):
    x = rng.standard_normal(shape)
    w = rng.standard_normal((int(np.prod(shape[1:])), 6))
    b = rng.standard_normal(6)
    dout = rng.standard_normal((shape[0], 6))
    _, cache = L.affine_forward(x, w, b)
    dx, dw, db = L.affine_backward(dout, cache)
    assert dx.shape == x.shape
    assert (
        rel_error(
            dx, eval_numerical_gradient_array(lambda v: L.affine_forward(v, w, b)[0], x, dout)
        )
        < TOL
    )
    assert (
        rel_error(
            dw, eval_numerical_gradient_array(lambda v: L.affine_forward(x, v, b)[0], w, dout)
        )
        < TOL
    )
    assert (
        rel_error(
            db, eval_numerical_gradient_array(lambda v: L.affine_forward(x, w, v)[0], b, dout)
        )
        < TOL
    )


ACTIVATIONS = {
    "relu": (L.relu_forward, L.relu_backward),
    "leaky_relu": (lambda x: L.leaky_relu_forward(x, alpha=0.1), L.leaky_relu_backward),
    "sigmoid": (L.sigmoid_forward, L.sigmoid_backward),
    "tanh": (L.tanh_forward, L.tanh_backward),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_activation_backward_matches_numeric_gradient(rng, name, shape):
    forward, backward = ACTIVATIONS[name]
    x = away_from_zero(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    _, cache = forward(x)
    dx = backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: forward(v)[0], x, dout)) < TOL


@pytest.mark.parametrize("backward", [L.batchnorm_backward, L.batchnorm_backward_alt])
@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_backward_matches_numeric_gradient(rng, backward, mode):
    n, d = 6, 5
    x = 4 * rng.standard_normal((n, d)) + 10
    gamma = rng.standard_normal(d)
    beta = rng.standard_normal(d)
    dout = rng.standard_normal((n, d))
    stats = {"running_mean": rng.standard_normal(d), "running_var": rng.random(d) + 0.5}

    def forward(xv, gv, bv):
        return L.batchnorm_forward(xv, gv, bv, {"mode": mode, **stats})[0]

    _, cache = L.batchnorm_forward(x, gamma, beta, {"mode": mode, **stats})
    dx, dgamma, dbeta = backward(dout, cache)
    assert (
        rel_error(dx, eval_numerical_gradient_array(lambda v: forward(v, gamma, beta), x, dout))
        < TOL
    )
    assert (
        rel_error(
            dgamma, eval_numerical_gradient_array(lambda v: forward(x, v, beta), gamma, dout)
        )
        < TOL
    )
    assert (
        rel_error(dbeta, eval_numerical_gradient_array(lambda v: forward(x, gamma, v), beta, dout))
        < TOL
    )


def test_batchnorm_backward_and_alt_agree(rng):
    x = 5 * rng.standard_normal((100, 50)) + 3
    gamma, beta = rng.standard_normal(50), rng.standard_normal(50)
    dout = rng.standard_normal((100, 50))
    _, cache = L.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for a, b in zip(L.batchnorm_backward(dout, cache), L.batchnorm_backward_alt(dout, cache)):
        assert rel_error(a, b) < 1e-10


def test_layernorm_backward_matches_numeric_gradient(rng):
    n, d = 4, 7
    x = 3 * rng.standard_normal((n, d)) - 2
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    dout = rng.standard_normal((n, d))
    _, cache = L.layernorm_forward(x, gamma, beta, {})
    dx, dgamma, dbeta = L.layernorm_backward(dout, cache)

    def forward(xv, gv, bv):
        return L.layernorm_forward(xv, gv, bv, {})[0]

    assert (
        rel_error(dx, eval_numerical_gradient_array(lambda v: forward(v, gamma, beta), x, dout))
        < TOL
    )
    assert (
        rel_error(
            dgamma, eval_numerical_gradient_array(lambda v: forward(x, v, beta), gamma, dout)
        )
        < TOL
    )
    assert (
        rel_error(dbeta, eval_numerical_gradient_array(lambda v: forward(x, gamma, v), beta, dout))
        < TOL
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_dropout_backward_matches_numeric_gradient(rng, shape):
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    param = {"mode": "train", "p": 0.3, "seed": 123}
    _, cache = L.dropout_forward(x, param)
    dx = L.dropout_backward(dout, cache)
    assert (
        rel_error(
            dx, eval_numerical_gradient_array(lambda v: L.dropout_forward(v, param)[0], x, dout)
        )
        < TOL
    )


@pytest.mark.parametrize("loss_fn", [L.softmax_loss, L.svm_loss])
def test_loss_gradient_matches_numeric_gradient(rng, loss_fn):
    x = rng.standard_normal((20, 6))
    y = rng.integers(6, size=20)
    # keep SVM margins away from their kink
    if loss_fn is L.svm_loss:
        x = np.round(x, 1) + 0.013 * np.arange(6)
    _, dx = loss_fn(x, y)
    assert (
        rel_error(dx, eval_numerical_gradient(lambda v: loss_fn(v, y)[0], x, verbose=False)) < TOL
    )


# ---------------------------------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------------------------------
def test_batchnorm_train_output_has_mean_beta_and_std_gamma(rng):
    x = 7 * rng.standard_normal((200, 3)) + 11
    gamma = np.array([1.0, 2.0, 3.0])
    beta = np.array([0.0, -1.0, 5.0])
    out, _ = L.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-4)


def test_batchnorm_running_statistics_normalize_fresh_data_in_test_mode(rng):
    d = 4
    w = rng.standard_normal((3, d))
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(d), np.zeros(d)
    for _ in range(200):
        x = rng.standard_normal((64, 3)) @ w + 5
        L.batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    out, _ = L.batchnorm_forward(rng.standard_normal((20000, 3)) @ w + 5, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=0.05)


def test_batchnorm_running_average_follows_cs231n_formula(rng):
    x = rng.standard_normal((10, 3))
    bn_param = {
        "mode": "train",
        "momentum": 0.8,
        "running_mean": np.ones(3),
        "running_var": np.ones(3),
    }
    L.batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 0.8 + 0.2 * x.mean(axis=0))
    np.testing.assert_allclose(bn_param["running_var"], 0.8 + 0.2 * x.var(axis=0))


def test_layernorm_normalizes_each_sample(rng):
    x = rng.standard_normal((5, 40)) * np.arange(1, 6)[:, None] + np.arange(5)[:, None]
    out, _ = L.layernorm_forward(x, np.ones(40), np.zeros(40), {})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-4)


def test_dropout_is_inverted_and_drops_the_right_fraction(rng):
    x = rng.standard_normal((500, 500)) + 10
    for p in (0.25, 0.4, 0.7):
        out, _ = L.dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
        assert abs(np.mean(out == 0) - p) < 0.01
        assert abs(out.mean() - x.mean()) / x.mean() < 0.01


def test_dropout_is_identity_in_test_mode(rng):
    x = rng.standard_normal((50, 20))
    out, cache = L.dropout_forward(x, {"mode": "test", "p": 0.5})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(L.dropout_backward(x, cache), x)


def test_dropout_same_seed_gives_same_mask(rng):
    x = rng.standard_normal((30, 30))
    a, _ = L.dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    b, _ = L.dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    c, _ = L.dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 8})
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_keeps_dtype():
    x = np.ones((10, 10), dtype=np.float32)
    out, cache = L.dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 1})
    assert out.dtype == np.float32
    assert L.dropout_backward(x, cache).dtype == np.float32


@pytest.mark.parametrize("loss_fn", [L.softmax_loss, L.svm_loss])
def test_losses_accept_one_hot_labels(rng, loss_fn):
    x = rng.standard_normal((8, 4))
    y = rng.integers(4, size=8)
    loss_int, dx_int = loss_fn(x, y)
    loss_hot, dx_hot = loss_fn(x, np.eye(4)[y])
    assert loss_int == loss_hot
    np.testing.assert_array_equal(dx_int, dx_hot)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_softmax_loss_is_finite_for_huge_scores(rng, scale):
    x = scale * rng.standard_normal((10, 5))
    y = rng.integers(5, size=10)
    loss, dx = L.softmax_loss(x, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dx))
    loss32, dx32 = L.softmax_loss(x.astype(np.float32), y)
    assert np.isfinite(loss32) and np.all(np.isfinite(dx32))


def test_softmax_loss_matches_reference_formula(rng):
    x = rng.standard_normal((7, 3))
    y = rng.integers(3, size=7)
    probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert L.softmax_loss(x, y)[0] == pytest.approx(
        -np.mean(np.log(probs[np.arange(7), y])), rel=1e-12
    )


def test_layers_keep_float32(rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    w = rng.standard_normal((6, 3)).astype(np.float32)
    b = np.zeros(3, dtype=np.float32)
    out, cache = L.affine_forward(x, w, b)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in L.affine_backward(out, cache))
    for forward, backward in ACTIVATIONS.values():
        out, cache = forward(x)
        assert out.dtype == np.float32 and backward(out, cache).dtype == np.float32


def test_no_function_modifies_its_inputs(rng):
    x = rng.standard_normal((6, 4))
    w, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    dout4, dout3 = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    y = rng.integers(3, size=6)
    running = {"running_mean": np.zeros(4), "running_var": np.ones(4)}
    arrays = [x, w, b, gamma, beta, dout4, dout3, y, *running.values()]
    before = [a.copy() for a in arrays]

    _, c = L.affine_forward(x, w, b)
    L.affine_backward(dout3, c)
    for forward, backward in ACTIVATIONS.values():
        _, c = forward(x)
        backward(dout4, c)
    _, c = L.batchnorm_forward(x, gamma, beta, {"mode": "train", **running})
    L.batchnorm_backward(dout4, c)
    L.batchnorm_backward_alt(dout4, c)
    _, c = L.layernorm_forward(x, gamma, beta, {})
    L.layernorm_backward(dout4, c)
    _, c = L.dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 0})
    L.dropout_backward(dout4, c)
    L.softmax_loss(dout3, y)
    L.svm_loss(dout3, y)
    for a, old in zip(arrays, before):
        np.testing.assert_array_equal(a, old)


# ---------------------------------------------------------------------------------------------------------------
# Property tests over shapes
# ---------------------------------------------------------------------------------------------------------------
dims = st.integers(1, 5)


@settings(max_examples=40, deadline=None)
@given(
    n=dims,
    feature_shape=st.lists(dims, min_size=1, max_size=3),
    m=dims,
    seed=st.integers(0, 2**16),
)
def test_affine_shapes_for_any_input_rank(n, feature_shape, m, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *feature_shape))
    d = int(np.prod(feature_shape))
    w, b = rng.standard_normal((d, m)), rng.standard_normal(m)
    out, cache = L.affine_forward(x, w, b)
    assert out.shape == (n, m)
    np.testing.assert_allclose(out, x.reshape(n, d) @ w + b)
    dx, dw, db = L.affine_backward(np.ones((n, m)), cache)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)


@settings(max_examples=40, deadline=None)
@given(n=dims, c=st.integers(2, 8), seed=st.integers(0, 2**16))
def test_softmax_gradient_rows_sum_to_zero(n, c, seed):
    rng = np.random.default_rng(seed)
    x = 10 * rng.standard_normal((n, c))
    y = rng.integers(c, size=n)
    loss, dx = L.softmax_loss(x, y)
    assert loss >= 0 and dx.shape == (n, c)
    np.testing.assert_allclose(dx.sum(axis=1), 0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 6), d=dims, seed=st.integers(0, 2**16))
def test_batchnorm_backward_variants_agree_for_any_shape(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    dout = rng.standard_normal((n, d))
    _, cache = L.batchnorm_forward(
        x, rng.standard_normal(d), rng.standard_normal(d), {"mode": "train"}
    )
    for a, b in zip(L.batchnorm_backward(dout, cache), L.batchnorm_backward_alt(dout, cache)):
        np.testing.assert_allclose(a, b, atol=1e-9)


# ---------------------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------------------
def test_affine_rejects_weight_rows_that_do_not_match_features():
    with pytest.raises(ValueError, match=r"w has 5 rows but x has 12 features"):
        L.affine_forward(np.zeros((2, 3, 4)), np.zeros((5, 2)), np.zeros(2))


def test_affine_rejects_bias_of_wrong_length():
    with pytest.raises(ValueError, match=r"b must have shape \(2,\).*got shape \(3,\)"):
        L.affine_forward(np.zeros((2, 4)), np.zeros((4, 2)), np.zeros(3))


@pytest.mark.parametrize("loss_fn", [L.softmax_loss, L.svm_loss])
def test_losses_reject_bad_labels(loss_fn):
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"y must be in \[0, 4\), got labels from 0 to 4"):
        loss_fn(x, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"y must be in \[0, 4\)"):
        loss_fn(x, np.array([-1, 1, 2]))
    with pytest.raises(TypeError, match=r"y must hold integer class labels, got dtype float64"):
        loss_fn(x, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"y row 1 is not one-hot"):
        loss_fn(x, np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]]))
    with pytest.raises(ValueError, match=r"y has 2 labels but there are 3 samples"):
        loss_fn(x, np.array([0, 1]))


def test_batchnorm_rejects_unknown_mode():
    with pytest.raises(
        ValueError, match=r"bn_param\['mode'\] must be 'train' or 'test', got 'eval'"
    ):
        L.batchnorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {"mode": "eval"})
    with pytest.raises(
        ValueError, match=r"bn_param\['mode'\] must be 'train' or 'test', got None"
    ):
        L.batchnorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {})


def test_batchnorm_rejects_gamma_of_wrong_length():
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\)"):
        L.batchnorm_forward(np.zeros((2, 3)), np.ones(4), np.zeros(3), {"mode": "train"})


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_probability_outside_unit_interval(p):
    with pytest.raises(ValueError, match=r"dropout_param\['p'\] must be in \[0, 1\)"):
        L.dropout_forward(np.zeros((2, 2)), {"mode": "train", "p": p})


def test_dropout_rejects_unknown_mode():
    with pytest.raises(ValueError, match=r"dropout_param\['mode'\] must be 'train' or 'test'"):
        L.dropout_forward(np.zeros((2, 2)), {"mode": "training", "p": 0.5})


def test_bad_input_leaves_bn_param_untouched():
    bn_param = {"mode": "train", "running_mean": np.zeros(3)}
    with pytest.raises(ValueError):
        L.batchnorm_forward(np.zeros((2, 3)), np.ones(2), np.zeros(3), bn_param)
    assert set(bn_param) == {"mode", "running_mean"}
