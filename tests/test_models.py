import numpy as np
import pytest

from fcnet import FullyConnectedNet, TwoLayerNet
from fcnet import layers as L
from fcnet import modules as M
from fcnet.gradient_check import eval_numerical_gradient, rel_error


def norm_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative error of whole arrays, ||a - b|| / (||a|| + ||b||): unlike the elementwise max, it is not
    dominated by the finite-difference noise (~1e-11) of the few elements whose gradient is itself ~1e-8."""
    return float(np.linalg.norm(a - b) / max(1e-30, np.linalg.norm(a) + np.linalg.norm(b)))


def numeric_grads(model, X, y):
    return {
        name: eval_numerical_gradient(
            lambda _: model.loss(X, y)[0], model.params[name], verbose=False
        )
        for name in model.params
    }


# ---------------------------------------------------------------------------------------------------------------
# The courses' TwoLayerNet checks
# ---------------------------------------------------------------------------------------------------------------
N, D, H, C = 3, 5, 50, 7


def seed_two_layer_net():
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-2, seed=0)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    return model, X, np.asarray([0, 5, 1])


def test_two_layer_net_initialization_statistics():
    std = 1e-2
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=std, seed=0)
    assert abs(model.params["W1"].std() - std) < std / 10
    assert abs(model.params["W2"].std() - std) < std / 10
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b2"] == 0)


def test_two_layer_net_test_time_scores():
    model, X, _ = seed_two_layer_net()
    correct_scores = np.asarray(
        [
            [
                11.53165108,
                12.2917344,
                13.05181771,
                13.81190102,
                14.57198434,
                15.33206765,
                16.09215096,
            ],
            [
                12.05769098,
                12.74614105,
                13.43459113,
                14.1230412,
                14.81149128,
                15.49994135,
                16.18839143,
            ],
            [
                12.58373087,
                13.20054771,
                13.81736455,
                14.43418138,
                15.05099822,
                15.66781506,
                16.2846319,
            ],
        ]
    )
    assert np.abs(model.loss(X) - correct_scores).sum() < 1e-6


def test_two_layer_net_training_loss_with_and_without_reg():
    model, X, y = seed_two_layer_net()
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10
    model.reg = 1.0
    assert abs(model.loss(X, y)[0] - 26.5948426952) < 1e-10


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_gradients_match_numeric(reg):
    model, X, y = seed_two_layer_net()
    model.reg = reg
    _, grads = model.loss(X, y)
    numeric = numeric_grads(model, X, y)
    for name in grads:
        assert rel_error(numeric[name], grads[name]) < 1e-6, (
            name
        )  # the courses print up to 2.53e-07


# ---------------------------------------------------------------------------------------------------------------
# The courses' FullyConnectedNet checks
# ---------------------------------------------------------------------------------------------------------------
def test_fc_net_seed_check_initial_loss_near_log_c():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 15)), rng.integers(10, size=2)
    model = FullyConnectedNet(
        [20, 30], input_dim=15, num_classes=10, weight_scale=5e-2, dtype=np.float64, seed=0
    )
    assert model.loss(X, y)[0] == pytest.approx(
        np.log(10), abs=0.05
    )  # the courses print 2.3050 and 2.2999


@pytest.mark.parametrize(
    "normalization", [None, pytest.param("layernorm", marks=pytest.mark.slow)]
)  # layer norm's element-wise check takes 3 s a case
@pytest.mark.parametrize("keep", [1, 0.75, 0.5])
@pytest.mark.parametrize("reg", [0, 3.14])
def test_fc_net_seed_check_elementwise(normalization, keep, reg):
    """The courses' check as printed (N, D, H1, H2, C = 2, 15, 20, 30, 10), elementwise relative error < 1e-6.

    The data seed is fixed: on other draws a few weights have gradients of ~1e-7, where the centred difference's
    ~1e-11 round-off alone gives elementwise errors near 1e-4 (see the norm-wise test below for every draw).
    """
    rng = np.random.default_rng(10 if normalization is None else 8)
    X, y = rng.standard_normal((2, 15)), rng.integers(10, size=2)
    model = FullyConnectedNet(
        [20, 30],
        input_dim=15,
        num_classes=10,
        reg=reg,
        weight_scale=5e-2,
        dtype=np.float64,
        normalization=normalization,
        dropout_keep_ratio=keep,
        seed=123,
    )
    _, grads = model.loss(X, y)
    numeric = numeric_grads(model, X, y)
    for name in grads:
        assert rel_error(numeric[name], grads[name]) < 1e-6, name


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
@pytest.mark.parametrize("reg", [0, 3.14])
@pytest.mark.parametrize("data_seed", [0, 1])
def test_fc_net_gradients_match_numeric(normalization, dropout, reg, data_seed):
    # Batch norm over two samples maps every unit to about +-gamma, and a unit whose two pre-activations nearly
    # agree sits on a slope of 1/sqrt(eps): finite differences cannot follow it. Six samples keep it tame.
    n = 6 if normalization == "batchnorm" else 2
    rng = np.random.default_rng(data_seed)
    X, y = rng.standard_normal((n, 15)), rng.integers(10, size=n)
    model = FullyConnectedNet(
        [20, 30],
        input_dim=15,
        num_classes=10,
        reg=reg,
        weight_scale=5e-2,
        dtype=np.float64,
        normalization=normalization,
        dropout=dropout,
        seed=123,
    )
    _, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    numeric = numeric_grads(model, X, y)
    for name in grads:
        if normalization == "batchnorm" and name in ("b1", "b2"):
            # batch norm removes the batch mean: the biases before it have no effect
            np.testing.assert_allclose(grads[name], 0, atol=1e-12)
            np.testing.assert_allclose(numeric[name], 0, atol=1e-8)
        else:
            assert norm_rel_error(numeric[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize("activation", ["leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_other_activations_and_losses_match_numeric(activation, loss):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((4, 6)), rng.integers(3, size=4)
    model = FullyConnectedNet(
        [5],
        input_dim=6,
        num_classes=3,
        weight_scale=0.3,
        dtype=np.float64,
        seed=2,
        activation=activation,
        alpha=0.1,
        loss=loss,
        reg=0.1,
    )
    _, grads = model.loss(X, y)
    numeric = numeric_grads(model, X, y)
    for name in grads:
        assert norm_rel_error(numeric[name], grads[name]) < 1e-7, name


def test_reg_term_is_half_l2_of_weights_only():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 4)), rng.integers(3, size=5)
    model = FullyConnectedNet(
        [6], input_dim=4, num_classes=3, normalization="batchnorm", dtype=np.float64, seed=1
    )
    base, _ = model.loss(X, y)
    model.reg = 0.3
    with_reg, _ = model.loss(X, y)
    expected = 0.5 * 0.3 * (np.sum(model.params["W1"] ** 2) + np.sum(model.params["W2"] ** 2))
    assert with_reg - base == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------------------------------
def test_fresh_net_loss_is_log_c_with_small_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((100, 30)), rng.integers(10, size=100)
    model = FullyConnectedNet([50, 50], input_dim=30, num_classes=10, weight_scale=1e-3, seed=0)
    assert model.loss(X, y)[0] == pytest.approx(np.log(10), abs=1e-3)


def test_hidden_dims_empty_is_softmax_classifier():
    model = FullyConnectedNet([], input_dim=4, num_classes=3, seed=0)
    assert sorted(model.params) == ["W1", "b1"]
    X = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_allclose(
        model.loss(X), X @ model.params["W1"] + model.params["b1"], rtol=1e-6
    )


def test_params_are_the_arrays_the_layers_use():
    model = FullyConnectedNet([4], input_dim=3, num_classes=2, dtype=np.float64, seed=0)
    X = np.ones((1, 3))
    before = model.loss(X).copy()
    model.params["b2"][...] += 5.0  # in place
    np.testing.assert_allclose(model.loss(X), before + 5.0)
    model.params["b2"] = model.params["b2"] + 1.0  # a new array
    np.testing.assert_allclose(model.loss(X), before + 6.0)


def test_assigning_wrong_shape_is_rejected():
    model = FullyConnectedNet([4], input_dim=3, num_classes=2, seed=0)
    with pytest.raises(ValueError, match=r"params\['W1'\] must have shape \(3, 4\), got \(4, 3\)"):
        model.params["W1"] = np.zeros((4, 3))


def test_dtype_is_respected():
    model = FullyConnectedNet([4], input_dim=3, num_classes=2, seed=0)
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert model.loss(np.ones((2, 3))).dtype == np.float32
    loss, grads = model.loss(np.ones((2, 3)), np.array([0, 1]))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_weight_scale_he_and_xavier():
    he = FullyConnectedNet(
        [400], input_dim=800, num_classes=10, weight_scale="he", dtype=np.float64, seed=0
    )
    xavier = FullyConnectedNet(
        [400], input_dim=800, num_classes=10, weight_scale="xavier", dtype=np.float64, seed=0
    )
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 800), rel=0.02)
    assert xavier.params["W1"].std() == pytest.approx(np.sqrt(2 / 1200), rel=0.02)


def test_seed_makes_initialization_reproducible():
    a = FullyConnectedNet([5], input_dim=3, num_classes=2, seed=4)
    b = FullyConnectedNet([5], input_dim=3, num_classes=2, seed=4)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])


def test_old_and_new_spellings_agree():
    old = FullyConnectedNet(
        [5], input_dim=3, num_classes=2, use_batchnorm=True, dropout=0.25, seed=1
    )
    new = FullyConnectedNet(
        [5], input_dim=3, num_classes=2, normalization="batchnorm", dropout_keep_ratio=0.75, seed=1
    )
    assert old.get_config() == new.get_config()
    assert old.dropout == 0.25 and old.normalization == "batchnorm"


def test_dropout_is_identity_at_test_time():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    plain = FullyConnectedNet([8], input_dim=3, num_classes=2, seed=1)
    drop = FullyConnectedNet([8], input_dim=3, num_classes=2, dropout=0.5, seed=1)
    np.testing.assert_array_equal(plain.loss(X), drop.loss(X))


def test_predict_and_predict_proba_in_batches_match_loss():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2500, 6))
    model = FullyConnectedNet(
        [7], input_dim=6, num_classes=4, normalization="batchnorm", weight_scale=0.5, seed=1
    )
    model.loss(
        X[:50], rng.integers(4, size=50)
    )  # move the running statistics away from their start
    scores = model.loss(X)
    np.testing.assert_array_equal(model.predict(X, batch_size=300), scores.argmax(axis=1))
    proba = model.predict_proba(X, batch_size=999)
    np.testing.assert_allclose(proba, L.softmax(scores), rtol=1e-5)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_overfits_fifty_samples():
    from fcnet.solver import Solver  # the training issue's Solver

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 20))
    y = rng.integers(10, size=50)
    model = FullyConnectedNet(
        [100, 100], input_dim=20, num_classes=10, weight_scale="he", dtype=np.float64, seed=0
    )
    solver = Solver(
        model,
        {"X_train": X, "y_train": y, "X_val": X, "y_val": y},
        update_rule="sgd",
        optim_config={"learning_rate": 0.1},
        num_epochs=20,
        batch_size=25,
        verbose=False,
        seed=0,
    )
    solver.train()
    assert np.mean(model.predict(X) == y) == 1.0


# ---------------------------------------------------------------------------------------------------------------
# Object layers against functional layers
# ---------------------------------------------------------------------------------------------------------------
def test_object_layers_equal_functional_layers():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5))
    W, b = rng.standard_normal((5, 4)), rng.standard_normal(4)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    dout = rng.standard_normal((6, 4))

    affine = M.Affine(W, b)
    a, cache = L.affine_forward(x, W, b)
    np.testing.assert_array_equal(affine.forward(x), a)
    dx_ref, dW_ref, db_ref = L.affine_backward(dout, cache)
    np.testing.assert_array_equal(affine.backward(dout), dx_ref)
    np.testing.assert_array_equal(affine.dW, dW_ref)
    np.testing.assert_array_equal(affine.db, db_ref)

    bn = M.BatchNorm(gamma, beta)
    bn_param = {"mode": "train"}
    out, cache = L.batchnorm_forward(a, gamma, beta, bn_param)
    np.testing.assert_array_equal(bn.forward(a), out)
    np.testing.assert_array_equal(bn.backward(dout), L.batchnorm_backward_alt(dout, cache)[0])
    np.testing.assert_array_equal(bn.bn_param["running_mean"], bn_param["running_mean"])
    bn.eval()
    bn_param["mode"] = "test"
    np.testing.assert_array_equal(bn.forward(a), L.batchnorm_forward(a, gamma, beta, bn_param)[0])

    leaky = M.LeakyReLU(0.1)
    out, cache = L.leaky_relu_forward(a, 0.1)
    np.testing.assert_array_equal(leaky.forward(a), out)
    np.testing.assert_array_equal(leaky.backward(dout), L.leaky_relu_backward(dout, cache))

    y = rng.integers(4, size=6)
    loss_layer = M.SoftmaxWithLoss()
    loss, dscores = L.softmax_loss(a, y)
    assert loss_layer.forward(a, y) == loss
    np.testing.assert_array_equal(loss_layer.backward(), dscores)


def test_mnist_mlp_homework_object_layers_check():
    relu = M.LeakyReLU(alpha=0.1)
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    np.testing.assert_allclose(relu.forward(x), [[1.0, -0.05], [-0.2, 3.0]])
    np.testing.assert_allclose(relu.backward(x), [[1.0, -0.05], [-0.2, 3.0]])
    affine = M.Affine(np.ones([2, 3]), np.ones(3))
    assert np.sum(affine.forward(np.ones([1, 2]))) == 9.0
    np.testing.assert_array_equal(affine.backward(np.ones([1, 3])), [[3.0, 3.0]])


def test_model_equals_hand_built_functional_net():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 5)), rng.integers(3, size=8)
    model = FullyConnectedNet(
        [6],
        input_dim=5,
        num_classes=3,
        normalization="layernorm",
        dtype=np.float64,
        weight_scale=0.5,
        seed=0,
    )
    p = model.params
    from fcnet.layer_utils import affine_ln_relu_backward, affine_ln_relu_forward

    h, c1 = affine_ln_relu_forward(X, p["W1"], p["b1"], p["gamma1"], p["beta1"], {})
    s, c2 = L.affine_forward(h, p["W2"], p["b2"])
    loss, ds = L.softmax_loss(s, y)
    dh, dW2, db2 = L.affine_backward(ds, c2)
    _, dW1, db1, dgamma1, dbeta1 = affine_ln_relu_backward(dh, c1)
    got_loss, grads = model.loss(X, y)
    assert got_loss == loss
    for name, ref in dict(W1=dW1, b1=db1, gamma1=dgamma1, beta1=dbeta1, W2=dW2, b2=db2).items():
        np.testing.assert_array_equal(grads[name], ref)


# ---------------------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------------------
def test_x_with_wrong_feature_count_names_both_numbers():
    model = FullyConnectedNet([4], input_dim=784, num_classes=10)
    with pytest.raises(
        ValueError, match=r"X has 785 features per sample but the model expects input_dim=784"
    ):
        model.loss(np.zeros((2, 785)))


def test_labels_out_of_range_are_rejected_before_any_state_changes():
    model = FullyConnectedNet([4], input_dim=3, num_classes=2, normalization="batchnorm")
    before = {k: v.copy() for k, v in model.buffers().items()}
    with pytest.raises(ValueError, match=r"y must be in \[0, 2\), got labels from 0 to 2"):
        model.loss(np.ones((3, 3)), np.array([0, 1, 2]))
    for k, v in model.buffers().items():
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(hidden_dims=[10, 0]), r"hidden_dims\[1\] must be a positive integer, got 0"),
        (dict(hidden_dims=[-3]), r"hidden_dims\[0\] must be a positive integer, got -3"),
        (
            dict(hidden_dims=[5], normalization="groupnorm"),
            r"normalization must be one of .* got 'groupnorm'",
        ),
        (dict(hidden_dims=[5], activation="gelu"), r"activation must be one of .* got 'gelu'"),
        (dict(hidden_dims=[5], loss="hinge"), r"loss must be one of .* got 'hinge'"),
        (dict(hidden_dims=[5], dropout=1.0), r"dropout must be in \[0, 1\), got 1.0"),
        (dict(hidden_dims=[5], dropout=-0.1), r"dropout must be in \[0, 1\)"),
        (dict(hidden_dims=[5], dropout_keep_ratio=0), r"dropout_keep_ratio must be in \(0, 1\]"),
        (dict(hidden_dims=[5], reg=-1), r"reg must be a finite number in \[0, inf\), got -1"),
        (
            dict(hidden_dims=[5], weight_scale="lecun"),
            r"weight_scale must be one of .* got 'lecun'",
        ),
        (
            dict(hidden_dims=[5], weight_scale=0),
            r"weight_scale must be a finite number in \(0, inf\), got 0",
        ),
    ],
)
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FullyConnectedNet(**kwargs)


def test_prediction_keeps_no_activations_for_a_backward_pass():
    """In evaluation mode the layers keep nothing (a prediction used to hold every layer's input for the last
    batch: 45 MB above the input for 60,000 images through six layers with batch norm)."""
    model = FullyConnectedNet(
        [20, 10], input_dim=8, num_classes=3, normalization="batchnorm", dropout=0.2, seed=0
    )
    X = np.random.default_rng(0).standard_normal((50, 8))
    model.predict(X)
    assert all(layer._kept is None for layer in model.layers.layers.values())
    with pytest.raises(RuntimeError, match="needs a forward pass in training mode"):
        model.layers.backward(np.ones((50, 3)))
    loss, grads = model.loss(X, np.arange(50) % 3)  # training mode keeps what backward needs
    assert set(grads) == set(model.params)
