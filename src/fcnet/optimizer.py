"""An optimizer object over the update rules of :mod:`fcnet.optim` (in the manner of ``torch.optim``).

    optimizer = Optimizer(model.params, "adam", learning_rate=1e-3)
    loss, grads = model.loss(X_batch, y_batch)
    optimizer.step(grads)                      # every parameter updated in place
    optimizer.learning_rate *= 0.95            # what schedules set
    state = optimizer.state_dict()             # hyperparameters + per-parameter state, for checkpoints

Hyperparameters are checked once, here, against the rule's declaration (unknown names are refused with the list
of known ones); the per-parameter state (velocity, moments, step count) is kept apart from them.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from fcnet import fused
from fcnet.optim import ALIASES, HYPERPARAMETERS, UPDATE_RULES, UpdateRule, get_update_rule
from fcnet.optim_fused import update_all_in_place


def rule_name(update_rule: str | UpdateRule) -> str:
    """The registry name of a rule given by name or alias, or a callable's own name."""
    if callable(update_rule):
        return getattr(update_rule, "__name__", "custom")
    return ALIASES.get(update_rule, update_rule)


class Optimizer:
    """Update `params` (name -> array, updated in place) with `update_rule` and its hyperparameters.

    update_rule: a name in fcnet.optim.UPDATE_RULES ('sgd', 'sgd_momentum', 'nesterov_momentum', 'adagrad',
      'rmsprop', 'adam', 'adabelief'; aliases 'momentum', 'nesterov') or a callable ``rule(w, dw, config)``.
    hyperparameters: the rule's settings (see fcnet.optim.HYPERPARAMETERS), each checked against its range.
      For a callable rule they are passed as given (checked when the callable declares them in its
      ``hyperparameters`` attribute, as the course packages' rules do), and whatever the rule adds to its config
      is its state.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        update_rule: str | UpdateRule = "sgd",
        **hyperparameters: Any,
    ) -> None:
        self.rule = get_update_rule(update_rule)
        self.rule_name = rule_name(update_rule)
        self.params = params
        # one of fcnet's rules: declared hyperparameters, checked once here, and updates written into w (out=w);
        # a callable may declare its own (a course's renamed rule does), which are checked here too
        self._native = self.rule is UPDATE_RULES.get(self.rule_name)
        self._declared = (
            HYPERPARAMETERS[self.rule_name]
            if self._native
            else getattr(self.rule, "hyperparameters", None)
        )
        self.hyperparameters = self._checked(hyperparameters)
        self._check_representable()
        self.state: dict[str, dict[str, Any]] = {name: {} for name in params}

    def _checked(self, hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
        """The declared hyperparameters with their defaults, each checked and cast; a callable's as given."""
        if self._declared is None:
            return dict(hyperparameters)
        unknown = sorted(set(hyperparameters) - set(self._declared))
        if unknown:
            raise ValueError(
                f"unknown hyperparameter{'s' if len(unknown) > 1 else ''} {unknown} for update "
                f"rule {self.rule_name!r}; known: {sorted(self._declared)}"
            )
        return {
            key: spec.check(key, hyperparameters.get(key, spec.default))
            for key, spec in self._declared.items()
        }

    def _check_representable(self) -> None:
        """A positive epsilon that rounds to zero in the parameters' dtype (float16) would divide by zero."""
        epsilon = self.hyperparameters.get("epsilon")
        for name, w in self.params.items():
            dtype = np.asarray(w).dtype
            if epsilon and np.issubdtype(dtype, np.floating) and dtype.type(epsilon) == 0:
                raise ValueError(
                    f"epsilon={epsilon:g} is 0 in {name}'s dtype {dtype} (smallest positive value "
                    f"{np.finfo(dtype).smallest_subnormal:g}): use float32 parameters or a larger "
                    "epsilon"
                )

    @property
    def learning_rate(self) -> float | None:
        """The current learning rate (None for a callable rule given none)."""
        return self.hyperparameters.get("learning_rate")

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        spec = self._declared["learning_rate"] if self._declared else None
        self.hyperparameters["learning_rate"] = (
            spec.check("learning_rate", value) if spec else float(value)
        )

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient (grads keyed like params)."""
        # fcnet's rules through their fused loops when those can take the update: the same numbers, without the
        # dictionaries below (once numba is loaded: a network of small parameters never loads it, see fcnet.fused)
        kernels = fused.loaded_kernels() if self._native else None
        if kernels is not None and update_all_in_place(
            self.rule_name, self.params, grads, self.state, self.hyperparameters, kernels
        ):
            return
        for name, w in self.params.items():
            config = {**self.hyperparameters, **self.state[name]}
            if self._native:
                _, config = self.rule(
                    w, grads[name], config, out=w, checked=True
                )  # checked in __init__
            else:
                next_w, config = self.rule(w, grads[name], config)
                w[...] = next_w  # in place: layers holding the array itself see the update too
            self.state[name] = {k: v for k, v in config.items() if k not in self.hyperparameters}

    def configs(self) -> dict[str, dict[str, Any]]:
        """cs231n's per-parameter config dicts (hyperparameters and state together), for reading."""
        return {name: {**self.hyperparameters, **state} for name, state in self.state.items()}

    def state_dict(self) -> dict[str, Any]:
        """{'update_rule', 'hyperparameters', 'state': {param: {key: array or number}}}; arrays are not copied."""
        return {
            "update_rule": self.rule_name,
            "hyperparameters": dict(self.hyperparameters),
            "state": {name: dict(state) for name, state in self.state.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Take hyperparameters and state from :meth:`state_dict` (state arrays are copied, checked first)."""
        if state_dict.get("update_rule") != self.rule_name:
            raise ValueError(
                f"the state is of update rule {state_dict.get('update_rule')!r}, "
                f"this optimizer uses {self.rule_name!r}"
            )
        states = state_dict["state"]
        if not set(states) <= set(self.params):
            raise ValueError(
                f"the state is for parameters {sorted(states)}, this optimizer has {sorted(self.params)}"
            )
        loaded: dict[str, dict[str, Any]] = {
            name: {} for name in self.params
        }  # a rule without state stores none
        for name, state in states.items():
            for key, value in state.items():
                value = np.asarray(value)
                if value.ndim == 0:  # a step count or another scalar
                    if (
                        value.dtype.kind not in "iuf"
                        or not np.isfinite(value)
                        or value < 0
                        or (key == "t" and value != int(value))
                    ):
                        raise ValueError(
                            f"state {name}/{key} is {value.item()!r}; expected a count >= 0"
                        )
                    loaded[name][key] = value.item()
                elif value.dtype.kind not in "iuf" or not np.all(np.isfinite(value)):
                    raise ValueError(f"state {name}/{key} holds non-finite or non-numeric values")
                elif value.shape != np.shape(self.params[name]):
                    raise ValueError(
                        f"state {name}/{key} has shape {value.shape}, the parameter "
                        f"{np.shape(self.params[name])}"
                    )
                else:
                    loaded[name][key] = np.array(
                        value, dtype=np.asarray(self.params[name]).dtype, copy=True
                    )
        self.hyperparameters = self._checked(state_dict["hyperparameters"])
        self.state = loaded

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}"
            for k, v in self.hyperparameters.items()
        )
        return f"Optimizer({self.rule_name}, {settings})"
