"""The fused update loops (fcnet._fused_numba, numba) against the NumPy rules they fuse: the same trajectories to
the last bit, for every rule, dtype and weight decay; the switch (FCNET_KERNELS) (issue: an epoch close to what its
matrix products cost)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fcnet import fused, optim, optim_fused
from fcnet.optimizer import Optimizer

pytest.importorskip("numba")


def trajectory(monkeypatch, path, rule, dtype, weight_decay, steps=200):
    monkeypatch.setenv("FCNET_KERNELS", path)
    rng = np.random.default_rng(1)
    # W above fused.FUSE_MIN (the fused loop), b below it (the NumPy path), as in a real network
    params = {
        "W": rng.standard_normal((160, 128)).astype(dtype),
        "b": rng.standard_normal(128).astype(dtype),
    }
    optimizer = Optimizer(params, rule, learning_rate=1e-2, weight_decay=weight_decay)
    for step in range(steps):
        grads = {k: rng.standard_normal(v.shape).astype(dtype) for k, v in params.items()}
        if step % 7 == 0:
            grads["W"][:5] = (
                0  # exact zeros: moments that decay towards the subnormals (the flush every 100 steps)
            )
        optimizer.step(grads)
    return params, optimizer.state_dict()


@pytest.mark.parametrize("rule", list(optim.UPDATE_RULES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_the_fused_loop_follows_the_numpy_rule_to_the_last_bit(
    monkeypatch, rule, dtype, weight_decay
):
    reference, state = trajectory(monkeypatch, "numpy", rule, dtype, weight_decay)
    fast, fast_state = trajectory(monkeypatch, "numba", rule, dtype, weight_decay)
    for name in reference:
        np.testing.assert_array_equal(fast[name], reference[name])
    for name, entries in state["state"].items():
        for key, value in entries.items():
            np.testing.assert_array_equal(fast_state["state"][name][key], value)


def test_the_fused_loop_really_runs(monkeypatch):
    calls = []
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    module = fused.kernels()
    original = module.adam
    monkeypatch.setattr(
        module, "adam", lambda *args: (calls.append(args[0].shape), original(*args))[1]
    )
    params = {"W": np.ones((160, 128), np.float32), "b": np.ones(128, np.float32)}
    Optimizer(params, "adam", learning_rate=1e-3).step(
        {k: np.ones_like(v) for k, v in params.items()}
    )
    assert calls == [
        (160, 128),
        (128,),
    ]  # the weights load numba; then the small bias goes through it too


def test_a_network_of_small_parameters_never_imports_numba():
    """scikit-learn's digits (64-100-10): every parameter below fused.FUSE_MIN, so numba (a second to import)
    is not loaded; the update rules run NumPy's operations."""
    code = (
        "import sys, numpy as np\n"
        "from fcnet.optimizer import Optimizer\n"
        "params = {'W1': np.ones((64, 100)), 'b1': np.ones(100), 'W2': np.ones((100, 10))}\n"
        "opt = Optimizer(params, 'adam', learning_rate=1e-3)\n"
        "for _ in range(3):\n"
        "    opt.step({k: np.ones_like(v) for k, v in params.items()})\n"
        "print('numba' in sys.modules, 'fcnet._fused_numba' in sys.modules)\n"
    )
    env = {**os.environ, "FCNET_KERNELS": "auto"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_the_switch(monkeypatch):
    monkeypatch.setenv("FCNET_KERNELS", "numpy")
    assert fused.kernels() is None
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    assert fused.kernels() is not None
    monkeypatch.setenv("FCNET_KERNELS", "fortran")
    with pytest.raises(ValueError, match="FCNET_KERNELS must be one of"):
        fused.kernels()


def test_a_rule_called_on_its_own_returns_a_new_array_on_either_path(monkeypatch):
    """Only the Optimizer's in-place update (out=w) takes the fused loop; cs231n's call gives a new array."""
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    w, dw = np.ones((3, 4), np.float32), np.full((3, 4), 0.5, np.float32)
    next_w, config = optim.adam(w, dw)
    assert next_w is not w and np.all(w == 1) and config["t"] == 1


@pytest.mark.slow
def test_the_exactness_tests_of_the_rules_pass_on_the_numpy_path_too():
    """test_optim.py (PyTorch trajectories, the homework's rules) runs on the default (fused) path in the suite;
    here once more with FCNET_KERNELS=numpy."""
    tests = Path(__file__).parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tests / "test_optim.py"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "FCNET_KERNELS": "numpy", "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:]


def _losses_both_ways(monkeypatch, x, y):
    from fcnet.loss_kernels import softmax_loss

    fused.kernels()  # numba loaded, as a network with large weights loads it
    monkeypatch.setenv("FCNET_KERNELS", "numpy")
    reference = softmax_loss(x, y)
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    return reference, softmax_loss(x, y)


@pytest.mark.parametrize(
    "scale, n", [(1.0, 100), (1000.0, 100), (3.0, 1)], ids=["scores", "scores near 1000", "one"]
)
def test_the_fused_softmax_loss_follows_the_numpy_one_to_float32_rounding(monkeypatch, scale, n):
    rng = np.random.default_rng(5)
    x = (scale * rng.standard_normal((n, 10))).astype(np.float32)
    y = rng.integers(0, 10, n)
    (loss, dx), (fast_loss, fast_dx) = _losses_both_ways(monkeypatch, x, y)
    assert fast_dx.dtype == np.float32 and np.isfinite(fast_loss)
    assert abs(fast_loss - loss) <= 2e-6 * max(1.0, abs(loss))
    np.testing.assert_allclose(fast_dx, dx, rtol=1e-5, atol=1e-7 / n)


def test_float64_scores_always_take_the_numpy_softmax(monkeypatch):
    """The courses' printed numbers and the gradient checks are float64: their digits never depend on whether
    numba happens to be loaded."""
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((50, 10)), rng.integers(0, 10, 50)
    (loss, dx), (again, dx_again) = _losses_both_ways(monkeypatch, x, y)
    assert loss == again and np.array_equal(dx, dx_again)


def test_training_follows_the_numpy_path_to_float32_rounding(monkeypatch):
    """A float32 network trained 200 steps with Adam on each path. Along the NumPy trajectory, every step's fused
    softmax loss and gradient agree with NumPy's to float32 rounding (1e-6 relative); the update loops are
    bit-identical (above). Over 200 steps float32 training is chaotic: a 1e-7 change anywhere grows to 1e-4 -
    1e-3 in the loss (measured: the same grows from running the GEMMs on 2 threads instead of 1), so the two
    trajectories are compared where it counts: the same losses to 1%, the same accuracy to 2 samples in 200."""
    import fcnet.layers as L
    from fcnet import FullyConnectedNet
    from fcnet.loss_kernels import softmax_loss
    from fcnet.solver import Solver

    rng = np.random.default_rng(7)
    X = rng.standard_normal((2000, 200)).astype(np.float32)
    y = (X[:, :10].argmax(axis=1)).astype(np.int64)
    data = {"X_train": X, "y_train": y, "X_val": X[:200], "y_val": y[:200]}
    fused.kernels()
    worst = []

    def both_ways(x, labels, sample_weight=None):
        monkeypatch.setenv("FCNET_KERNELS", "numba")
        fast_loss, fast_dx = softmax_loss(x, labels, sample_weight)
        monkeypatch.setenv("FCNET_KERNELS", "numpy")
        loss, dx = softmax_loss(x, labels, sample_weight)
        worst.append(
            max(abs(fast_loss - loss) / loss, np.abs(fast_dx - dx).max() / np.abs(dx).max())
        )
        return loss, dx

    results = {}
    for path in ("numpy", "numba"):
        monkeypatch.setenv("FCNET_KERNELS", path)
        if path == "numpy":
            monkeypatch.setattr(L, "softmax_loss", both_ways)
        else:
            monkeypatch.setattr(L, "softmax_loss", softmax_loss)
        model = FullyConnectedNet([128], input_dim=200, num_classes=10, dtype=np.float32, seed=0)
        solver = Solver(model, data, update_rule="adam", batch_size=100, num_epochs=10, seed=0)
        solver.options = solver.options
        solver.train()
        results[path] = (np.array(solver.loss_history), solver.val_acc_history)
    assert len(worst) >= 200 and max(worst) < 1e-6  # every step (and each epoch's validation loss)
    (losses, accuracy), (fast_losses, fast_accuracy) = results["numpy"], results["numba"]
    np.testing.assert_allclose(fast_losses, losses, rtol=1e-2)
    np.testing.assert_allclose(fast_accuracy, accuracy, atol=0.011)  # 2 of 200 samples at most


def test_the_optimizer_runs_the_loops_without_the_rules_dictionaries(monkeypatch):
    """After a first step (which creates the state through the rule), the Optimizer calls the fused loop itself
    (fcnet.optim_fused.update_all_in_place): the rule function is not called, and the numbers stay the rule's."""
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    rng = np.random.default_rng(3)
    params = {"W": rng.standard_normal((160, 128)).astype(np.float32)}
    reference = {"W": params["W"].copy()}
    grads = [{"W": rng.standard_normal((160, 128)).astype(np.float32)} for _ in range(3)]
    fast = Optimizer(params, "adam", learning_rate=1e-3)
    slow_config: dict = {"learning_rate": 1e-3}
    for step, g in enumerate(grads):
        fast.step(g)
        if step == 0:
            monkeypatch.setattr(fast, "rule", None)  # a call to the rule would now fail
        reference["W"], slow_config = optim.adam(reference["W"], g["W"], slow_config)
    np.testing.assert_array_equal(params["W"], reference["W"])
    assert fast.state["W"]["t"] == slow_config["t"] == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(100, 300), (7, 3, 5), (1,)])
def test_the_fused_relu_gives_numpys_numbers_to_the_bit(monkeypatch, dtype, shape):
    """Forward and backward on both paths, with the values where the two could part: signed zeros, NaN, infinities
    (NumPy's maximum gives +0 for -0 and keeps NaN; its product gives -0 and NaN for inf * 0)."""
    from fcnet import layers

    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    special = [-0.0, 0.0, np.nan, -1.0, 2.0, -np.inf, np.inf]
    x.reshape(-1)[: len(special)] = special[: x.size]
    dout.reshape(-1)[: len(special)] = [-1.0, np.nan, np.inf, -2.0, 3.0, 5.0, -np.inf][: x.size]
    results = {}
    for path in ("numpy", "numba"):
        monkeypatch.setenv("FCNET_KERNELS", path)
        fused.kernels()  # numba loaded (the layers use it once it is)
        calls = []
        if path == "numba":
            module = fused.kernels()
            for name in ("relu_forward", "relu_backward"):
                original = getattr(module, name)
                monkeypatch.setattr(
                    module, name, lambda *a, o=original, n=name: (calls.append(n), o(*a))[1]
                )
        with np.errstate(invalid="ignore"):
            out, cache = layers.relu_forward(x)
            dx = layers.relu_backward(dout, cache)
        assert calls == ([] if path == "numpy" else ["relu_forward", "relu_backward"])
        results[path] = (out, dx)
    for fast, reference in zip(results["numba"], results["numpy"]):
        assert fast.dtype == reference.dtype and fast.shape == reference.shape
        np.testing.assert_array_equal(
            fast.view(f"u{fast.itemsize}"), reference.view(f"u{fast.itemsize}")
        )


def test_a_resumed_run_on_the_fused_path_ends_bit_identical(monkeypatch, tmp_path):
    """The Optimizer's direct loop calls (update_all_in_place) keep the step count and the moments where checkpoints
    read them: a float32 run resumed from its epoch-2 checkpoint ends with the uninterrupted run's weights, bit for
    bit, with every update of a weight matrix after the first through the loops."""
    from fcnet import FullyConnectedNet, optim_fused
    from fcnet.solver import Solver

    monkeypatch.setenv("FCNET_KERNELS", "numba")
    # step by step: this test watches the Optimizer's direct path (compiled runs: tests/test_compiled_steps.py)
    monkeypatch.setattr("fcnet.compiled_steps.plan", lambda solver: None)
    calls = []
    original = optim_fused.update_all_in_place
    monkeypatch.setattr(
        "fcnet.optimizer.update_all_in_place", lambda *a: calls.append(original(*a)) or calls[-1]
    )
    rng = np.random.default_rng(11)
    X = rng.standard_normal((400, 200)).astype(np.float32)
    y = X[:, :10].argmax(axis=1)
    data = {"X_train": X, "y_train": y, "X_val": X[:100], "y_val": y[:100]}
    options = dict(update_rule="adam", num_epochs=4, batch_size=50, verbose=False, seed=2)

    def net(seed):  # W1 (200, 128): above fused.FUSE_MIN
        return FullyConnectedNet([128], input_dim=200, num_classes=10, dtype=np.float32, seed=seed)

    full_model = net(0)
    Solver(full_model, data, checkpoint_name=str(tmp_path / "run"), **options).train()
    assert sum(calls) > 0.9 * len(calls)  # the direct path ran (every step after the first)
    resumed_model = net(99)
    resumed = Solver(resumed_model, data, resume=tmp_path / "run_epoch_2.npz", **options)
    assert resumed.epoch == 2
    resumed.train()
    for name, value in full_model.params.items():
        np.testing.assert_array_equal(resumed_model.params[name], value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.0])
def test_the_fused_leaky_relu_gives_numpys_numbers_and_slopes_to_the_bit(
    monkeypatch, dtype, alpha
):
    """The forward's output and its cache (the slope, 1 or alpha) on both paths, signed zeros, NaN and infinities
    included; the backward (dout times the slope) is one NumPy product on both."""
    from fcnet import layers

    rng = np.random.default_rng(6)
    x = rng.standard_normal((50, 30)).astype(dtype)
    x.reshape(-1)[:7] = [-0.0, 0.0, np.nan, -1.0, 2.0, -np.inf, np.inf]
    results, calls = {}, []
    for path in ("numpy", "numba"):
        monkeypatch.setenv("FCNET_KERNELS", path)
        module = fused.kernels() or fused._load("numba")  # numba loaded on both paths
        if path == "numba":
            original = module.leaky_relu_forward
            monkeypatch.setattr(
                module, "leaky_relu_forward", lambda *a: (calls.append(1), original(*a))[1]
            )
        with np.errstate(invalid="ignore"):
            results[path] = layers.leaky_relu_forward(x, alpha)
    assert calls == [1]
    for fast, reference in zip(results["numba"], results["numpy"]):
        assert fast.dtype == reference.dtype and fast.shape == reference.shape
        np.testing.assert_array_equal(
            fast.view(f"u{fast.itemsize}"), reference.view(f"u{fast.itemsize}")
        )


@pytest.mark.parametrize("case", ["two dtypes", "two step counts"])
def test_a_step_the_loops_cannot_take_whole_goes_through_the_rules(monkeypatch, case):
    """The Optimizer's direct path takes every parameter or none: parameters of two dtypes (one step's scalars
    are in one dtype) or of different step counts (a state set back for one) go through the rule, each with its
    own numbers."""
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    fused.kernels()
    rng = np.random.default_rng(8)
    params = {
        "W": rng.standard_normal((160, 128)).astype(np.float32),
        "V": rng.standard_normal((40, 30)).astype(
            np.float64 if case == "two dtypes" else np.float32
        ),
    }
    reference = {name: value.copy() for name, value in params.items()}
    configs: dict = {name: {"learning_rate": 1e-3} for name in params}
    optimizer = Optimizer(params, "adam", learning_rate=1e-3)
    direct = []
    original = optim_fused.update_all_in_place
    monkeypatch.setattr(
        "fcnet.optimizer.update_all_in_place", lambda *a: direct.append(original(*a)) or direct[-1]
    )
    for step in range(4):
        grads = {k: rng.standard_normal(v.shape).astype(v.dtype) for k, v in params.items()}
        if step == 2 and case == "two step counts":
            optimizer.state["V"]["t"] = configs["V"]["t"] = 1
        optimizer.step(grads)
        for name in params:
            reference[name], configs[name] = optim.adam(
                reference[name], grads[name], configs[name]
            )
    for name in params:
        np.testing.assert_array_equal(params[name], reference[name])
        assert optimizer.state[name]["t"] == configs[name]["t"]
    if case == "two dtypes":
        assert direct == [False] * 4
    else:  # the direct path until the counts part
        assert direct == [False, True, False, False] and optimizer.state["V"]["t"] == 3


@pytest.mark.parametrize("change", ["parameter replaced", "state loaded", "gradient float64"])
def test_the_direct_path_sees_arrays_changed_between_steps(monkeypatch, change):
    """update_all_in_place checks the parameters and their state arrays once and then only that each is still in
    its place: a parameter array replaced, a state loaded from a checkpoint (copied arrays) or a gradient it cannot
    take, between two steps, are each seen; the numbers stay the rule's, step by step."""
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    fused.kernels()
    rng = np.random.default_rng(9)
    params = {
        "W": rng.standard_normal((160, 128)).astype(np.float32),
        "b": rng.standard_normal(128).astype(np.float32),
    }
    reference = {name: value.copy() for name, value in params.items()}
    optimizer = Optimizer(params, "adam", learning_rate=1e-3)
    rules = Optimizer(reference, "adam", learning_rate=1e-3)  # stepped on the NumPy rules
    direct = []
    original = optim_fused.update_all_in_place
    monkeypatch.setattr(
        "fcnet.optimizer.update_all_in_place", lambda *a: direct.append(original(*a)) or direct[-1]
    )
    replaced = None
    for step in range(5):
        grads = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
        if step == 3 and change == "parameter replaced":
            replaced = params["W"]
            params["W"] = replaced.copy()
        if step == 3 and change == "state loaded":
            moments = optimizer.state["W"]["m"]
            optimizer.load_state_dict(optimizer.state_dict())
            assert optimizer.state["W"]["m"] is not moments  # copied in: new arrays
        if step == 3 and change == "gradient float64":
            grads["W"] = grads["W"].astype(np.float64)
        if step == 3 and change == "parameter replaced":
            reference["W"] = reference["W"].copy()
        optimizer.step(grads)
        monkeypatch.setenv("FCNET_KERNELS", "numpy")
        rules.step(grads)
        monkeypatch.setenv("FCNET_KERNELS", "numba")
        for name in params:  # the parameters, and the moments where checkpoints read them
            np.testing.assert_array_equal(params[name], reference[name])
            for key in ("m", "v", "t"):
                np.testing.assert_array_equal(optimizer.state[name][key], rules.state[name][key])
    if change == "parameter replaced":
        assert not np.array_equal(replaced, params["W"])  # the replaced array is left alone
    expected_direct = [False, True, True, change != "gradient float64", True]
    assert direct == expected_direct
