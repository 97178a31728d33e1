"""FCNetClassifier's bad inputs from the trial of 2026-12-01 (N20, N21, N94-N103): errors in its own parameter
names, as MLPClassifier gives them, and scikit-learn's dtype convention."""

import numpy as np
import pytest

from fcnet.data import load_digits
from fcnet.sklearn import FCNetClassifier


@pytest.fixture(scope="module")
def data():
    X, y = load_digits()
    return X[:300], y[:300]


@pytest.mark.parametrize(
    "params, pattern",
    [
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),  # N97
        ({"hidden_layer_sizes": "100"}, "hidden_layer_sizes"),  # N98
        ({"max_iter": 0}, "'max_iter' parameter of FCNetClassifier"),  # N99
        ({"n_iter_no_change": 0, "early_stopping": True}, "'n_iter_no_change' parameter"),  # N100
        (
            {"validation_fraction": 1.5, "early_stopping": True},
            "'validation_fraction' parameter",
        ),  # N101
        (
            {"validation_fraction": 0.0, "early_stopping": True},
            "validation_fraction must be in \\(0, 1\\)",
        ),  # N21
        ({"random_state": -5}, "'random_state' parameter"),  # N102
        ({"optimizer_params": [("beta1", 0.5)]}, "'optimizer_params' parameter"),  # N103
        (
            {"learning_rate": 1e-3, "optimizer_params": {"learning_rate": 0.5}},
            "optimizer_params holds 'learning_rate'",
        ),  # N20
        ({"class_weight": {0: -1}}, "class_weight must map classes to finite weights >= 0"),  # N95
    ],
)
def test_parameters_are_refused_under_their_own_names(data, params, pattern):
    X, y = data
    with pytest.raises(ValueError, match=pattern):
        FCNetClassifier(max_iter=params.pop("max_iter", 2), **params).fit(X, y)


@pytest.mark.parametrize("weights", ["negative", "balanced+negative"])
def test_bad_sample_weights_are_named_as_sample_weight(data, weights):
    """N94, N96: the message named an internal 'sample_weight_train'."""
    X, y = data
    w = np.ones(len(y))
    w[0] = -1
    clf = FCNetClassifier(
        max_iter=2, class_weight="balanced" if weights.startswith("balanced") else None
    )
    with pytest.raises(ValueError, match=r"^sample_weight must be finite and >= 0.*from -1 to 1"):
        clf.fit(X, y, sample_weight=w)


def test_float32_input_trains_in_float32_and_other_input_in_float64(data):
    X, y = data
    assert FCNetClassifier(max_iter=1).fit(X.astype(np.float32), y).model_.dtype == np.float32
    assert FCNetClassifier(max_iter=1).fit(X.astype(np.float64), y).model_.dtype == np.float64
    assert FCNetClassifier(max_iter=1).fit((X * 16).astype(int), y).model_.dtype == np.float64
    assert (
        FCNetClassifier(max_iter=1, dtype="float32").fit(X.astype(np.float64), y).model_.dtype
        == np.float32
    )
