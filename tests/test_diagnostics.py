"""Looking inside training: planted pathologies are found by kind, a healthy run has no finding, the measurements
survive resume, the learning-rate finder's suggestion trains well and leaves the model alone (issue: looking
inside training)."""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from fcnet import FullyConnectedNet
from fcnet.data import load_digits, stratified_split
from fcnet.diagnostics import KINDS, diagnose
from fcnet.diagnostics.lr_finder import lr_find
from fcnet.diagnostics.monitor import activation_stats
from fcnet import modules as M
from fcnet.solver import Solver

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    return stratified_split(X, y, val_size=0.15, test_size=0.15, seed=0)


def net(hidden=(100,), **kwargs):
    kwargs.setdefault("weight_scale", "he")
    return FullyConnectedNet(list(hidden), input_dim=64, num_classes=10, seed=0, **kwargs)


def train(model, data, rule="sgd", lr=1e-2, epochs=10):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Solver(
            model,
            data,
            update_rule=rule,
            optim_config={"learning_rate": lr},
            num_epochs=epochs,
            batch_size=50,
            seed=0,
            verbose=False,
            diagnostics=True,
        ).train()


def kinds(solver):
    return {f.kind for f in solver.diagnose()}


@pytest.mark.parametrize("rule, lr", [("adam", 1e-3), ("sgd_momentum", 1e-2)])
def test_a_healthy_run_has_no_finding(digits, rule, lr):
    solver = train(net(), digits, rule, lr)
    assert solver.best_val_acc > 0.9 and solver.diagnose() == []


def test_learning_rate_10_is_too_high(digits):
    assert "learning_rate_high" in kinds(train(net(), digits, lr=10.0))


def test_learning_rate_1e_7_is_too_low(digits):
    assert {"learning_rate_low", "not_learning"} <= kinds(train(net(), digits, lr=1e-7))


def test_biases_at_minus_5_kill_relu_units(digits):
    model = net()
    model.params["b1"][...] = -5
    found = train(model, digits).diagnose()
    dead = [f for f in found if f.kind == "dead_units"]
    assert dead and dead[0].where == "relu1" and dead[0].evidence["dead units"] > 0.5
    assert "learning_rate_low" not in {
        f.kind for f in found
    }  # dead units explain the still weights


def test_ten_sigmoid_layers_with_small_weights_vanish(digits):
    found = train(net([50] * 10, activation="sigmoid", weight_scale=0.01), digits).diagnose()
    vanishing = [f for f in found if f.kind == "vanishing_gradients"]
    assert vanishing and vanishing[0].where == "W1"


def test_tanh_with_large_weights_saturates(digits):
    assert "saturated_units" in kinds(
        train(net([100, 100], activation="tanh", weight_scale=3.0), digits)
    )


def test_inputs_times_255_are_unscaled(digits):
    scaled = {k: (v * 255 if k.startswith("X") else v) for k, v in digits.items()}
    assert "unscaled_inputs" in kinds(train(net(), scaled, "adam", 1e-3))


def test_random_labels_on_200_samples_overfit(digits):
    rng = np.random.default_rng(0)
    data = {
        "X_train": digits["X_train"][:200],
        "y_train": rng.integers(0, 10, 200),
        "X_val": digits["X_val"],
        "y_val": digits["y_val"],
    }
    assert "overfitting" in kinds(train(net([200]), data, "adam", 1e-3, epochs=60))


def test_one_hidden_unit_underfits(digits):
    assert kinds(train(net([1]), digits, "adam", 1e-3, epochs=20)) == {"underfitting"}


def test_weight_scale_10_starts_far_from_log_c(digits):
    found = [
        f
        for f in train(net(weight_scale=10.0), digits, "adam", 1e-3).diagnose()
        if f.kind == "initial_loss_off"
    ]
    assert found and found[0].evidence["log(C)"] == pytest.approx(np.log(10))


def test_every_kind_is_documented_with_a_source():
    import fcnet.diagnostics.findings as findings

    for kind in KINDS:
        assert f"{kind}:" in findings.__doc__, kind
    for source in ("cs231n", "Karpathy", "Glorot & Bengio 2010"):
        assert source in findings.__doc__


def test_activation_statistics_count_dead_and_saturated_units():
    out = np.zeros((4, 5))
    out[:, :2] = 1.0  # units 0 and 1 fire, 2..4 never do
    assert activation_stats(M.ReLU(), out)["dead"] == pytest.approx(0.6)
    tanh = np.full((2, 4), 0.99)
    tanh[:, 0] = 0.1
    assert activation_stats(M.Tanh(), tanh)["saturated"] == pytest.approx(0.75)
    assert activation_stats(M.Sigmoid(), np.full((2, 2), 0.999))["saturated"] == 1.0
    assert activation_stats(M.Dropout(0.5), out) is None


def test_measurements_are_kept_in_checkpoints_and_resume_exactly(digits, tmp_path):
    def solver(**extra):
        return Solver(
            net(),
            digits,
            update_rule="adam",
            optim_config={"learning_rate": 1e-3},
            num_epochs=4,
            batch_size=50,
            seed=0,
            verbose=False,
            diagnostics=True,
            **extra,
        )

    whole = solver().train()
    first = solver(checkpoint_name=str(tmp_path / "ck"))
    object.__setattr__(first.options, "num_epochs", 2)  # stop half way, as a killed run does
    first.train()
    resumed = solver(resume=str(tmp_path / "ck_epoch_2.npz")).train()
    assert resumed.history.diagnostics == whole.history.diagnostics
    # at most 20 measurements an epoch: 25 iterations an epoch here, so every 2nd one, 13 an epoch
    assert [r["iteration"] for r in whole.history.diagnostics] == list(range(1, 100, 2))


def test_diagnose_takes_only_the_history(digits):
    solver = train(net(), digits, lr=1e-7)
    history = json.loads(json.dumps({**solver.history.to_dict(), **solver.summary()}))
    assert [f.kind for f in diagnose(history, **solver.facts())] == [
        f.kind for f in solver.diagnose()
    ]


def test_lr_find_suggests_a_rate_that_trains_at_least_as_well_and_leaves_the_model(
    digits, tmp_path
):
    model = net()
    before = {k: v.copy() for k, v in model.params.items()}
    result = lr_find(model, digits, update_rule="sgd", batch_size=64)
    assert all(np.array_equal(before[k], model.params[k]) for k in before)
    assert (
        1e-7 < result.suggestion < 10 and len(result.learning_rates) == len(result.losses) <= 100
    )
    accuracy = {}
    for lr in (
        1e-3,
        result.suggestion,
    ):  # fcnet train's default learning rate against the suggestion
        accuracy[lr] = (
            Solver(
                net(),
                digits,
                update_rule="sgd",
                optim_config={"learning_rate": lr},
                num_epochs=10,
                batch_size=64,
                seed=0,
                verbose=False,
            )
            .train()
            .best_val_acc
        )
    assert accuracy[result.suggestion] >= accuracy[1e-3]
    result.plot(tmp_path / "lr.png")
    assert (tmp_path / "lr.png").read_bytes()[:4] == b"\x89PNG"


def test_lr_find_refuses_bad_arguments(digits):
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 10"):
        lr_find(net(), digits, num_iterations=3)
    with pytest.raises(ValueError, match="end_lr"):
        lr_find(net(), digits, start_lr=1.0, end_lr=0.5)


def fcnet_command(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "fcnet", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
        cwd=cwd,
    )


@pytest.mark.slow
def test_the_commands_train_diagnose_lr_find_and_report(tmp_path):
    done = fcnet_command(
        "train",
        "--epochs",
        3,
        "--optimizer",
        "sgd",
        "--lr",
        "1e-7",
        "--out",
        "run",
        "--quiet",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "Findings: learning_rate_low, not_learning; `fcnet diagnose run` says more" in done.stdout
    )
    done = fcnet_command("diagnose", "run", cwd=tmp_path)
    assert (
        done.returncode == 0 and "- learning_rate_low: median update/weight ratio" in done.stdout
    )
    findings = json.loads(fcnet_command("diagnose", "run", "--json", cwd=tmp_path).stdout)
    assert [f["kind"] for f in findings] == ["learning_rate_low", "not_learning"]
    done = fcnet_command("lr-find", "--optimizer", "sgd", "--out", "lr.png", cwd=tmp_path)
    assert done.returncode == 0 and "Suggested learning rate for sgd:" in done.stdout, done.stderr
    done = fcnet_command("report", "run", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "run" / "report.html").is_file(), done.stderr
    page = (tmp_path / "run" / "report.html").read_text()
    assert "learning_rate_low" in page and "http" not in page.replace("http-equiv", "")


@pytest.mark.parametrize(
    "args, message",
    [
        (["diagnose", "nowhere"], "nowhere: no such run directory"),
        (["report", "."], "has no config.json"),
        (
            ["lr-find", "--iterations", "5"],
            "argument --iterations: expected an integer >= 10, got 5",
        ),
    ],
)
def test_bad_arguments_are_one_line(tmp_path, args, message):
    done = fcnet_command(*args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, (
        done.stderr
    )
