"""The layers of :mod:`fcnet.layers` as objects that hold their parameters, in the style of the MNIST MLP homework.

Each module keeps its parameter arrays in a dict (``module.params``) under names it was given (``W``/``b`` by
default; a model passes ``W1``/``b1``, ...), and the gradients of its last backward in ``module.grads`` under the
same names. ``forward(x)`` / ``backward(dout)`` call the kernels of :mod:`fcnet.layers`; there is no second copy of
any formula. Train/eval behaviour (dropout, batch norm statistics) is switched with ``train()`` / ``eval()``.
Parameters are read from the dict at every forward, so both ``params[k][...] = v`` and ``params[k] = v`` take
effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fcnet import layers as L
from fcnet._checks import check_probability, check_real
from fcnet.loss_modules import (
    SoftmaxWithLoss as SoftmaxWithLoss,
)  # re-exported: fcnet.modules holds every layer
from fcnet.loss_modules import SVMLoss as SVMLoss  # re-exported
from fcnet.param_view import ParamView


class Module:
    """Base class: named parameters in a (possibly shared) dict, gradients, and a training flag."""

    param_roles: tuple[str, ...] = ()

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray] | None = None,
        names: Mapping[str, str] | None = None,
        params: dict | None = None,
    ) -> None:
        self.training = True
        self.params: dict = {} if params is None else params
        self.names = {role: role for role in self.param_roles}
        if names:
            unknown = set(names) - set(self.param_roles)
            if unknown:
                raise ValueError(
                    f"names has unknown roles {sorted(unknown)}; {type(self).__name__} has "
                    f"{list(self.param_roles)}"
                )
            self.names.update(names)
        for role, array in (arrays or {}).items():
            self.params[self.names[role]] = array
        self.grads: dict[str, np.ndarray] = {}
        self._kept: Any = None

    @property
    def _cache(self) -> Any:
        """What the last training-mode forward kept for backward."""
        if self._kept is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward needs a forward pass in training mode first"
            )
        return self._kept

    @_cache.setter
    def _cache(self, cache: Any) -> None:
        # in evaluation mode nothing is kept: every layer's input held until the next batch would cost a whole
        # batch's activations at prediction time (45 MB for 1,000 images through six layers with batch norm)
        self._kept = cache if self.training else None

    def _param(self, role: str) -> np.ndarray:
        return self.params[self.names[role]]

    def parameters(self) -> dict[str, np.ndarray]:
        """This module's parameters, keyed by their names in ``params``."""
        return {self.names[role]: self._param(role) for role in self.param_roles}

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trainable state that must be saved with the model (batch norm's running statistics)."""
        return {}

    def load_buffers(self, buffers: Mapping[str, np.ndarray]) -> None:
        """Restore what :meth:`buffers` returned."""

    def train(self, mode: bool = True) -> "Module":
        self.training = bool(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}={tuple(v.shape)}" for k, v in self.parameters().items())
        return f"{type(self).__name__}({shapes})"


class Affine(Module):
    """Fully-connected layer ``out = x @ W + b``. W: (D, M), b: (M,); x: (N, d_1, ..., d_k) -> (N, M)."""

    param_roles = ("W", "b")

    def __init__(
        self,
        W: np.ndarray,
        b: np.ndarray,
        *,
        names: Mapping[str, str] | None = None,
        params: dict | None = None,
        input_grad: bool = True,
    ) -> None:
        super().__init__({"W": W, "b": b}, names, params)
        self.input_grad = (
            input_grad  # False: backward returns None for x (a first layer's data needs none)
        )

    W = property(lambda self: self._param("W"))
    b = property(lambda self: self._param("b"))
    dW = property(lambda self: self.grads.get("W"))
    db = property(lambda self: self.grads.get("b"))

    def forward(self, x):
        out, self._cache = L.affine_forward(x, self.W, self.b)
        return out

    def backward(self, dout):
        dx, dW, db = L.affine_backward(dout, self._cache, self.input_grad)
        self.grads = {"W": dW, "b": db}
        return dx


class _Activation(Module):
    """A parameter-free elementwise layer defined by the kernels ``<kernel>_forward`` / ``<kernel>_backward`` of
    fcnet.layers, looked up when called (so that a kernel put in place of fcnet's, as the grader does, is used)."""

    kernel = "relu"

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x):
        out, self._cache = getattr(L, f"{self.kernel}_forward")(x)
        return out

    def backward(self, dout):
        return getattr(L, f"{self.kernel}_backward")(dout, self._cache)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    kernel = "relu"


class Sigmoid(_Activation):
    kernel = "sigmoid"


class Tanh(_Activation):
    kernel = "tanh"


class LeakyReLU(_Activation):
    """``x`` where x > 0, ``alpha * x`` elsewhere (the MNIST MLP homework uses alpha = 0.1)."""

    kernel = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_real("alpha", alpha, 0.0)

    def forward(self, x):
        out, self._cache = L.leaky_relu_forward(x, self.alpha)
        return out

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class BatchNorm(Module):
    """Batch normalization over the batch axis; running statistics are used in eval mode. x: (N, D)."""

    param_roles = ("gamma", "beta")

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        *,
        momentum: float = 0.9,
        eps: float = 1e-5,
        names: Mapping[str, str] | None = None,
        params: dict | None = None,
    ) -> None:
        super().__init__({"gamma": gamma, "beta": beta}, names, params)
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        if not float(eps) > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        dim = np.shape(gamma)[0]
        dtype = np.asarray(gamma).dtype
        self.bn_param: dict[str, Any] = {
            "mode": "train",
            "momentum": float(momentum),
            "eps": float(eps),
            "running_mean": np.zeros(dim, dtype=dtype),
            "running_var": np.zeros(dim, dtype=dtype),
        }
        self.buffer_prefix = self.names["gamma"].replace("gamma", "")

    def _buffer_key(self, stat: str) -> str:
        return f"{stat}{self.buffer_prefix}"

    def buffers(self):
        return {
            self._buffer_key(stat): self.bn_param[stat] for stat in ("running_mean", "running_var")
        }

    def load_buffers(self, buffers):
        for stat in ("running_mean", "running_var"):
            self.bn_param[stat] = np.array(buffers[self._buffer_key(stat)], copy=True)

    def forward(self, x):
        self.bn_param["mode"] = "train" if self.training else "test"
        out, self._cache = L.batchnorm_forward(
            x, self._param("gamma"), self._param("beta"), self.bn_param
        )
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = L.batchnorm_backward_alt(dout, self._cache)
        self.grads = {"gamma": dgamma, "beta": dbeta}
        return dx


class LayerNorm(Module):
    """Layer normalization of each sample over its features; the same in train and eval. x: (N, D)."""

    param_roles = ("gamma", "beta")

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        *,
        eps: float = 1e-5,
        names: Mapping[str, str] | None = None,
        params: dict | None = None,
    ) -> None:
        super().__init__({"gamma": gamma, "beta": beta}, names, params)
        if not float(eps) > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.ln_param = {"eps": float(eps)}

    def forward(self, x):
        out, self._cache = L.layernorm_forward(
            x, self._param("gamma"), self._param("beta"), self.ln_param
        )
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = L.layernorm_backward(dout, self._cache)
        self.grads = {"gamma": dgamma, "beta": dbeta}
        return dx


class Dropout(Module):
    """Inverted dropout; p is the probability of dropping a unit. The identity in eval mode.

    With a `seed`, every training forward uses the same mask (cs231n's convention, which makes a network with
    dropout gradient-checkable); otherwise masks come from `rng` (a numpy Generator), fresh at every forward.
    """

    def __init__(
        self, p: float = 0.5, *, seed: int | None = None, rng: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        self.p = check_probability("p", p)
        self.seed = seed
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, x):
        param = {
            "mode": "train" if self.training else "test",
            "p": self.p,
            "seed": self.seed,
            "rng": self.rng,
        }
        out, self._cache = L.dropout_forward(x, param)
        return out

    def backward(self, dout):
        return L.dropout_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """An ordered, named container of modules (the MNIST MLP homework's OrderedDict of layers).

    ``Sequential({"affine1": Affine(...), "relu1": ReLU()})`` or ``Sequential([("affine1", ...), ...])``.
    ``params`` is a :class:`ParamView` over every layer's parameters; ``grads`` gathers their gradients.
    """

    def __init__(self, layers: Mapping[str, Module] | list[tuple[str, Module]]) -> None:
        super().__init__()
        self.layers: dict[str, Module] = dict(layers)
        self.params = ParamView(list(self.layers.values()))  # type: ignore[assignment]
        # observer(name, layer, out), when set, sees every layer's output of a forward pass (the training
        # diagnostics, fcnet.diagnostics, set it for the steps they measure)
        self.observer = None

    def parameters(self) -> dict[str, np.ndarray]:
        return dict(self.params)

    @property
    def grads(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        out: dict[str, np.ndarray] = {}
        for layer in self.layers.values():
            out.update({layer.names[role]: g for role, g in layer.grads.items()})
        return out

    @grads.setter
    def grads(
        self, value
    ) -> None:  # the base class initialises it; the layers own the real gradients
        pass

    def buffers(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for layer in self.layers.values():
            out.update(layer.buffers())
        return out

    def load_buffers(self, buffers) -> None:
        for layer in self.layers.values():
            layer.load_buffers(buffers)

    def train(self, mode: bool = True) -> "Sequential":
        self.training = bool(mode)
        for layer in self.layers.values():
            layer.train(mode)
        return self

    def forward(self, x):
        if self.observer is None:
            for layer in self.layers.values():
                x = layer.forward(x)
            return x
        for name, layer in self.layers.items():
            x = layer.forward(x)
            self.observer(name, layer, x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return dout

    def __getitem__(self, name: str) -> Module:
        return self.layers[name]

    def __iter__(self):
        return iter(self.layers.items())

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({name}): {layer!r}" for name, layer in self.layers.items())
        return f"Sequential(\n{inner}\n)"
