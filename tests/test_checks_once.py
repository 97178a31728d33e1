"""The Solver checks its data once and lets the steps after the first skip the layers' per-call checks (issue: an
epoch close to its matrix products); every call outside those steps stays checked."""

import numpy as np
import pytest

from fcnet import FullyConnectedNet, layers
from fcnet._checks import already_checked, inputs_checked
from fcnet.solver import Solver


def _solver(trusting: bool, dtype=np.float32, one_hot=False):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 20)).astype(dtype)
    y = rng.integers(0, 4, 300)
    if one_hot:
        y = np.eye(4, dtype=np.int64)[y]
    model = FullyConnectedNet([16, 16], input_dim=20, num_classes=4, dtype=dtype, seed=0)
    if not trusting:
        model.trusts_checked_batches = False
    data = {"X_train": X, "y_train": y, "X_val": X[:50], "y_val": y[:50]}
    return Solver(
        model, data, update_rule="adam", batch_size=25, num_epochs=3, verbose=False, seed=1
    )


@pytest.mark.parametrize("dtype, one_hot", [(np.float32, False), (np.float64, True)])
def test_trusted_steps_train_bit_for_bit_as_checked_ones(dtype, one_hot):
    trusted, checked = (
        _solver(True, dtype, one_hot).train(),
        _solver(False, dtype, one_hot).train(),
    )
    assert trusted.t == checked.t == 36
    for key, value in checked.model.params.items():
        np.testing.assert_array_equal(trusted.model.params[key], value)
    assert trusted.loss_history == checked.loss_history


def test_the_skipping_stays_inside_the_solvers_steps():
    seen = []
    solver = _solver(True)
    loss = solver.model.loss

    def spying(X, y=None, **kwargs):
        if y is not None:  # a training step's call (the accuracy checks call it for scores)
            seen.append(already_checked())
        elif already_checked():
            raise AssertionError("an accuracy check ran with the checks skipped")
        return loss(X, y, **kwargs)

    solver.model.loss = spying
    solver.train()
    assert seen[0] is False and all(seen[1:]) and len(seen) == 36  # the first step is checked
    assert already_checked() is False
    # a public call after training is checked as ever
    with pytest.raises(ValueError, match="w has 3 rows but x has 4 features"):
        layers.affine_forward(np.ones((2, 4)), np.ones((3, 5)), np.ones(5))


def test_inputs_checked_is_a_context_of_its_own_thread():
    import threading

    inner = []
    with inputs_checked():
        thread = threading.Thread(target=lambda: inner.append(already_checked()))
        thread.start()
        thread.join()
        assert already_checked() is True
    assert inner == [False] and already_checked() is False
