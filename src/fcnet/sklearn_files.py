"""An FCNetClassifier in fcnet's file format: its parameters, fitted attributes, class labels and network as
arrays and JSON (never pickled), and back, every field checked before the estimator is built."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fcnet import saving
from fcnet.models import FullyConnectedNet


def estimator_state(estimator: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """A fitted FCNetClassifier as arrays and JSON metadata for fcnet.save (no pickle)."""
    params = estimator.get_params()
    params["hidden_layer_sizes"] = list(np.atleast_1d(params["hidden_layer_sizes"]).tolist())
    if isinstance(params["class_weight"], dict):
        params["class_weight"] = [[_plain(k), float(v)] for k, v in params["class_weight"].items()]
    if not (
        params["random_state"] is None or isinstance(params["random_state"], numbers.Integral)
    ):
        params["random_state"] = None  # a RandomState object is not stored
    classes = (
        estimator.classes_.astype(str)
        if estimator.classes_.dtype == object
        else estimator.classes_
    )
    fitted = {
        "n_features_in_": int(estimator.n_features_in_),
        "n_iter_": int(estimator.n_iter_),
        "loss_curve_": list(estimator.loss_curve_),
        "best_loss_": estimator.best_loss_,
        "validation_scores_": estimator.validation_scores_,
        "best_validation_score_": estimator.best_validation_score_,
    }
    if hasattr(estimator, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(n) for n in estimator.feature_names_in_]
    arrays = {**saving.model_state(estimator.model_), "classes": np.asarray(classes)}
    return arrays, {
        "class": type(estimator).__name__,
        "params": params,
        "fitted": fitted,
        "model_config": estimator.model_.get_config(),
    }


def estimator_from_state(
    cls: Any, arrays: dict[str, np.ndarray], meta: dict[str, Any], source: str
) -> Any:
    """The estimator a file describes; every stored name and size is checked against the estimator's own
    parameters and attributes and against the stored network before anything is built."""

    params, fitted, config = meta.get("params"), meta.get("fitted"), meta.get("model_config")
    if not isinstance(params, dict) or not isinstance(fitted, dict):
        raise ValueError(
            f"{source} is damaged: an FCNetClassifier file needs JSON objects 'params' and "
            f"'fitted', got {type(params).__name__} and {type(fitted).__name__}"
        )
    unknown = sorted(set(params) - set(cls().get_params())) + sorted(
        set(fitted) - set(FITTED_ATTRIBUTES)
    )
    if unknown:
        raise ValueError(
            f"{source} is damaged: {unknown} are not FCNetClassifier parameters or fitted "
            f"attributes (parameters: {sorted(cls().get_params())}; fitted: "
            f"{sorted(FITTED_ATTRIBUTES)})"
        )
    saving.check_stored_architecture(config, arrays, source)
    params = dict(params)
    if isinstance(params.get("class_weight"), list):
        params["class_weight"] = {k: v for k, v in params["class_weight"]}
    hidden = params.get("hidden_layer_sizes")
    if not isinstance(hidden, list) or hidden != list(
        np.atleast_1d(config["hidden_dims"]).tolist()
    ):
        raise ValueError(
            f"{source} is damaged: hidden_layer_sizes {hidden!r} does not match the stored "
            f"network's hidden_dims {config['hidden_dims']!r}"
        )
    params["hidden_layer_sizes"] = tuple(hidden)
    classes = arrays.get("classes")
    if classes is None or classes.ndim != 1 or len(classes) != config["num_classes"]:
        raise ValueError(
            f"{source} is damaged: it stores {0 if classes is None else len(classes)} class labels "
            f"for a network of {config['num_classes']} outputs"
        )
    if fitted.get("n_features_in_") != config["input_dim"]:
        raise ValueError(
            f"{source} is damaged: n_features_in_ {fitted.get('n_features_in_')!r} does not match "
            f"the network's input_dim {config['input_dim']}"
        )
    estimator = cls(**params)
    estimator.classes_ = classes
    estimator.model_ = FullyConnectedNet.from_config(config)
    saving.load_model_state(
        estimator.model_, {k: v for k, v in arrays.items() if k != "classes"}, source
    )
    fitted = dict(fitted)
    if "feature_names_in_" in fitted:
        fitted["feature_names_in_"] = np.asarray(fitted["feature_names_in_"], dtype=object)
    for name, value in fitted.items():
        setattr(estimator, name, value)
    estimator.optimizer_state_ = (
        None  # not stored: partial_fit after load starts a fresh optimizer
    )
    return estimator


FITTED_ATTRIBUTES = (
    "n_features_in_",
    "n_iter_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "feature_names_in_",
)


def _plain(value: Any) -> Any:
    """A class label as a JSON value."""
    return value.item() if isinstance(value, np.generic) else value
