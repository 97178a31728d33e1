"""The Solver's steps as compiled runs (fcnet.compiled_steps, fcnet._steps_numba.relu_stack_steps) against the
same Solver step by step: whole trainings equal to the bit (losses, parameters, the rules' state, the modules'
state, checks), for every update rule, label dtype and input shape; divergence inside a run; the flush of tiny
moments inside a run; exact resume; what goes step by step (issue: an epoch close to what its matrix products
cost)."""

import numpy as np
import pytest

from fcnet import FullyConnectedNet, compiled_steps, fused
from fcnet.optim import UPDATE_RULES
from fcnet.solver import Solver

pytest.importorskip("numba")


@pytest.fixture(autouse=True)
def numba_kernels(monkeypatch):
    monkeypatch.setenv("FCNET_KERNELS", "numba")
    if fused.whole_step(fused.kernels()) is None:
        pytest.fail("NumPy's sgemm not found: a NumPy wheel from PyPI bundles it")


def bits(a):
    a = np.asarray(a)
    return a.dtype, a.shape, a.view(f"u{a.itemsize}").tobytes()


def make_data(rows=460, features=(24,), classes=7, label_dtype=np.int64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, *features)).astype(np.float32)
    y = rng.integers(0, classes, rows).astype(label_dtype)
    return {"X_train": X[:-60], "y_train": y[:-60], "X_val": X[-60:], "y_val": y[-60:]}


def make_solver(data, hidden=(30, 17), rule="adam", config=None, model_kwargs=None, **options):
    model = FullyConnectedNet(
        list(hidden),
        input_dim=int(np.prod(data["X_train"].shape[1:])),
        num_classes=7,
        dtype=np.float32,
        seed=4,
        **(model_kwargs or {}),
    )
    settings = dict(num_epochs=3, batch_size=16, seed=2, verbose=False)
    settings.update(options)
    return Solver(
        model, data, update_rule=rule, optim_config=config or {"learning_rate": 1e-2}, **settings
    )


def counting_runs(monkeypatch):
    """Count the compiled runs and the steps they take."""
    calls = []
    real = compiled_steps.run

    def run(solver, parts, order, first_row, steps):
        calls.append(steps)
        return real(solver, parts, order, first_row, steps)

    monkeypatch.setattr(compiled_steps, "run", run)
    return calls


def step_by_step(monkeypatch):
    monkeypatch.setattr(compiled_steps, "plan", lambda solver: None)


def module_state(solver):
    """The state the last step left in the modules: each layer's kept input and gradients, the loss layer's."""
    state = []
    for name, module in solver.model.layers.layers.items():
        kept = module._kept
        if isinstance(kept, tuple):
            assert kept[1] is module.W and kept[2] is module.b
            kept = kept[0]
        state.append((name, bits(kept), [bits(g) for g in getattr(module, "grads", {}).values()]))
    loss_layer = solver.model.loss_layer
    return state, bits(loss_layer._dx), loss_layer.loss


def train_both(monkeypatch, make):
    """(compiled, step by step, the compiled runs' step counts): two Solvers from make(), trained; each keeps the
    modules' state before every check in `.states` (the checks' evaluation passes clear it)."""
    solvers = []
    for compiled in (True, False):
        with monkeypatch.context() as m:
            calls = counting_runs(m) if compiled else None
            if not compiled:
                step_by_step(m)
            solver = make()
            solver.states = []
            check = solver._check

            def state_then_check(epoch_end, solver=solver, check=check):
                solver.states.append(module_state(solver))
                return check(epoch_end)

            solver._check = state_then_check
            solver.train()
            solvers.append(solver)
            if compiled:
                runs = calls
    return solvers[0], solvers[1], runs


def assert_same_training(a, b):
    assert a.t == b.t and a.epoch == b.epoch and a.stop_reason == b.stop_reason
    assert [bits(v) for v in a.loss_history] == [bits(v) for v in b.loss_history]
    assert a.train_acc_history == b.train_acc_history
    assert a.val_acc_history == b.val_acc_history
    assert a.val_loss_history == b.val_loss_history
    for name in a.model.params:
        assert bits(a.model.params[name]) == bits(b.model.params[name]), name
        state_a, state_b = a.optimizer.state[name], b.optimizer.state[name]
        assert sorted(state_a) == sorted(state_b)
        for key in state_a:
            assert bits(state_a[key]) == bits(state_b[key]), (name, key)
    assert len(a.states) == len(b.states) and a.states == b.states


RULE_SETTINGS = {
    "sgd": {"learning_rate": 5e-2, "weight_decay": 1e-3},
    "sgd_momentum": {"learning_rate": 2e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 2e-2, "momentum": 0.8, "weight_decay": 1e-2},
    "adagrad": {"learning_rate": 1e-2},
    "rmsprop": {"learning_rate": 1e-3, "decay_rate": 0.95},
    "adam": {"learning_rate": 2e-3, "weight_decay": 1e-2},
    "adabelief": {"learning_rate": 2e-3, "beta1": 0.8},
}


def test_every_rule_has_settings_here():
    assert set(RULE_SETTINGS) == set(UPDATE_RULES)


@pytest.mark.parametrize("rule", sorted(RULE_SETTINGS))
def test_a_training_equals_the_step_by_step_one_to_the_bit(monkeypatch, rule):
    data = make_data()
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(data, rule=rule, config=RULE_SETTINGS[rule], restore_best=False),
    )
    # 25 steps an epoch: the first step alone, then runs up to each epoch's end
    assert calls == [24, 25, 25]
    assert compiled.timings["steps"] > 0 and reference.timings["steps"] == 0
    assert_same_training(compiled, reference)


@pytest.mark.parametrize(
    "label_dtype, features, hidden",
    [
        (np.int64, (24,), (30, 17)),
        (np.uint8, (1, 4, 6), (9,)),
        (np.int32, (24,), (5, 40, 3)),
        (np.int16, (3, 8), (64, 64)),
    ],
)
def test_labels_inputs_and_networks(monkeypatch, label_dtype, features, hidden):
    data = make_data(features=features, label_dtype=label_dtype)
    compiled, reference, calls = train_both(
        monkeypatch, lambda: make_solver(data, hidden=hidden, restore_best=False)
    )
    assert sum(calls) == compiled.t - 1
    assert_same_training(compiled, reference)


def test_runs_stop_at_progress_lines_and_max_steps(monkeypatch, capsys):
    data = make_data(rows=1060)  # 1,000 training rows: 62 steps an epoch at batch 16
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(
            data, num_epochs=2, verbose=True, print_every=10, progress=False, restore_best=False
        ),
    )
    # lines after steps 1, 11, ..., 121: runs from step 1 to 11, ..., 51 to 61; step 62 (the epoch's end) alone;
    # 62 to 71, ..., 111 to 121, then to 124
    assert calls == [10] * 6 + [9] + [10] * 5 + [3]
    out = capsys.readouterr().out
    assert out.count("(Iteration") == 2 * 13
    assert_same_training(compiled, reference)
    with monkeypatch.context() as m:
        calls = counting_runs(m)
        make_solver(data, num_epochs=1, restore_best=False).train()
    assert calls == [compiled_steps.MAX_STEPS, 61 - compiled_steps.MAX_STEPS]


def test_a_loss_that_explodes_inside_a_run_stops_it_before_its_update(monkeypatch):
    data = make_data()
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(
            data, rule="sgd", config={"learning_rate": 100.0}, num_epochs=5, restore_best=False
        ),
    )
    assert reference.stop_reason == "diverged" and 2 < reference.t < 25
    assert calls and compiled.stop_reason == "diverged"
    assert len(compiled.loss_history) == compiled.t + 1
    assert_same_training(compiled, reference)
    assert module_state(compiled) == module_state(reference)


def test_tiny_moments_are_flushed_inside_a_run(monkeypatch):
    """A feature that is zero in every row gives W1's first row a zero gradient: moments set to 1e-35 there after
    the first step (with the step count at 97) stay tiny until fcnet.optim_fused's flush zeroes them at step 100,
    the third step of the first run."""
    data = make_data()
    data["X_train"][:, 0] = 0

    def tiny_moments(solver, record):
        if record.iteration == 1:
            for name, state in solver.optimizer.state.items():
                state["t"] = 97
                if name == "W1":
                    state["m"][0] = state["v"][0] = 1e-35

    def make():
        solver = make_solver(data, num_epochs=2, restore_best=False)
        solver.epoch_steps.insert(0, tiny_moments)
        return solver

    compiled, reference, calls = train_both(monkeypatch, make)
    assert calls == [24, 25]
    for solver in (compiled, reference):
        state = solver.optimizer.state["W1"]
        assert state["t"] == 97 + 49
        assert np.all(state["m"][0] == 0) and np.all(state["v"][0] == 0)
    assert_same_training(compiled, reference)


def test_exact_resume_from_a_checkpoint(monkeypatch, tmp_path):
    data = make_data()
    straight = make_solver(data, num_epochs=2, restore_best=False).train()
    make_solver(data, num_epochs=1, restore_best=False, checkpoint_name=tmp_path / "c").train()
    checkpoint = tmp_path / "c_epoch_1.npz"
    resumed = make_solver(data, num_epochs=2, restore_best=False, resume=str(checkpoint)).train()
    assert resumed.loss_history == straight.loss_history
    for name in straight.model.params:
        assert bits(resumed.model.params[name]) == bits(straight.model.params[name])


@pytest.mark.parametrize(
    "change",
    [
        "reg",
        "sample_weight",
        "with_replacement",
        "one_hot",
        "float64_data",
        "numpy_kernels",
        "dropout",
        "custom_rule",
    ],
)
def test_what_goes_step_by_step(monkeypatch, change):
    data = make_data()
    options, model_kwargs, rule = {}, {}, "adam"
    if change == "reg":
        model_kwargs["reg"] = 1e-3
    elif change == "sample_weight":
        data["sample_weight_train"] = np.linspace(0.5, 1.5, 400)
    elif change == "with_replacement":
        options["sample_with_replacement"] = True
    elif change == "one_hot":
        data["y_train"] = np.eye(7, dtype=np.float32)[data["y_train"]]
    elif change == "float64_data":
        data["X_train"] = data["X_train"].astype(np.float64)
    elif change == "numpy_kernels":
        monkeypatch.setenv("FCNET_KERNELS", "numpy")
    elif change == "dropout":
        model_kwargs["dropout_keep_ratio"] = 0.9
    elif change == "custom_rule":

        def rule(w, dw, config=None):
            return w - 1e-2 * dw, config

    calls = counting_runs(monkeypatch)
    solver = make_solver(data, rule=rule, model_kwargs=model_kwargs, num_epochs=2, **options)
    solver.train()
    assert calls == [] and solver.t == 50 and solver.timings["steps"] == 0


def test_read_only_memory_mapped_data(monkeypatch, tmp_path):
    """The .npy cache's arrays are memory-mapped read only: the runs read them as they are."""
    data = make_data()
    for key in ("X_train", "y_train"):
        np.save(tmp_path / f"{key}.npy", data[key])
        data[key] = np.load(tmp_path / f"{key}.npy", mmap_mode="r")
    compiled, reference, calls = train_both(
        monkeypatch, lambda: make_solver(data, restore_best=False)
    )
    assert not compiled.X_train.flags.writeable and calls == [24, 25, 25]
    assert_same_training(compiled, reference)


def test_runs_stop_before_the_steps_the_diagnostics_measure(monkeypatch):
    data = make_data(
        rows=1060
    )  # 1,000 training rows, 125 steps an epoch at batch 8: measured every 7
    compiled, reference, calls = train_both(
        monkeypatch,
        lambda: make_solver(
            data, diagnostics=True, batch_size=8, num_epochs=1, restore_best=False
        ),
    )
    assert compiled.monitor.interval == 7
    # steps 0, 7, ..., 119 (counted from 0) measured one by one; the 6 between two of them as a run, 5 at the end
    assert calls == [6] * 17 + [5]
    measured = compiled.history.diagnostics
    assert len(measured) == len(range(0, 125, 7)) and measured == reference.history.diagnostics
    assert_same_training(compiled, reference)
