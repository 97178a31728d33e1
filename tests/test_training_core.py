"""Regressions for the training core: what a run reports is what it keeps, and every setting is checked.

Each test pins one defect found by trying fcnet as a new user would (shared report of 2026-11-23).
"""

import numpy as np
import pytest

import fcnet
from fcnet import FullyConnectedNet
from fcnet import modules as M
from fcnet.data import load_digits, stratified_split
from fcnet.layers import (
    affine_backward,
    affine_forward,
    batchnorm_forward,
    leaky_relu_forward,
    softmax_loss,
    svm_loss,
)
from fcnet.optim import HYPERPARAMETERS, nesterov_momentum, sgd, sgd_momentum
from fcnet.optimizer import Optimizer
from fcnet.schedules import make_schedule
from fcnet.solver import Solver
from test_solver import blobs, small_net


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    return stratified_split(X, y, val_size=0.15, test_size=0.15)


# ---- the best state is parameters and buffers ------------------------------------------------------------------
def test_restored_batchnorm_model_scores_best_val_acc_exactly(digits, tmp_path):
    model = FullyConnectedNet([100], input_dim=64, normalization="batchnorm", seed=0)
    solver = Solver(
        model,
        digits,
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        num_epochs=15,
        batch_size=64,
        verbose=False,
        seed=0,
    )
    solver.train()
    assert max(solver.val_acc_history) == solver.best_val_acc
    accuracy = np.mean(model.predict(digits["X_val"]) == digits["y_val"])
    assert accuracy == solver.best_val_acc
    reloaded = fcnet.load(fcnet.save(model, tmp_path / "m.npz"))
    assert np.mean(reloaded.predict(digits["X_val"]) == digits["y_val"]) == solver.best_val_acc


def test_best_state_keeps_the_running_statistics_of_its_epoch():
    model = small_net(normalization="batchnorm")
    solver = Solver(
        model,
        blobs(),
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        num_epochs=6,
        batch_size=20,
        verbose=False,
        seed=0,
        num_train_samples=None,
    )
    solver.train()
    for key, value in model.buffers().items():
        np.testing.assert_array_equal(value, solver.best.arrays[f"buffer/{key}"])
    assert model.evaluate(solver.X_val, solver.y_val)[0] == solver.best_val_acc


# ---- hyperparameters are declared, checked and cast --------------------------------------------------------------
@pytest.mark.parametrize(
    "config, error, message",
    [
        (
            {"lr": 0.5},
            ValueError,
            r"unknown hyperparameter \['lr'\] for update rule 'adam'; known: \['beta1', 'beta2', "
            r"'epsilon', 'learning_rate', 'weight_decay'\]",
        ),
        ({"beta1": 1}, ValueError, r"beta1 must be a finite number in \[0, 1\), got 1"),
        (
            {"learning_rate": "1e-3"},
            TypeError,
            r"learning_rate must be a real number, got '1e-3' \(str\)",
        ),
        (
            {"learning_rate": float("inf")},
            ValueError,
            r"learning_rate must be a finite number in \[0, inf\), got inf",
        ),
        ({"epsilon": 0}, ValueError, r"epsilon must be a finite number in \(0, inf\), got 0"),
    ],
)
def test_adam_settings_are_checked_before_training(config, error, message):
    with pytest.raises(error, match=message):
        Solver(small_net(), blobs(), update_rule="adam", optim_config=config)


def test_momentum_above_one_is_refused():
    with pytest.raises(ValueError, match=r"momentum must be a finite number in \[0, 1\), got 5"):
        Solver(small_net(), blobs(), update_rule="sgd_momentum", optim_config={"momentum": 5})
    with pytest.raises(ValueError, match=r"momentum must be .* got 5"):
        sgd_momentum(np.zeros(3), np.zeros(3), {"momentum": 5})


def test_every_declared_default_is_inside_its_own_range():
    for rule, settings in HYPERPARAMETERS.items():
        for name, spec in settings.items():
            assert spec.check(name, spec.default) == spec.default, (rule, name)


@pytest.mark.parametrize("rule", [sgd, sgd_momentum, nesterov_momentum])
def test_numpy_float64_learning_rate_keeps_float32_weights(rule):
    w, dw = np.ones(4, np.float32), np.full(4, 0.5, np.float32)
    next_w, config = rule(w, dw, {"learning_rate": np.float64(0.1)})
    assert next_w.dtype == np.float32
    assert type(config["learning_rate"]) is float


def test_solver_with_numpy_learning_rate_trains_float32_weights():
    model = small_net()
    Solver(
        model,
        blobs(),
        update_rule="nesterov",
        optim_config={"learning_rate": np.float64(0.01)},
        num_epochs=1,
        batch_size=50,
        verbose=False,
    ).train()
    assert all(v.dtype == np.float32 for v in model.params.values())


def test_float16_parameters_with_adam_name_the_dtype():
    with pytest.raises(ValueError, match=r"epsilon=1e-08 is 0 in W1's dtype float16"):
        Solver(small_net(dtype="float16"), blobs(), update_rule="adam")


# ---- Solver options -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_train_samples": 0}, r"num_train_samples must be an integer >= 1 or None, got 0"),
        ({"print_every": 2.5}, r"print_every must be an integer >= 1, got 2.5"),
        ({"lr_decay": -1}, r"lr_decay must be a finite number in \(0, 1\], got -1"),
        ({"seed": -1}, r"seed must be an integer >= 0 or None, got -1"),
        (
            {"lr_schedule": "step", "lr_schedule_options": {"step_size": 0}},
            r"step_size must be an integer >= 1, got 0",
        ),
        (
            {"lr_schedule": "step", "lr_schedule_options": {"steps": 2}},
            r"unknown option\(s\) \['steps'\]",
        ),
        ({"lr_schedule_options": {"decay": 0.5}}, r"were given without an lr_schedule"),
        ({"divergence_factor": 0.5}, r"divergence_factor must be a finite number in \(1, inf\)"),
    ],
)
def test_solver_options_are_checked_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Solver(small_net(), blobs(), **kwargs)


def test_schedules_refuse_a_zero_step():
    with pytest.raises(ValueError, match=r"step_size must be an integer >= 1, got 0"):
        make_schedule("step", {"step_size": 0})


def test_solver_has_a_real_keyword_signature():
    import inspect

    parameters = inspect.signature(Solver).parameters
    assert parameters["batch_size"].default == 100 and parameters["lr_decay"].default == 1.0
    with pytest.raises(TypeError, match="learning_rate"):
        Solver(small_net(), blobs(), learning_rate=1e-3)


# ---- divergence -----------------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("rule", ["sgd", "adam"])
def test_huge_learning_rate_stops_and_keeps_the_state_from_before(rule, capsys):
    model = small_net()
    initial = {k: v.copy() for k, v in model.params.items()}
    solver = Solver(
        model,
        blobs(),
        update_rule=rule,
        optim_config={"learning_rate": 1e10},
        num_epochs=20,
        batch_size=20,
        verbose=False,
        seed=0,
    )
    solver.train()
    assert solver.stop_reason == "diverged"
    assert len(solver.loss_history) < 10
    for (
        k,
        v,
    ) in (
        initial.items()
    ):  # no checked state was healthy: the initial one is kept, not a huge step's
        np.testing.assert_array_equal(model.params[k], v)
    assert solver.best_val_acc == model.evaluate(solver.X_val, solver.y_val)[0]
    err = capsys.readouterr().err
    assert "learning rate (1e+10) is too high; try 1e+09 or lower" in err and "inf" not in err


def test_a_healthy_run_never_trips_the_divergence_stop(digits):
    for rule, lr in [("sgd", 0.5), ("sgd_momentum", 0.1), ("adam", 1e-2), ("rmsprop", 1e-2)]:
        solver = Solver(
            FullyConnectedNet([64, 64], input_dim=64, weight_scale="he", seed=1),
            digits,
            update_rule=rule,
            optim_config={"learning_rate": lr},
            num_epochs=5,
            batch_size=16,
            verbose=False,
            seed=1,
        )
        solver.train()
        assert solver.stop_reason == "completed", rule
        assert max(solver.loss_history) < 10 * solver.loss_history[0]


def test_badly_scaled_inputs_are_named():
    data = blobs()
    data["X_train"] = data["X_train"] * 1e30
    with pytest.warns(UserWarning, match=r"X_train has values up to .*e\+30; networks train best"):
        Solver(small_net(), data)
    data = blobs()
    data["X_val"] = data["X_val"] * 1e200
    with pytest.raises(
        ValueError,
        match=r"X_val has values up to .*e\+200, which overflow the model's dtype float32",
    ):
        Solver(small_net(), data)


# ---- resume ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, named",
    [
        ({"batch_size": 50}, "batch_size 25 there, 50 here"),
        ({"update_rule": "sgd"}, "update_rule 'adam' there, 'sgd' here"),
        ({"optim_config": {"learning_rate": 1e-2}}, "hyperparameters"),
        ({"lr_decay": 0.5}, "schedule"),
    ],
)
def test_resume_with_other_settings_is_refused(tmp_path, change, named):
    options = dict(update_rule="adam", num_epochs=2, batch_size=25, verbose=False, seed=0)
    Solver(small_net(), blobs(), checkpoint_name=str(tmp_path / "run"), **options).train()
    model = small_net()
    before = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(
        ValueError, match=rf"cannot be resumed exactly with these settings: .*{named}"
    ):
        Solver(model, blobs(), resume=tmp_path / "run_epoch_1.npz", **{**options, **change})
    for k, v in before.items():  # refused before anything changed
        np.testing.assert_array_equal(model.params[k], v)


def test_resume_may_extend_the_number_of_epochs(tmp_path):
    options = dict(update_rule="adam", batch_size=25, verbose=False, seed=0)
    Solver(
        small_net(), blobs(), checkpoint_name=str(tmp_path / "run"), num_epochs=2, **options
    ).train()
    solver = Solver(
        small_net(), blobs(), resume=tmp_path / "run_epoch_2.npz", num_epochs=4, **options
    )
    solver.train()
    assert solver.epoch == 4 and len(solver.val_acc_history) == 5


# ---- the model's own dropout generator --------------------------------------------------------------------------
def test_solver_leaves_the_models_dropout_masks_as_they_were():
    model = small_net(dropout=0.5)
    X = blobs()["X_train"][:8]
    model.train()
    before = model.layers.forward(X.astype(np.float32))
    layers = [layer for layer in model.layers.layers.values() if isinstance(layer, M.Dropout)]
    generators = [(layer.seed, layer.rng) for layer in layers]
    solver = Solver(
        model, blobs(), update_rule="adam", num_epochs=1, batch_size=20, verbose=False, seed=0
    )
    assert [(layer.seed, layer.rng) for layer in layers] == generators
    solver.train()
    assert [(layer.seed, layer.rng) for layer in layers] == generators
    model.train()
    first, second = (
        model.layers.forward(X.astype(np.float32)),
        model.layers.forward(X.astype(np.float32)),
    )
    np.testing.assert_array_equal(first != 0, second != 0)  # the fixed (seeded) mask again
    np.testing.assert_array_equal(first != 0, before != 0)


# ---- batch norm needs a batch ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1])
def test_batchnorm_training_batch_below_two_samples_is_refused(n):
    bn_param = {"mode": "train", "running_mean": np.zeros(5), "running_var": np.ones(5)}
    message = rf"needs at least 2 samples per batch, got {n} samples? \(x of shape \({n}, 5\)\)"
    with pytest.raises(ValueError, match=message):
        batchnorm_forward(np.ones((n, 5)), np.ones(5), np.zeros(5), bn_param)
    np.testing.assert_array_equal(bn_param["running_mean"], np.zeros(5))
    np.testing.assert_array_equal(bn_param["running_var"], np.ones(5))


def test_batchnorm_model_with_batch_size_one_is_refused():
    with pytest.raises(ValueError, match="needs at least 2 samples per batch"):
        Solver(small_net(normalization="batchnorm"), blobs(), batch_size=1, verbose=False).train()
    out, _ = batchnorm_forward(
        np.ones((1, 5)),
        np.ones(5),
        np.zeros(5),
        {"mode": "test", "running_mean": np.zeros(5), "running_var": np.ones(5)},
    )
    assert out.shape == (1, 5)  # evaluation of a single sample is fine


# ---- the Optimizer object ------------------------------------------------------------------------------------------
def test_optimizer_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((4, 3)).astype(np.float32), "b": np.zeros(3, np.float32)}
    grads = [
        {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
        for _ in range(6)
    ]
    one = Optimizer({k: v.copy() for k, v in params.items()}, "adam", learning_rate=1e-2)
    for g in grads:
        one.step(g)
    two = Optimizer({k: v.copy() for k, v in params.items()}, "adam", learning_rate=1e-2)
    for g in grads[:3]:
        two.step(g)
    three = Optimizer({k: v.copy() for k, v in two.params.items()}, "adam")
    three.load_state_dict(two.state_dict())
    assert three.learning_rate == 1e-2 and three.state["W"]["t"] == 3
    for g in grads[3:]:
        three.step(g)
    for k in params:
        np.testing.assert_array_equal(three.params[k], one.params[k])


def test_optimizer_keeps_state_apart_from_hyperparameters():
    opt = Optimizer({"W": np.ones((2, 2))}, "momentum", learning_rate=0.1)
    opt.step({"W": np.ones((2, 2))})
    assert set(opt.hyperparameters) == {"learning_rate", "momentum", "weight_decay"}
    assert set(opt.state["W"]) == {"velocity"}
    with pytest.raises(
        ValueError, match=r"learning_rate must be a finite number in \[0, inf\), got -1"
    ):
        opt.learning_rate = -1
    with pytest.raises(
        ValueError, match=r"the state is of update rule 'sgd_momentum', this optimizer uses 'adam'"
    ):
        Optimizer({"W": np.ones((2, 2))}, "adam").load_state_dict(opt.state_dict())


# ---- the report's other Python-API cases -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            dict(hidden_dims="100"),
            TypeError,
            r"hidden_dims must be a list of positive integers .* got '100'",
        ),
        (
            dict(hidden_dims=None),
            TypeError,
            r"hidden_dims must be a list of positive integers .* got None",
        ),
        (
            dict(hidden_dims=[5], weight_scale=float("inf")),
            ValueError,
            r"weight_scale must be a finite number",
        ),
        (
            dict(hidden_dims=[5], weight_scale=None),
            TypeError,
            r"weight_scale must be a real number, got None",
        ),
        (dict(hidden_dims=[5], reg=float("inf")), ValueError, r"reg must be a finite number"),
        (dict(hidden_dims=[5], alpha=float("nan")), ValueError, r"alpha must be a finite number"),
        (dict(hidden_dims=[5], alpha="x"), TypeError, r"alpha must be a real number, got 'x'"),
        (
            dict(hidden_dims=[5], dtype="banana"),
            TypeError,
            r"dtype must be a floating-point dtype .* got 'banana'",
        ),
        (
            dict(hidden_dims=[5], seed=-1),
            ValueError,
            r"seed must be an integer >= 0 or None, got -1",
        ),
        (
            dict(hidden_dims=[5], seed="abc"),
            ValueError,
            r"seed must be an integer >= 0 or None, got 'abc'",
        ),
    ],
)
def test_model_constructor_names_the_bad_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        FullyConnectedNet(input_dim=4, **kwargs)


def test_layer_functions_name_the_bad_input():
    w, b = np.ones((784, 3)), np.zeros(3)
    with pytest.raises(ValueError, match=r"x must have at least 2 dimensions, got shape \(5,\)"):
        affine_forward(np.ones(5), w, b)
    _, cache = affine_forward(np.ones((4, 784)), w, b)
    with pytest.raises(
        ValueError, match=r"dout must have the forward output's shape \(4, 3\), got \(4, 7\)"
    ):
        affine_backward(np.zeros((4, 7)), cache)
    with pytest.raises(TypeError, match=r"alpha must be a real number, got 'abc'"):
        leaky_relu_forward(np.ones(3), alpha="abc")


@pytest.mark.parametrize("loss", [softmax_loss, svm_loss])
def test_losses_refuse_empty_batches_and_warn_on_non_finite_scores(loss):
    with pytest.raises(ValueError, match=r"x must hold at least one sample, got shape \(0, 3\)"):
        loss(np.zeros((0, 3)), np.zeros(0, int))
    with pytest.warns(RuntimeWarning, match="1 non-finite scores"):
        loss(np.array([[np.inf, 0.0, 0.0]]), np.array([0]))


def test_model_loss_and_predict_refuse_empty_and_nan_inputs():
    model = FullyConnectedNet([5], input_dim=4, seed=0)
    with pytest.raises(ValueError, match=r"X must hold at least one sample to compute a loss"):
        model.loss(np.zeros((0, 4)), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"X holds 8 non-finite values"):
        model.predict(np.full((2, 4), np.nan))


def test_load_of_a_plain_npy_file_says_what_it_is(tmp_path):
    np.save(tmp_path / "arr.npy", np.zeros(3))
    with pytest.raises(
        ValueError, match=r"arr\.npy is not a readable fcnet file .*another format"
    ):
        fcnet.load(tmp_path / "arr.npy")


def test_save_into_an_impossible_place_names_the_target(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match=r"cannot write .*file/m\.npz"):
        fcnet.save(small_net(), blocker / "m.npz")
