"""ParamView: the parameters of several layers seen as one dict, keyed by their names (a model's ``params``)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np


class ParamView(MutableMapping):
    """A dict-like view of the parameters of several modules, keyed by their names.

    Reading gives the very arrays the modules use; assigning replaces the array in the module (the shape must
    stay the same). Keys cannot be added or removed.
    """

    def __init__(self, modules: list[Any]) -> None:
        self._owner: dict[str, Any] = {}
        for module in modules:
            for key in module.parameters():
                if key in self._owner:
                    raise ValueError(
                        f"two layers have a parameter named {key!r}; give them distinct `names=`"
                    )
                self._owner[key] = module

    def __getitem__(self, key: str) -> np.ndarray:
        return self._owner[key].params[key]

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        if key not in self._owner:
            raise KeyError(f"no parameter named {key!r}; the parameters are {list(self._owner)}")
        value = np.asarray(value)
        old = self[key]
        if value.shape != old.shape:
            raise ValueError(f"params[{key!r}] must have shape {old.shape}, got {value.shape}")
        if value.dtype.kind != "f":  # an integer array would fail at the first in-place update
            raise TypeError(
                f"params[{key!r}] must be a float array (this model's is {old.dtype}), got dtype "
                f"{value.dtype}; use .astype({old.dtype.name!r})"
            )
        self._owner[key].params[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("parameters cannot be removed from a model")

    def __iter__(self) -> Iterator[str]:
        return iter(self._owner)

    def __len__(self) -> int:
        return len(self._owner)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: array{tuple(v.shape)}" for k, v in self.items()) + "}"
