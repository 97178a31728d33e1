"""model.loss leaves the mode as it found it (design review 2026-12-01, change 5): labels given -> a training-mode
loss, none -> a test-time forward, as in cs231n, and the caller's train()/eval() is given back, as in PyTorch."""

import numpy as np

from fcnet import FullyConnectedNet


def model_and_batch():
    rng = np.random.default_rng(0)
    model = FullyConnectedNet(
        [8],
        input_dim=5,
        num_classes=3,
        normalization="batchnorm",
        dropout=0.3,
        seed=0,
        dtype=np.float64,
    )
    return model, rng.standard_normal((6, 5)), rng.integers(0, 3, 6)


def test_loss_with_labels_after_eval_leaves_the_model_in_eval_mode():
    model, X, y = model_and_batch()
    model.eval()
    running = {k: v.copy() for k, v in model.buffers().items()}
    scores_before = model.loss(X)
    model.loss(X, y)  # a training-mode loss, as cs231n's contract says ...
    assert not model.layers.training and not any(
        layer.training for layer in model.layers.layers.values()
    )
    moved = any(not np.array_equal(running[k], v) for k, v in model.buffers().items())
    assert moved  # ... which updates the running statistics, as a training step does
    assert np.array_equal(model.loss(X), model.loss(X))  # still in eval mode: deterministic scores
    assert scores_before.shape == (6, 3)


def test_scores_and_predictions_leave_a_training_model_in_training_mode():
    model, X, y = model_and_batch()
    model.train()
    model.loss(X)
    model.predict(X)
    model.predict_proba(X)
    model.evaluate(X, y)
    assert model.layers.training and all(layer.training for layer in model.layers.layers.values())
