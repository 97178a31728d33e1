"""A second Ctrl-C inside an optimizer step waits for the step (trial 2026-12-01, N13): the interrupted checkpoint
never holds half an update, and resuming from it ends exactly where an uninterrupted run ends."""

import os
import signal

import numpy as np

from fcnet import FullyConnectedNet
from fcnet.data import load_digits, stratified_split
from fcnet.optimizer import Optimizer
from fcnet.solver import Solver

DATA = stratified_split(*load_digits(), val_size=0.15, test_size=0.15, seed=0)


def solver(tmp_path, **kw):
    model = FullyConnectedNet([20], input_dim=64, num_classes=10, seed=0, dtype=np.float64)
    return Solver(
        model,
        DATA,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        batch_size=64,
        num_epochs=2,
        seed=0,
        verbose=False,
        progress=False,
        checkpoint_name=str(tmp_path / "ck"),
        **kw,
    )


def test_a_double_ctrl_c_inside_a_step_lets_the_step_finish(tmp_path, monkeypatch):
    reference = solver(tmp_path / "ref")
    reference.train()

    original_step = Optimizer.step
    calls = {"n": 0}

    def step_interrupted_twice(self, grads):
        calls["n"] += 1
        if calls["n"] != 10:
            return original_step(self, grads)
        names = list(self.params)
        half = {k: grads[k] for k in names[:2]}
        rest = {k: grads[k] for k in names[2:]}
        saved = self.params
        self.params = {k: saved[k] for k in names[:2]}  # update W1 and b1 ...
        original_step(self, half)
        os.kill(os.getpid(), signal.SIGINT)  # ... then the user presses Ctrl-C twice
        os.kill(os.getpid(), signal.SIGINT)
        self.params = {k: saved[k] for k in names[2:]}
        original_step(self, rest)
        self.params = saved

    monkeypatch.setattr(Optimizer, "step", step_interrupted_twice)
    interrupted = solver(tmp_path / "run")
    interrupted.train()
    assert interrupted.stop_reason == "interrupted"
    assert (
        interrupted.t == 10 and len(interrupted.loss_history) == 10
    )  # the step was finished and counted
    monkeypatch.setattr(Optimizer, "step", original_step)

    resumed = solver(tmp_path / "run", resume=tmp_path / "run" / "ck_interrupted.npz")
    resumed.train()
    assert resumed.loss_history == reference.loss_history
    for key in reference.model.params:
        assert np.array_equal(resumed.model.params[key], reference.model.params[key]), key
