"""TwoLayerNet and FullyConnectedNet: networks built from :mod:`fcnet.modules`, trainable by the Solver.

A model exposes ``params`` (a dict-like of the very arrays its layers use: 'W1', 'b1', ..., 'gamma1', 'beta1', ...)
and ``loss(X, y=None)``: scores (N, C) when y is None (evaluation mode), else ``(loss, grads)`` with grads keyed
like params (training mode). The L2 term is ``0.5 * reg * sum(W ** 2)`` over the weights only.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import numpy as np

from fcnet._checks import already_checked, check_labels, check_real, check_seed
from fcnet import layer_utils
from fcnet import modules as M
from fcnet import plain_stack
from fcnet._model_checks import _check_choice, _check_dtype, _resolve_dropout, _weight_std

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
NORMALIZATIONS = (None, *layer_utils.NORMALIZATIONS)  # declared once, beside the sandwich layers
LOSSES = ("softmax", "svm")
WEIGHT_INITS = ("he", "xavier")
PREDICT_BATCH_SIZE = 1000


class FullyConnectedNet:
    """{affine - [batch/layer norm] - activation - [dropout]} x (L - 1) - affine - softmax (or SVM) loss.

    hidden_dims: sizes of the hidden layers ([] gives a linear softmax classifier).
    input_dim: features per sample (inputs of any shape (N, d_1, ..., d_k) are flattened).
    num_classes: number of classes C.
    dropout: probability of dropping a hidden unit, in [0, 1). ``dropout_keep_ratio`` (cs231n's newer spelling)
      gives the keep probability instead.
    normalization: None, 'batchnorm' or 'layernorm' (``use_batchnorm=True`` is the older spelling).
    reg: L2 strength (>= 0).
    weight_scale: standard deviation of the initial weights, or 'he' / 'xavier'. Biases start at zero,
      gamma at one, beta at zero.
    dtype: dtype of parameters and computations (float64 for gradient checks).
    seed: seeds the initial weights and fixes the dropout masks, as in cs231n, so that the model can be
      gradient-checked. A Solver with its own seed gives fresh, reproducible dropout masks in training.
    activation: 'relu', 'leaky_relu' (slope `alpha`), 'tanh' or 'sigmoid'.
    loss: 'softmax' or 'svm'.
    """

    # the Solver's steps after the first skip per-call checks (Solver._step)
    trusts_checked_batches = True

    def __init__(
        self,
        hidden_dims: Iterable[int],
        input_dim: int = 3 * 32 * 32,
        num_classes: int = 10,
        dropout: float | None = 0.0,
        normalization: str | None = None,
        reg: float = 0.0,
        weight_scale: float | str = 1e-2,
        dtype: Any = np.float32,
        seed: int | None = None,
        *,
        use_batchnorm: bool | None = None,
        dropout_keep_ratio: float | None = None,
        activation: str = "relu",
        alpha: float = 0.01,
        loss: str = "softmax",
    ) -> None:
        if isinstance(hidden_dims, (int, np.integer)):
            hidden_dims = [hidden_dims]
        elif isinstance(hidden_dims, (str, bytes)) or not isinstance(hidden_dims, Iterable):
            raise TypeError(
                f"hidden_dims must be a list of positive integers (or one integer), got {hidden_dims!r}"
            )
        hidden_dims = list(hidden_dims)
        for name, value in [("input_dim", input_dim), ("num_classes", num_classes)] + [
            (f"hidden_dims[{i}]", h) for i, h in enumerate(hidden_dims)
        ]:
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if use_batchnorm:
            if normalization not in (None, "batchnorm"):
                raise ValueError(
                    f"use_batchnorm=True conflicts with normalization={normalization!r}"
                )
            normalization = "batchnorm"
        _check_choice("normalization", normalization, NORMALIZATIONS)
        _check_choice("activation", activation, ACTIVATIONS)
        _check_choice("loss", loss, LOSSES)
        if isinstance(weight_scale, str):
            _check_choice("weight_scale", weight_scale, WEIGHT_INITS)
        else:
            check_real("weight_scale", weight_scale, 0.0, low_open=True)
        reg, alpha = check_real("reg", reg, 0.0), check_real("alpha", alpha, 0.0)
        seed = check_seed("seed", seed)
        p_drop = _resolve_dropout(dropout, dropout_keep_ratio)
        dtype = _check_dtype(dtype)

        self.hidden_dims = [int(h) for h in hidden_dims]
        self.input_dim = int(input_dim)
        self.num_classes = int(num_classes)
        self.normalization = normalization
        self.use_batchnorm = normalization == "batchnorm"
        self.dropout = p_drop
        self.use_dropout = p_drop > 0
        self.reg = float(reg)
        self.weight_scale = weight_scale
        self.dtype = dtype
        self.seed = seed
        self.activation = activation
        self.alpha = float(alpha)
        self.loss_name = loss
        self.num_layers = 1 + len(self.hidden_dims)

        rng = np.random.default_rng(seed)
        self.layers = M.Sequential(self._build_layers(rng))
        self.params = self.layers.params
        self.loss_layer = M.SoftmaxWithLoss() if loss == "softmax" else M.SVMLoss()
        self._weight_keys = [f"W{i}" for i in range(1, self.num_layers + 1)]

    # ---- construction ------------------------------------------------------------------------------------------
    def _build_layers(self, rng: np.random.Generator) -> list[tuple[str, M.Module]]:
        dims = [self.input_dim, *self.hidden_dims, self.num_classes]
        store: dict = {}
        layers: list[tuple[str, M.Module]] = []
        for i in range(1, self.num_layers + 1):
            fan_in, fan_out = dims[i - 1], dims[i]
            std = _weight_std(self.weight_scale, fan_in, fan_out)
            W = self._initial_weight(rng, std, fan_in, fan_out).astype(self.dtype)
            b = np.zeros(fan_out, dtype=self.dtype)
            layers.append(
                (
                    f"affine{i}",
                    M.Affine(
                        W, b, names={"W": f"W{i}", "b": f"b{i}"}, params=store, input_grad=i > 1
                    ),
                )
            )
            if i == self.num_layers:
                break
            if self.normalization is not None:
                gamma, beta = (
                    np.ones(fan_out, dtype=self.dtype),
                    np.zeros(fan_out, dtype=self.dtype),
                )
                norm_cls = M.BatchNorm if self.normalization == "batchnorm" else M.LayerNorm
                layers.append(
                    (
                        f"{self.normalization}{i}",
                        norm_cls(
                            gamma,
                            beta,
                            names={"gamma": f"gamma{i}", "beta": f"beta{i}"},
                            params=store,
                        ),
                    )
                )
            layers.append((f"{self.activation}{i}", self._make_activation()))
            if self.use_dropout:
                layers.append((f"dropout{i}", self._make_dropout(i)))
        return layers

    # The two hooks through which the course packages (fcnet.courses) draw weights and dropout masks their way.
    def _initial_weight(
        self, rng: np.random.Generator, std: float, fan_in: int, fan_out: int
    ) -> np.ndarray:
        """Layer weights (fan_in, fan_out) with standard deviation `std`, drawn from the model's generator."""
        return std * rng.standard_normal((fan_in, fan_out))

    def _make_dropout(self, layer: int) -> M.Module:
        """The dropout module after hidden layer `layer` (1-based): its own seed derived from the model's."""
        return M.Dropout(self.dropout, seed=None if self.seed is None else self.seed + layer)

    def _make_activation(self) -> M.Module:
        if self.activation == "leaky_relu":
            return M.LeakyReLU(self.alpha)
        return {"relu": M.ReLU, "tanh": M.Tanh, "sigmoid": M.Sigmoid}[self.activation]()

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this architecture (used by :func:`fcnet.save`)."""
        return {
            "hidden_dims": self.hidden_dims,
            "input_dim": self.input_dim,
            "num_classes": self.num_classes,
            "dropout": self.dropout,
            "normalization": self.normalization,
            "reg": self.reg,
            "weight_scale": self.weight_scale,
            "dtype": self.dtype.name,
            "seed": self.seed,
            "activation": self.activation,
            "alpha": self.alpha,
            "loss": self.loss_name,
        }

    @classmethod
    def from_config(cls, config: dict) -> "FullyConnectedNet":
        return cls(**config)

    # ---- state ------------------------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "FullyConnectedNet":
        self.layers.train(mode)
        return self

    def eval(self) -> "FullyConnectedNet":
        return self.train(False)

    @contextmanager
    def _mode(self, training: bool) -> Iterator[None]:
        """Run the block in training or evaluation mode and give the caller's mode back afterwards (cs231n's
        contract: labels given -> a training-mode loss; none -> a test-time forward; PyTorch's: the mode set by
        train()/eval() belongs to the caller)."""
        previous = self.layers.training
        if previous != training:
            self.layers.train(training)
        try:
            yield
        finally:
            if previous != training:
                self.layers.train(previous)

    def buffers(self) -> dict[str, np.ndarray]:
        """Batch norm running statistics, keyed 'running_mean1', 'running_var1', ..."""
        return self.layers.buffers()

    def load_buffers(self, buffers: dict[str, np.ndarray]) -> None:
        self.layers.load_buffers(buffers)

    @contextmanager
    def dropout_rng(self, rng: np.random.Generator) -> Iterator["FullyConnectedNet"]:
        """Within the block, draw fresh dropout masks from `rng` at every training forward; afterwards the
        dropout layers are as they were (the Solver trains inside this block with its own seeded generator)."""
        layers = [layer for layer in self.layers.layers.values() if isinstance(layer, M.Dropout)]
        saved = [(layer.seed, layer.rng) for layer in layers]
        self.set_rng(rng)
        try:
            yield self
        finally:
            for layer, (seed, layer_rng) in zip(layers, saved):
                layer.seed, layer.rng = seed, layer_rng

    def set_rng(self, rng: np.random.Generator) -> None:
        """Draw fresh dropout masks from `rng` at every training forward (the Solver calls this with its seed)."""
        for layer in self.layers.layers.values():
            if isinstance(layer, M.Dropout):
                layer.seed = None
                layer.rng = rng

    # ---- computation ------------------------------------------------------------------------------------------
    def _check_X(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim < 2:
            raise ValueError(
                f"X must have shape (N, {self.input_dim}) or (N, d_1, ..., d_k), got shape {X.shape}"
            )
        features = math.prod(X.shape[1:])
        if features != self.input_dim:
            raise ValueError(
                f"X has {features} features per sample but the model expects "
                f"input_dim={self.input_dim}"
            )
        return X.astype(self.dtype, copy=False)

    @staticmethod
    def _check_finite(X: np.ndarray) -> np.ndarray:
        # one float64 sum instead of an isfinite mask the size of X (47 MB for 60,000 images): a NaN or inf makes
        # the sum non-finite, and finite float32 values cannot overflow it; a non-finite sum is then looked into
        if np.isfinite(X.sum(dtype=np.float64)) or np.all(np.isfinite(X)):
            return X
        raise ValueError(
            f"X holds {int(np.sum(~np.isfinite(X)))} non-finite values (NaN or inf); "
            "a prediction from them would mean nothing"
        )

    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None, sample_weight: np.ndarray | None = None
    ):
        """Scores (N, C) when y is None; else (loss, grads) for a training step.

        X: (N, d_1, ..., d_k) with d_1 * ... * d_k = input_dim; y: (N,) labels in [0, C) or (N, C) one-hot;
        sample_weight: (N,) non-negative weights of the samples in the data loss, or None (all equal).
        """
        # a Solver's step after its first (Solver._step): rows of data it checked
        trusted = already_checked() and y is not None
        X = X.astype(self.dtype, copy=False) if trusted else self._check_X(X)
        if y is None:
            with self._mode(training=False):
                return self.layers.forward(X)
        if not trusted:
            if X.shape[0] == 0:
                raise ValueError(
                    f"X must hold at least one sample to compute a loss, got {X.shape}"
                )
            check_labels("y", y, X.shape[0], self.num_classes)
        with self._mode(training=True):
            data_loss, grads = plain_stack.data_loss_and_grads(
                self.layers, self.loss_layer, X, y, sample_weight, checked=trusted
            )
        reg_loss = 0.0
        if self.reg:
            for key in self._weight_keys:
                W = self.params[key]
                reg_loss += 0.5 * self.reg * float(np.vdot(W, W))
                grads[key] += self.reg * W  # the gradient arrays are fresh from this backward pass
        return data_loss + reg_loss, grads

    def _batches(self, X: np.ndarray, batch_size: int):
        """Yield (start, scores) for consecutive slices of `batch_size` samples, in evaluation mode."""
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
        with self._mode(training=False):
            for start in range(0, X.shape[0], batch_size):
                yield start, self.layers.forward(X[start : start + batch_size])

    def _map_batches(
        self, X: np.ndarray, batch_size: int, transform, tail: tuple, dtype
    ) -> np.ndarray:
        """transform(scores) for every batch, gathered into one array of shape (N, *tail): the activations of
        all samples are never held at once."""
        X = self._check_finite(self._check_X(X))
        out = np.empty((X.shape[0], *tail), dtype=dtype)
        for start, scores in self._batches(X, batch_size):
            out[start : start + len(scores)] = transform(scores)
        return out

    def predict(self, X: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
        """Predicted labels (N,), computed `batch_size` samples at a time."""
        return self._map_batches(X, batch_size, lambda scores: scores.argmax(axis=1), (), np.int64)

    def predict_proba(self, X: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
        """Softmax probabilities (N, C), computed `batch_size` samples at a time."""
        from fcnet.layers import softmax

        return self._map_batches(X, batch_size, softmax, (self.num_classes,), self.dtype)

    def evaluate(
        self,
        X: np.ndarray,
        y: np.ndarray,
        batch_size: int = PREDICT_BATCH_SIZE,
        sample_weight: np.ndarray | None = None,
    ) -> tuple[float, float]:
        """(accuracy, mean loss without the L2 term) in evaluation mode, in one pass of `batch_size` samples;
        both weighted by `sample_weight` (N,) when given."""
        X = self._check_finite(self._check_X(X))
        y = check_labels("y", y, X.shape[0], self.num_classes)
        w = (
            np.ones(X.shape[0])
            if sample_weight is None
            else np.asarray(sample_weight, dtype=np.float64)
        )
        if w.shape != (X.shape[0],):
            raise ValueError(f"sample_weight must have shape ({X.shape[0]},), got {w.shape}")
        correct, total = 0.0, 0.0
        for start, scores in self._batches(X, batch_size):
            labels, weights = y[start : start + batch_size], w[start : start + batch_size]
            correct += float(weights @ (scores.argmax(axis=1) == labels))
            if weights.sum() > 0:
                total += self.loss_layer.forward(
                    scores, labels, None if sample_weight is None else weights
                ) * float(weights.sum())
        return correct / w.sum(), total / w.sum()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})\n{self.layers!r}"


class TwoLayerNet(FullyConnectedNet):
    """affine - ReLU - affine - softmax, with cs231n's signature and defaults (float64)."""

    def __init__(
        self,
        input_dim: int = 3 * 32 * 32,
        hidden_dim: int = 100,
        num_classes: int = 10,
        weight_scale: float | str = 1e-3,
        reg: float = 0.0,
        dtype: Any = np.float64,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            [hidden_dim],
            input_dim=input_dim,
            num_classes=num_classes,
            weight_scale=weight_scale,
            reg=reg,
            dtype=dtype,
            seed=seed,
            **kwargs,
        )

    @classmethod
    def from_config(cls, config: dict) -> "TwoLayerNet":
        config = dict(config)
        (hidden_dim,) = config.pop("hidden_dims")
        return TwoLayerNet(hidden_dim=hidden_dim, **config)


MODEL_CLASSES = {"FullyConnectedNet": FullyConnectedNet, "TwoLayerNet": TwoLayerNet}
