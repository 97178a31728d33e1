"""FCNetClassifier: scikit-learn's estimator checks, Pipelines and GridSearchCV, sample and class weights, saving."""

import pickle

import numpy as np
import pytest
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import fcnet
from fcnet.data import load_digits
from fcnet.gradient_check import eval_numerical_gradient, rel_error
from fcnet.layers import softmax, softmax_loss, svm_loss
from fcnet.sklearn import FCNetClassifier

FLOAT32_REASON = (
    "float32 arithmetic (dtype='float32'): BLAS gives the same rows in other last bits in another batch "
    "(a subset, or the data with repeated rows), above the check's 1e-7; the float64 configuration "
    "passes it. With minibatches weight 2 and a repeated row also land in different batches: "
    "test_weight_two_equals_a_duplicate_with_full_batch_training checks the weighted loss itself"
)

CONFIGURATIONS = [
    FCNetClassifier(random_state=0),
    FCNetClassifier(normalization="batchnorm", dropout=0.2, random_state=0),
    FCNetClassifier(early_stopping=True, random_state=0),
    FCNetClassifier(update_rule="sgd", learning_rate=0.01, random_state=0),
    FCNetClassifier(dtype="float64", random_state=0),
    FCNetClassifier(dtype="float32", random_state=0),
]


BATCH_REASON = (
    "batch statistics and dropout masks depend on which rows share a minibatch, so a repeated row is "
    "not the same as a weight of 2 (test_weight_two_equals_a_duplicate_with_full_batch_training checks "
    "the weighted loss itself)"
)
HELD_OUT_REASON = (
    "early stopping holds out a random tenth of the rows: with a repeated row the held-out set is "
    "another one than with a weight of 2"
)


def expected_failures(estimator):
    """The default configuration has none: dtype None trains the checks' float64 data in float64."""
    failures = {}
    if estimator.dtype == "float32":
        failures = {
            "check_sample_weight_equivalence_on_dense_data": FLOAT32_REASON,
            "check_methods_subset_invariance": FLOAT32_REASON,
        }
    if estimator.normalization or estimator.dropout:
        failures["check_sample_weight_equivalence_on_dense_data"] = BATCH_REASON
    if estimator.early_stopping:
        failures["check_sample_weight_equivalence_on_dense_data"] = HELD_OUT_REASON
    return failures


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@parametrize_with_checks(
    CONFIGURATIONS, expected_failed_checks=expected_failures, xfail_strict=True
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    return X * 16, y  # the raw 0..16 pixels, as scikit-learn gives them


def test_grid_search_over_a_pipeline_on_digits(digits):
    X, y = digits
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("net", FCNetClassifier(max_iter=20, random_state=0))]
    )
    search = GridSearchCV(
        pipeline,
        {"net__hidden_layer_sizes": [(32,), (64,)], "net__learning_rate": [1e-3, 3e-3]},
        cv=3,
    )
    search.fit(X[:1200], y[:1200])
    assert set(search.best_params_) == {"net__hidden_layer_sizes", "net__learning_rate"}
    assert search.best_score_ > 0.9
    assert search.score(X[1200:], y[1200:]) > 0.9


def test_cross_validation_with_batchnorm_and_dropout(digits):
    X, y = digits
    model = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "net",
                FCNetClassifier(
                    normalization="batchnorm", dropout=0.2, max_iter=15, random_state=0
                ),
            ),
        ]
    )
    assert cross_val_score(model, X, y, cv=3).mean() > 0.9


def test_any_label_type_comes_back_as_given(digits):
    X, y = digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    for labels in (names[y], y * 10 + 7):
        clf = FCNetClassifier(max_iter=5, random_state=0).fit(X[:500], labels[:500])
        assert set(clf.predict(X[500:600])) <= set(labels)
        assert list(clf.classes_) == sorted(set(labels[:500]))


def test_fitted_attributes_in_scikit_learns_spelling(digits):
    X, y = digits
    clf = FCNetClassifier(max_iter=7, random_state=0).fit(X, y)
    assert clf.n_iter_ == 7 and len(clf.loss_curve_) == 7 and clf.n_features_in_ == 64
    assert clf.best_loss_ == min(clf.loss_curve_) and clf.validation_scores_ is None
    early = FCNetClassifier(
        max_iter=200, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert early.n_iter_ < 200 and early.best_loss_ is None
    assert len(early.validation_scores_) == early.n_iter_
    # the state kept is the lowest-validation-loss epoch's; its accuracy is one of the epochs' scores
    assert early.best_validation_score_ in early.validation_scores_


def test_partial_fit_continues_the_optimizer_state(digits):
    X, y = digits
    clf = FCNetClassifier(batch_size=100, random_state=0)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:1000], y[:1000], classes=np.arange(10))
    steps = clf.optimizer_state_["state"]["W1"]["t"]
    clf.partial_fit(X[:1000], y[:1000])
    assert clf.optimizer_state_["state"]["W1"]["t"] == 2 * steps == 20  # Adam's step count went on
    assert clf.n_iter_ == 2 and clf.loss_curve_[1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match=r"y holds labels \[11\] not in classes"):
        clf.partial_fit(X[:2], np.array([1, 11]))


def test_weight_two_equals_a_duplicate_with_full_batch_training():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 5)), rng.integers(3, size=40)
    options = dict(
        hidden_layer_sizes=(8,), dtype="float64", batch_size=1000, max_iter=20, random_state=0
    )
    weights = np.ones(40)
    weights[:10] = 2
    weighted = FCNetClassifier(**options).fit(X, y, sample_weight=weights)
    duplicated = FCNetClassifier(**options).fit(
        np.vstack([X, X[:10]]), np.concatenate([y, y[:10]])
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), duplicated.predict_proba(X), rtol=1e-9, atol=1e-12
    )


def test_balanced_class_weight_lifts_the_rare_class():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (950, 2)), rng.normal(1.5, 1, (50, 2))])
    y = np.array([0] * 950 + [1] * 50)
    plain = FCNetClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0).fit(X, y)
    balanced = FCNetClassifier(
        hidden_layer_sizes=(16,), max_iter=30, class_weight="balanced", random_state=0
    ).fit(X, y)
    assert np.mean(balanced.predict(X[y == 1]) == 1) > np.mean(plain.predict(X[y == 1]) == 1) + 0.3


@pytest.mark.parametrize("loss", [softmax_loss, svm_loss])
def test_weighted_losses_match_numerical_gradients(loss):
    rng = np.random.default_rng(231)
    x, y, w = rng.standard_normal((9, 4)), rng.integers(4, size=9), rng.uniform(0, 3, size=9)
    value, dx = loss(x, y, w)
    numeric = eval_numerical_gradient(lambda v: loss(v, y, w)[0], x, verbose=False)
    assert rel_error(dx, numeric) < 1e-7
    per_sample = np.array([loss(x[i : i + 1], y[i : i + 1])[0] for i in range(9)])
    assert value == pytest.approx(np.sum(w * per_sample) / np.sum(w), rel=1e-12)


def test_weighted_softmax_loss_equals_scikit_learns_log_loss():
    rng = np.random.default_rng(0)
    x, y, w = rng.standard_normal((20, 3)), rng.integers(3, size=20), rng.uniform(0, 2, size=20)
    assert softmax_loss(x, y, w)[0] == pytest.approx(
        log_loss(y, softmax(x), sample_weight=w, labels=[0, 1, 2]), rel=1e-10
    )


def test_bad_sample_weights_are_named():
    with pytest.raises(ValueError, match=r"sample_weight has 2 weights but there are 3 samples"):
        softmax_loss(np.zeros((3, 2)), np.zeros(3, int), np.ones(2))
    with pytest.raises(
        ValueError, match=r"sample_weight must be finite and >= 0 with a positive sum"
    ):
        softmax_loss(np.zeros((3, 2)), np.zeros(3, int), np.array([1.0, -1.0, 1.0]))


def test_save_load_and_pickle_give_the_same_predictions(digits, tmp_path):
    X, y = digits
    names = np.array(list("abcdefghij"))[y]
    clf = FCNetClassifier(
        normalization="batchnorm", dropout=0.1, max_iter=5, class_weight={"a": 2.0}, random_state=0
    ).fit(X, names)
    loaded = fcnet.load(fcnet.save(clf, tmp_path / "clf.npz"))
    assert isinstance(loaded, FCNetClassifier) and loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.n_iter_ == clf.n_iter_ and loaded.loss_curve_ == clf.loss_curve_
    unpickled = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(unpickled.predict_proba(X), clf.predict_proba(X))
    with np.load(
        tmp_path / "clf.npz", allow_pickle=False
    ) as archive:  # the file itself needs no pickle
        assert "classes" in archive.files
