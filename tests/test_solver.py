import json
import re
from collections import OrderedDict

import numpy as np
import pytest

import fcnet
from fcnet import FullyConnectedNet
from fcnet import modules as M
from fcnet.optim import UPDATE_RULES
from fcnet.solver import Solver


def blobs(n=300, d=10, c=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = 2 * rng.standard_normal((c, d))
    y = rng.integers(c, size=n)
    X = centers[y] + rng.standard_normal((n, d))
    return {
        "X_train": X[: n * 2 // 3],
        "y_train": y[: n * 2 // 3],
        "X_val": X[n * 2 // 3 :],
        "y_val": y[n * 2 // 3 :],
    }


def small_net(**kwargs):
    options = dict(input_dim=10, num_classes=3, weight_scale="he", seed=0)
    options.update(kwargs)
    return FullyConnectedNet([16], **options)


def test_cs231n_print_format(capsys):
    solver = Solver(
        small_net(),
        blobs(),
        num_epochs=2,
        batch_size=50,
        print_every=2,
        seed=0,
        optim_config={"learning_rate": 0.1},
        progress=False,
    )
    solver.train()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("(Iteration 1 / 8) loss: ")
    assert re.fullmatch(r"\(Epoch 0 / 2\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}", lines[1])
    assert float(lines[0].split()[-1]) == pytest.approx(solver.loss_history[0], abs=1e-6)
    assert len(solver.loss_history) == 8 and len(solver.val_acc_history) == 3


@pytest.mark.parametrize("rule", sorted(UPDATE_RULES))
def test_every_rule_lowers_the_loss(rule):
    lr = {"sgd": 0.05, "sgd_momentum": 0.02, "nesterov_momentum": 0.02, "adagrad": 0.02}.get(
        rule, 1e-3
    )
    solver = Solver(
        small_net(),
        blobs(),
        update_rule=rule,
        optim_config={"learning_rate": lr},
        num_epochs=5,
        batch_size=20,
        verbose=False,
        seed=1,
    )
    solver.train()
    first, last = np.mean(solver.loss_history[:5]), np.mean(solver.loss_history[-5:])
    assert last < 0.7 * first, (first, last)


def test_same_seed_gives_identical_runs():
    runs = []
    for _ in range(2):
        model = small_net(dropout=0.3, normalization="batchnorm")
        solver = Solver(
            model, blobs(), update_rule="adam", num_epochs=3, batch_size=25, verbose=False, seed=7
        )
        solver.train()
        runs.append(
            (
                solver.loss_history,
                solver.val_acc_history,
                {k: v.copy() for k, v in model.params.items()},
            )
        )
    assert runs[0][0] == runs[1][0] and runs[0][1] == runs[1][1]
    for k in runs[0][2]:
        np.testing.assert_array_equal(runs[0][2][k], runs[1][2][k])
    other = Solver(
        small_net(dropout=0.3, normalization="batchnorm"),
        blobs(),
        update_rule="adam",
        num_epochs=3,
        batch_size=25,
        verbose=False,
        seed=8,
    )
    other.train()
    assert other.loss_history != runs[0][0]


def test_epochs_are_shuffled_passes_without_replacement():
    data = blobs(n=90)
    seen = []
    model = small_net()
    original_loss = model.loss

    def recording_loss(X, y=None):
        if y is not None:
            seen.append(X.copy())
        return original_loss(X, y)

    model.loss = recording_loss
    Solver(model, data, num_epochs=1, batch_size=20, verbose=False, seed=0).train()
    rows = np.concatenate(seen)
    assert len(rows) == 60  # 3 batches of 20 from 60 samples
    assert len({r.tobytes() for r in rows}) == 60  # no sample twice


def test_resume_ends_bit_identical_to_uninterrupted_run(tmp_path):
    options = dict(
        update_rule="adam", num_epochs=4, batch_size=25, verbose=False, seed=3, lr_decay=0.9
    )
    full_model = small_net(dropout=0.2, normalization="batchnorm")
    full = Solver(full_model, blobs(), checkpoint_name=str(tmp_path / "run"), **options)
    full.train()

    resumed_model = small_net(
        dropout=0.2, normalization="batchnorm", seed=99
    )  # other initial weights
    resumed = Solver(resumed_model, blobs(), resume=tmp_path / "run_epoch_2.npz", **options)
    assert resumed.epoch == 2
    resumed.train()
    assert resumed.loss_history == full.loss_history
    assert resumed.val_acc_history == full.val_acc_history
    assert resumed.best_val_acc == full.best_val_acc
    for k, v in full_model.params.items():
        np.testing.assert_array_equal(resumed_model.params[k], v)
    for k, v in full_model.buffers().items():
        np.testing.assert_array_equal(resumed_model.buffers()[k], v)


def test_interrupt_saves_checkpoint_and_keeps_best_model(tmp_path):
    def interrupt(solver):
        if solver.epoch == 2:
            raise KeyboardInterrupt

    model = small_net()
    solver = Solver(
        model,
        blobs(),
        update_rule="adam",
        num_epochs=5,
        batch_size=25,
        verbose=False,
        seed=0,
        checkpoint_name=str(tmp_path / "run"),
        epoch_callback=interrupt,
    )
    solver.train()
    assert solver.stop_reason == "interrupted"
    assert (tmp_path / "run_interrupted.npz").exists()
    for k, v in solver.best_params.items():
        np.testing.assert_array_equal(model.params[k], v)
    resumed = Solver(
        small_net(),
        blobs(),
        update_rule="adam",
        num_epochs=5,
        batch_size=25,
        verbose=False,
        seed=0,
        resume=tmp_path / "run_interrupted.npz",
    )
    assert resumed.epoch == 2
    resumed.train()
    assert resumed.stop_reason == "completed"


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_divergence_stops_at_once_and_keeps_finite_best_params(capsys):
    model = small_net()
    solver = Solver(
        model,
        blobs(),
        update_rule="sgd",
        optim_config={"learning_rate": 1e6},
        num_epochs=50,
        batch_size=20,
        verbose=False,
        seed=0,
    )
    solver.train()
    assert solver.stop_reason == "diverged"
    assert solver.loss_history[-1] > 100 * solver.loss_history[0]
    assert len(solver.loss_history) < 50
    assert solver.events[-1]["event"] == "diverged"
    assert all(np.all(np.isfinite(v)) for v in model.params.values())
    err = capsys.readouterr().err
    assert (
        "times its starting level" in err
        and "the learning rate (1e+06) is too high; try 100000" in err
    )


def test_early_stopping_on_validation_accuracy():
    data = blobs()
    data["y_val"] = np.zeros_like(data["y_val"])  # validation accuracy cannot keep improving
    solver = Solver(
        small_net(),
        data,
        update_rule="adam",
        num_epochs=50,
        batch_size=25,
        verbose=False,
        seed=0,
        early_stopping_patience=3,
    )
    solver.train()
    assert solver.stop_reason == "early_stopping"
    assert solver.epoch < 50
    best = int(np.argmax(solver.val_acc_history))
    assert len(solver.val_acc_history) - 1 - best == 3


def test_early_stopping_on_validation_loss():
    solver = Solver(
        small_net(),
        blobs(),
        update_rule="sgd",
        optim_config={"learning_rate": 0.5},
        num_epochs=200,
        batch_size=10,
        verbose=False,
        seed=0,
        early_stopping_patience=2,
        early_stopping_metric="val_loss",
    )
    solver.train()
    assert solver.stop_reason == "early_stopping"
    best = int(np.argmin(solver.val_loss_history))
    assert len(solver.val_loss_history) - 1 - best == 2


@pytest.mark.parametrize(
    "schedule, options, expected",
    [
        (None, {}, [1e-2 * 0.5**e for e in range(4)]),
        ("step", {"step_size": 2, "gamma": 0.1}, [1e-2, 1e-2, 1e-3, 1e-3]),
        ("cosine", {}, [1e-2 * 0.5 * (1 + np.cos(np.pi * e / 4)) for e in range(4)]),
    ],
)
def test_learning_rate_schedules(schedule, options, expected):
    kwargs = (
        {"lr_decay": 0.5}
        if schedule is None
        else {"lr_schedule": schedule, "lr_schedule_options": options}
    )
    solver = Solver(
        small_net(),
        blobs(),
        optim_config={"learning_rate": 1e-2},
        num_epochs=4,
        batch_size=50,
        verbose=False,
        seed=0,
        **kwargs,
    )
    solver.train()
    # lr_history[e] is the rate in force during epoch e (index 0 is the check after the first iteration)
    np.testing.assert_allclose(solver.lr_history[1:], expected, rtol=1e-12)


def test_reduce_on_plateau():
    def frozen(w, dw, config):  # keeps every weight, so the validation accuracy is flat
        return w, config

    solver = Solver(
        small_net(),
        blobs(),
        update_rule=frozen,
        optim_config={"learning_rate": 1e-2},
        num_epochs=7,
        batch_size=50,
        verbose=False,
        seed=0,
        lr_schedule="plateau",
        lr_schedule_options={"patience": 2, "factor_on_plateau": 0.5},
    )
    solver.train()
    # checks at epochs 0..7; the best is the first, every 2 flat epochs halve the rate
    np.testing.assert_allclose(
        solver.lr_history, [1e-2, 1e-2, 1e-2, 5e-3, 5e-3, 2.5e-3, 2.5e-3, 1.25e-3]
    )


def test_history_exports(tmp_path):
    solver = Solver(small_net(), blobs(), num_epochs=3, batch_size=50, verbose=False, seed=0)
    solver.train()
    history = json.loads(solver.save_history(tmp_path / "h.json").read_text())
    assert history["loss_history"] == solver.loss_history
    lines = solver.save_history(tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "epoch,train_loss,train_acc,val_acc,val_loss,learning_rate"
    assert len(lines) == 1 + len(solver.val_acc_history)
    with pytest.raises(ValueError, match=r"path must end in .json or .csv"):
        solver.save_history(tmp_path / "h.txt")


def test_best_params_are_restored():
    model = small_net()
    solver = Solver(
        model, blobs(), update_rule="adam", num_epochs=4, batch_size=25, verbose=False, seed=0
    )
    solver.train()
    for k, v in solver.best_params.items():
        np.testing.assert_array_equal(model.params[k], v)
    assert solver.check_accuracy(solver.X_val, solver.y_val) == solver.best_val_acc


def test_hand_built_mnist_mlp_homework_network_trains_with_the_solver():
    class ThreeLayerLeakyNet:
        """The MNIST MLP homework's network: parameters in a dict, layers in an OrderedDict holding the same arrays."""

        def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=0):
            rng = np.random.default_rng(seed)
            self.params = {
                "W1": rng.standard_normal((input_size, hidden_size)) * weight_init_std,
                "b1": np.zeros(hidden_size),
                "W2": rng.standard_normal((hidden_size, hidden_size)) * weight_init_std,
                "b2": np.zeros(hidden_size),
                "W3": rng.standard_normal((hidden_size, output_size)) * weight_init_std,
                "b3": np.zeros(output_size),
            }
            self.layers = OrderedDict()
            self.layers["Affine1"] = M.Affine(self.params["W1"], self.params["b1"])
            self.layers["LeakyRelu1"] = M.LeakyReLU(0.1)
            self.layers["Affine2"] = M.Affine(self.params["W2"], self.params["b2"])
            self.layers["LeakyRelu2"] = M.LeakyReLU(0.1)
            self.layers["Affine3"] = M.Affine(self.params["W3"], self.params["b3"])
            self.lastLayer = M.SoftmaxWithLoss()

        def predict(self, x):
            for layer in self.layers.values():
                x = layer.forward(x)
            return x

        def loss(self, X, y=None):
            scores = self.predict(X)
            if y is None:
                return scores
            loss = self.lastLayer.forward(scores, y)
            dout = self.lastLayer.backward()
            for layer in reversed(self.layers.values()):
                dout = layer.backward(dout)
            grads = {}
            for i in (1, 2, 3):
                grads[f"W{i}"], grads[f"b{i}"] = (
                    self.layers[f"Affine{i}"].dW,
                    self.layers[f"Affine{i}"].db,
                )
            return loss, grads

    data = blobs()
    net = ThreeLayerLeakyNet(10, 30, 3, weight_init_std=0.1)
    solver = Solver(
        net, data, update_rule="adam", num_epochs=10, batch_size=20, verbose=False, seed=0
    )
    solver.train()
    assert solver.best_val_acc > 0.9
    assert (
        np.mean(np.argmax(net.predict(data["X_val"]), axis=1) == data["y_val"])
        == solver.best_val_acc
    )


def test_digits_with_adam_reaches_97_percent():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_trval, X_test, y_trval, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_trval, y_trval, test_size=0.15, stratify=y_trval, random_state=0
    )
    model = FullyConnectedNet([100], input_dim=64, num_classes=10, weight_scale="he", seed=0)
    solver = Solver(
        model,
        {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val},
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=30,
        batch_size=32,
        verbose=False,
        seed=0,
    )
    solver.train()  # speed is the benchmarks' business (the project never asserts it in a unit test)
    assert np.mean(model.predict(X_test) == y_test) >= 0.97


# ---------------------------------------------------------------------------------------------------------------
# Bad input, caught before training starts
# ---------------------------------------------------------------------------------------------------------------
def test_missing_keys():
    data = blobs()
    del data["y_val"]
    with pytest.raises(ValueError, match=r"data is missing \['y_val'\]"):
        Solver(small_net(), data)


def test_mismatched_lengths():
    data = blobs()
    data["y_train"] = data["y_train"][:-1]
    with pytest.raises(ValueError, match=r"X_train has 200 samples but y_train has 199 labels"):
        Solver(small_net(), data)


def test_labels_out_of_range_for_the_model():
    data = blobs()
    data["y_val"] = data["y_val"] + 5
    with pytest.raises(ValueError, match=r"y_val must be in \[0, 3\)"):
        Solver(small_net(), data)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 0}, r"batch_size must be an integer >= 1, got 0"),
        ({"num_epochs": 0}, r"num_epochs must be an integer >= 1, got 0"),
        ({"update_rule": "adamw"}, r"unknown update_rule 'adamw'; known: \["),
        ({"lr_schedule": "linear"}, r"unknown lr_schedule 'linear'"),
        ({"early_stopping_metric": "acc"}, r"early_stopping_metric must be one of"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Solver(small_net(), blobs(), **kwargs)


def test_non_finite_training_data():
    data = blobs()
    data["X_train"][3, 2] = np.nan
    with pytest.raises(ValueError, match=r"X_train holds 1 non-finite values"):
        Solver(small_net(), data)


def test_checkpoint_from_another_architecture(tmp_path):
    solver = Solver(
        small_net(),
        blobs(),
        num_epochs=1,
        batch_size=50,
        verbose=False,
        checkpoint_name=str(tmp_path / "a"),
    )
    solver.train()
    with pytest.raises(ValueError, match=r"a_epoch_1\.npz is a checkpoint of a FullyConnectedNet"):
        Solver(
            FullyConnectedNet([32], input_dim=10, num_classes=3),
            blobs(),
            resume=tmp_path / "a_epoch_1.npz",
        )
    with pytest.raises(ValueError, match=r"kind 'model', expected 'checkpoint'"):
        Solver(small_net(), blobs(), resume=fcnet.save(small_net(), tmp_path / "m.npz"))


def test_custom_rule_without_a_learning_rate():
    def halfway(w, dw, config):  # a callable rule with its own idea of a step
        config = config if config is not None else {}
        return w - 0.05 * dw, config

    solver = Solver(
        small_net(),
        blobs(),
        update_rule=halfway,
        num_epochs=3,
        batch_size=20,
        verbose=False,
        seed=0,
    )
    solver.train()
    assert solver.stop_reason == "completed"
    assert np.mean(solver.loss_history[-5:]) < np.mean(solver.loss_history[:5])
