"""fcnet networks as a scikit-learn classifier, for Pipelines, GridSearchCV and cross-validation.

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from fcnet.sklearn import FCNetClassifier

    clf = make_pipeline(StandardScaler(), FCNetClassifier(hidden_layer_sizes=(100,), normalization="batchnorm",
                                                          dropout=0.2, max_iter=30, random_state=0))
    clf.fit(X, y)

Training goes through fcnet's own FullyConnectedNet and Solver (no second training loop). Parameters keep
fcnet's meanings (``reg`` is the L2 strength ``0.5 * reg * sum(W ** 2)``, ``dropout`` the probability of dropping
a unit); fitted attributes are spelled as scikit-learn's MLPClassifier spells them.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from fcnet.models import ACTIVATIONS, NORMALIZATIONS, FullyConnectedNet
from fcnet.optim import ALIASES, UPDATE_RULES
from fcnet.solver import Solver

_CHECK_SAMPLES = 1000  # samples per accuracy check of an epoch (the Solver's num_train_samples / num_val_samples)


class FCNetClassifier(ClassifierMixin, BaseEstimator):
    """A fully-connected network classifier: {affine - [norm] - activation - [dropout]} x L - affine - softmax.

    hidden_layer_sizes: sizes of the hidden layers. activation: 'relu', 'leaky_relu', 'tanh', 'sigmoid'.
    normalization: None, 'batchnorm', 'layernorm'. dropout: probability of dropping a hidden unit. reg: L2.
    update_rule: a rule of fcnet.optim ('sgd', 'sgd_momentum', 'nesterov_momentum', 'adagrad', 'rmsprop', 'adam',
      'adabelief'); learning_rate; optimizer_params: the rule's other hyperparameters (e.g. {'beta2': 0.99}).
    batch_size, max_iter (epochs), lr_schedule / lr_schedule_options (fcnet.schedules), weight_scale ('he',
    'xavier' or a std), dtype (None: float32 for float32 input, float64 for any other, as scikit-learn's
    MLPClassifier; or 'float32' / 'float64').
    early_stopping: hold out `validation_fraction` (stratified), stop after `n_iter_no_change` epochs without a
      lower validation loss and keep the state of the best validation accuracy; otherwise the last state is kept.
    class_weight: None, 'balanced' or {class: weight}, multiplied into sample_weight.
    random_state: seeds the weights, the batches and the dropout masks. verbose: the Solver's progress lines.

    Fitted: classes_, n_features_in_ (feature_names_in_ from a DataFrame), model_ (the FullyConnectedNet),
    n_iter_ (epochs), loss_curve_ (mean training loss per epoch), validation_scores_ and best_validation_score_
    (early stopping), best_loss_ (without early stopping), optimizer_state_ (what partial_fit continues from).
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "normalization": [None, StrOptions(set(NORMALIZATIONS) - {None})],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "reg": [Interval(numbers.Real, 0, None, closed="left")],
        "update_rule": [StrOptions(set(UPDATE_RULES) | set(ALIASES)), callable],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="left")],
        "optimizer_params": [None, dict],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_schedule": [None, str],
        "lr_schedule_options": [None, dict],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "weight_scale": [
            StrOptions({"he", "xavier"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "dtype": [None, StrOptions({"float32", "float64"}), type],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        normalization=None,
        dropout=0.0,
        reg=0.0,
        update_rule="adam",
        learning_rate=1e-3,
        optimizer_params=None,
        batch_size=64,
        max_iter=200,
        lr_schedule=None,
        lr_schedule_options=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        weight_scale="he",
        class_weight=None,
        dtype=None,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.normalization = normalization
        self.dropout = dropout
        self.reg = reg
        self.update_rule = update_rule
        self.learning_rate = learning_rate
        self.optimizer_params = optimizer_params
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.lr_schedule = lr_schedule
        self.lr_schedule_options = lr_schedule_options
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.weight_scale = weight_scale
        self.class_weight = class_weight
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    # ---- fitting ----------------------------------------------------------------------------------------------
    def _check_params(self) -> None:
        """scikit-learn's checks of every parameter (messages name the parameter as MLPClassifier's do), then
        what they cannot say alone."""
        self._validate_params()
        sizes = np.atleast_1d(self.hidden_layer_sizes)
        if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu" or np.any(sizes < 1):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}"
            )
        if self.early_stopping and self.validation_fraction == 0:
            raise ValueError(
                "validation_fraction must be in (0, 1) with early_stopping=True, got 0.0"
            )
        if self.optimizer_params and "learning_rate" in self.optimizer_params:
            raise ValueError(
                f"optimizer_params holds 'learning_rate' ({self.optimizer_params['learning_rate']}); "
                f"give it as learning_rate= (now {self.learning_rate})"
            )
        if isinstance(self.class_weight, dict) and not all(
            isinstance(w, numbers.Real) and np.isfinite(w) and w >= 0
            for w in self.class_weight.values()
        ):
            raise ValueError(
                f"class_weight must map classes to finite weights >= 0, got {self.class_weight!r}"
            )

    def _network_dtype(self, X: np.ndarray) -> np.dtype:
        """scikit-learn's convention (as MLPClassifier): float32 input trains in float32, any other in float64,
        unless dtype is given."""
        return (
            np.dtype(self.dtype)
            if self.dtype is not None
            else (np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64))
        )

    def fit(self, X, y, sample_weight=None) -> "FCNetClassifier":
        """Train a new network for max_iter epochs (fewer with early stopping) on X (n_samples, n_features)."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        weights = self._weights(X, y, sample_weight)
        rng = check_random_state(self.random_state)
        self.model_ = self._build_model(
            X.shape[1], int(rng.randint(2**31)), self._network_dtype(X)
        )
        self.n_iter_, self.loss_curve_, self.optimizer_state_ = 0, [], None
        self._train(
            X,
            labels,
            weights,
            self.max_iter,
            seed=int(rng.randint(2**31)),
            early_stopping=self.early_stopping,
        )
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None) -> "FCNetClassifier":
        """One epoch over (X, y), continuing from the weights and the optimizer state of the calls before.
        classes: every class the calls will see, required on the first call."""
        first = not hasattr(self, "model_")
        self._check_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be given on the first call to partial_fit (every class the calls "
                    "will see)"
                )
            self.classes_ = np.unique(classes)
            rng = check_random_state(self.random_state)
            self.model_ = self._build_model(
                X.shape[1], int(rng.randint(2**31)), self._network_dtype(X)
            )
            self.n_iter_, self.loss_curve_, self.optimizer_state_ = 0, [], None
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes {np.unique(classes).tolist()} differ from those of the first call "
                f"{self.classes_.tolist()}"
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds labels {unknown.tolist()} not in classes {self.classes_.tolist()}"
            )
        labels = np.searchsorted(self.classes_, y)
        seed = int(check_random_state(self.random_state).randint(2**31)) + self.n_iter_
        self._train(
            X, labels, self._weights(X, y, sample_weight), 1, seed=seed, early_stopping=False
        )
        return self

    def _weights(self, X, y, sample_weight) -> np.ndarray:
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
            raise ValueError(
                f"sample_weight must be finite and >= 0 with a positive sum, got values from "
                f"{np.min(weights):g} to {np.max(weights):g} (sum {np.sum(weights):g})"
            )
        if self.class_weight is not None:
            weights = weights * compute_sample_weight(self.class_weight, y)
        return weights

    def _build_model(self, n_features: int, seed: int, dtype: np.dtype) -> FullyConnectedNet:
        hidden = [int(h) for h in np.atleast_1d(self.hidden_layer_sizes)]
        return FullyConnectedNet(
            hidden,
            input_dim=n_features,
            num_classes=max(len(self.classes_), 2),
            dropout=self.dropout,
            normalization=self.normalization,
            reg=self.reg,
            weight_scale=self.weight_scale,
            dtype=dtype,
            seed=seed,
            activation=self.activation,
        )

    def _train(self, X, labels, weights, epochs: int, seed: int, early_stopping: bool) -> None:
        """Train self.model_ through fcnet's Solver, continuing from optimizer_state_ when there is one."""
        if early_stopping:
            if len(labels) < 2:
                raise ValueError(
                    f"early_stopping needs n_samples >= 2 to hold some out, got n_samples={len(labels)}"
                )
            n_val = max(1, int(np.ceil(self.validation_fraction * len(labels))))
            counts = np.bincount(labels)
            # stratified when every class can give a sample to each side (tiny sets are split at random)
            stratify = (
                labels
                if n_val >= np.count_nonzero(counts) and np.min(counts[counts > 0]) >= 2
                else None
            )
            X_train, X_val, y_train, y_val, w_train, w_val = train_test_split(
                X, labels, weights, test_size=n_val, stratify=stratify, random_state=seed
            )
        else:
            X_train, y_train, w_train, X_val, y_val, w_val = X, labels, weights, X, labels, weights
        solver = Solver(
            self.model_,
            {
                "X_train": X_train,
                "y_train": y_train,
                "X_val": X_val,
                "y_val": y_val,
                "sample_weight_train": w_train,
                "sample_weight_val": w_val,
            },
            update_rule=self.update_rule,
            optim_config={"learning_rate": self.learning_rate, **(self.optimizer_params or {})},
            lr_schedule=self.lr_schedule,
            lr_schedule_options=self.lr_schedule_options,
            batch_size=int(min(self.batch_size, len(y_train))),
            num_epochs=int(epochs),
            seed=seed,
            num_train_samples=_CHECK_SAMPLES,
            num_val_samples=None if early_stopping else _CHECK_SAMPLES,
            early_stopping_patience=self.n_iter_no_change if early_stopping else None,
            early_stopping_metric="val_loss",  # smoother than the accuracy of a small held-out set
            restore_best=early_stopping,
            verbose=bool(self.verbose),
            progress=False,
            print_every=10**9 if not self.verbose else 100,
        )
        if self.optimizer_state_ is not None:
            solver.optimizer.load_state_dict(self.optimizer_state_)
        solver.train()
        if solver.stop_reason == "diverged":
            raise RuntimeError(
                f"training diverged at epoch {solver.epoch} (see the message above); lower "
                f"learning_rate={self.learning_rate}"
            )
        self.optimizer_state_ = solver.optimizer.state_dict()
        rows = solver.history.epoch_rows(solver.iterations_per_epoch)[
            1:
        ]  # row 0 is the check after iteration 1
        self.loss_curve_ += [row["train_loss"] for row in rows]
        self.n_iter_ += solver.epoch
        if early_stopping:
            self.validation_scores_ = list(solver.val_acc_history[1:])
            self.best_validation_score_ = solver.best_val_acc
            self.best_loss_ = None
        else:
            self.validation_scores_ = self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None

    # ---- prediction --------------------------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), in the order of classes_."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        proba = self.model_.predict_proba(X).astype(np.float64)
        if (
            len(self.classes_) == 1
        ):  # a one-class fit: a network of two outputs, one of them never a target
            return np.ones((len(X), 1))
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sample (n_samples,), as the labels given to fit."""
        proba = self.predict_proba(X)  # first: it checks that the estimator is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    # ---- fcnet's file format ------------------------------------------------------------------------------------
    def _fcnet_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and JSON metadata for fcnet.save (no pickle): fcnet.sklearn_files.estimator_state."""
        from fcnet.sklearn_files import estimator_state

        check_is_fitted(self)
        return estimator_state(self)

    @classmethod
    def _from_fcnet_state(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], source: str
    ) -> "FCNetClassifier":
        """The estimator saved by _fcnet_state, every field checked (fcnet.sklearn_files.estimator_from_state)."""
        from fcnet.sklearn_files import estimator_from_state

        return estimator_from_state(cls, arrays, meta, source)
