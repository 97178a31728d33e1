"""What the course packages share: NumPy's global generator, dropout masks drawn the courses' way, and course
flavours of the native network, Solver and update rules. Every formula is fcnet's own (fcnet.layers, fcnet.optim);
this module only changes where random numbers come from, what a dropout `p` means and what state keys are called.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from fcnet import layers as L
from fcnet import modules as M
from fcnet._checks import check_mode, check_probability, check_real
from fcnet.saving import load_model_state, model_state, read_npz, write_npz
from fcnet.models import FullyConnectedNet
from fcnet.optim import HYPERPARAMETERS, STATE_KEYS, check_config_keys, check_state
from fcnet.solver import Solver


# ---- NumPy's global generator ---------------------------------------------------------------------------------
class GlobalRandom:
    """The slice of numpy.random.Generator's interface the Solver uses, served by NumPy's global generator with
    the legacy calls the courses make (``np.random.choice``), so that ``np.random.seed(231)`` fixes a run."""

    def choice(self, n: int, size: int) -> np.ndarray:
        return np.random.choice(n, size)

    def permutation(self, n: int) -> np.ndarray:
        return np.random.permutation(n)

    @property
    def bit_generator(self) -> "GlobalRandom":
        return self  # what a checkpoint reads: `.state`

    @property
    def state(self) -> dict:
        """The global generator's state as JSON-ready values (a checkpoint saves it)."""
        name, key, pos, has_gauss, gauss = np.random.get_state()
        return {
            "name": name,
            "key": key.tolist(),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "gauss": float(gauss),
        }

    @state.setter
    def state(self, value: dict) -> None:
        np.random.set_state(
            (
                value["name"],
                np.asarray(value["key"], dtype=np.uint32),
                int(value["pos"]),
                int(value["has_gauss"]),
                float(value["gauss"]),
            )
        )


def global_uniform(shape: tuple, dropout_param: Mapping) -> np.ndarray:
    """``np.random.rand(*shape)``, after ``np.random.seed(seed)`` when dropout_param has a seed (the courses
    reseed the global generator there, which makes a network with dropout gradient-checkable)."""
    if dropout_param.get("seed") is not None:
        np.random.seed(dropout_param["seed"])
    return np.random.rand(*shape)


def _dropout_mode(x: Any, dropout_param: Any) -> tuple[np.ndarray, str]:
    if not isinstance(dropout_param, dict):
        raise TypeError(f"dropout_param must be a dict, got {type(dropout_param).__name__}")
    return np.asarray(x), check_mode("dropout_param['mode']", dropout_param.get("mode"))


def keep_dropout_forward(x: np.ndarray, dropout_param: dict) -> tuple[np.ndarray, tuple]:
    """Inverted dropout where p is the probability of KEEPING a unit (cs231n from 2018, ECE C147 HW4).

    x: any shape; dropout_param: {'mode': 'train' | 'test', 'p': keep probability in (0, 1], 'seed': optional}.
    The mask is ``np.random.rand(*x.shape) < p``, scaled by 1 / p, drawn from NumPy's global generator.
    Returns out (x's shape) and the cache fcnet.layers.dropout_backward takes.
    """
    x, mode = _dropout_mode(x, dropout_param)
    p = check_real(
        "dropout_param['p'] (the keep probability)",
        dropout_param.get("p"),
        0.0,
        1.0,
        low_open=True,
    )
    if mode == "test":
        return x.copy(), ("test", None)
    return L.apply_dropout_mask(x, global_uniform(x.shape, dropout_param) < p, 1.0 / p)


def drop_dropout_forward(x: np.ndarray, dropout_param: dict) -> tuple[np.ndarray, tuple]:
    """Inverted dropout where p is the probability of DROPPING a unit (cs231n 2017, as fcnet's native layer).

    x: any shape; dropout_param: {'mode': 'train' | 'test', 'p': drop probability in [0, 1), 'seed': optional}.
    The mask is ``np.random.rand(*x.shape) >= p``, scaled by 1 / (1 - p), from NumPy's global generator.
    """
    x, mode = _dropout_mode(x, dropout_param)
    p = check_probability("dropout_param['p'] (the drop probability)", dropout_param.get("p"))
    if mode == "test":
        return x.copy(), ("test", None)
    return L.apply_dropout_mask(x, global_uniform(x.shape, dropout_param) >= p, 1.0 / (1.0 - p))


def ece_drop_dropout_forward(x: np.ndarray, dropout_param: dict) -> tuple[np.ndarray, tuple]:
    """Inverted dropout where p is the probability of DROPPING a unit, drawn as UCLA ECE C147/C247 HW4 draws it
    (2018-2019, 2022, 2024: "We drop each neuron output with probability p").

    x: any shape; dropout_param: {'mode': 'train' | 'test', 'p': drop probability in [0, 1), 'seed': optional}.
    The mask is ``np.random.rand(*x.shape) < (1 - p)``, scaled by 1 / (1 - p), from NumPy's global generator
    (the same draws as cs231n 2017's layer, another mask: the course keeps the units whose draw is small).
    """
    x, mode = _dropout_mode(x, dropout_param)
    p = check_probability("dropout_param['p'] (the drop probability)", dropout_param.get("p"))
    if mode == "test":
        return x.copy(), ("test", None)
    return L.apply_dropout_mask(
        x, global_uniform(x.shape, dropout_param) < 1.0 - p, 1.0 / (1.0 - p)
    )


class CourseDropout(M.Module):
    """A dropout module over one of the kernels above; all layers of a network share one seed, as the courses'
    single ``dropout_param`` dict does."""

    def __init__(self, kernel: Callable, p: float, seed: int | None) -> None:
        super().__init__()
        self.kernel, self.p, self.seed = kernel, p, seed

    def forward(self, x):
        param = {"mode": "train" if self.training else "test", "p": self.p, "seed": self.seed}
        out, self._cache = self.kernel(x, param)
        return out

    def backward(self, dout):
        return L.dropout_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"CourseDropout({self.kernel.__name__}, p={self.p})"


# ---- networks ---------------------------------------------------------------------------------------------------
class CourseNet(FullyConnectedNet):
    """fcnet's FullyConnectedNet with a course's conventions: weights ``weight_scale * np.random.randn(D, H)``
    from NumPy's global generator, layer by layer (so a notebook's ``np.random.seed(231)`` fixes them), and
    dropout through `dropout_kernel` with the course's meaning of p and one shared seed (seed=... seeds the
    dropout masks only, as in the courses)."""

    dropout_kernel: Callable = staticmethod(keep_dropout_forward)
    dropout_rng = None  # the Solver leaves the masks to NumPy's global generator

    def __init__(
        self,
        hidden_dims: Iterable[int],
        *,
        course_p: float,
        drop_probability: float,
        seed: int | None,
        **native: Any,
    ) -> None:
        self._course_p, self._course_seed = course_p, seed
        super().__init__(hidden_dims, dropout=drop_probability, seed=None, **native)
        self.seed = seed

    def _initial_weight(self, rng, std, fan_in, fan_out):
        return std * np.random.randn(fan_in, fan_out)

    def _make_dropout(self, layer):
        return CourseDropout(self.dropout_kernel, self._course_p, self._course_seed)


class SavesParameters:
    """cs231n 2025's ``save(fname)`` and ``load(fname)`` on the assignment's networks: the parameters (and batch
    norm's running statistics) in fcnet's npz + JSON format, never pickle, at `fname` itself (relative to the
    working directory; the course writes inside its package's ``saved/`` folder, which an installed package must
    not be written into). Both print what the course prints."""

    def save(self, fname: str | os.PathLike) -> None:
        """Write the parameters to `fname` (atomically) and print "<fname> saved."."""
        write_npz(
            Path(fname), model_state(self), {"kind": PARAMETERS_KIND, "class": type(self).__name__}
        )
        print(fname, "saved.")

    def load(self, fname: str | os.PathLike) -> bool:
        """Read parameters saved by :meth:`save` into this network (names and shapes checked first, in place):
        prints "<fname> loaded." and returns True, or "<fname> not available." and returns False."""
        path = Path(fname)
        if not path.is_file():
            print(fname, "not available.")
            return False
        arrays, _ = read_npz(path, PARAMETERS_KIND)
        load_model_state(self, arrays, str(path))
        print(fname, "loaded.")
        return True


PARAMETERS_KIND = "course_parameters"


def keep_probability(name: str, keep: Any) -> float:
    """A keep probability in (0, 1] (1 = no dropout), as the courses from 2018 spell `dropout`."""
    return check_real(
        f"{name} (the keep probability; 1 means no dropout)", keep, 0.0, 1.0, low_open=True
    )


# ---- the Solver -------------------------------------------------------------------------------------------------
class CourseSolver(Solver):
    """fcnet's Solver with a course's habits: minibatches drawn with replacement by ``np.random.choice`` from
    NumPy's global generator (as the courses' Solver draws them), and the course's update-rule names."""

    course_rules: Mapping[str, Callable] = {}

    def __init__(self, model: Any, data: dict, **kwargs: Any) -> None:
        rule = kwargs.get("update_rule", "sgd")
        if isinstance(rule, str) and rule in self.course_rules:
            kwargs["update_rule"] = self.course_rules[rule]
        kwargs.setdefault("sample_with_replacement", True)
        kwargs.setdefault("progress", False)
        super().__init__(model, data, **kwargs)

    def _generator(self) -> GlobalRandom:
        return GlobalRandom()


# ---- update rules under a course's state names ---------------------------------------------------------------
def renamed_rule(
    rule: Callable,
    names: Mapping[str, str],
    negated: Iterable[str] = (),
    name: str = "",
    doc: str = "",
) -> Callable:
    """`rule` (an fcnet.optim kernel) seen through a course's state names: names maps course key -> fcnet key;
    a key in `negated` is stored with the opposite sign (a velocity that the course adds where fcnet subtracts)."""
    back = {fcnet_key: course_key for course_key, fcnet_key in names.items()}
    negated = set(negated)
    native = rule.__name__
    course_state = [back.get(key, key) for key in STATE_KEYS[native]]

    def course_rule(
        w: np.ndarray, dw: np.ndarray, config: dict | None = None
    ) -> tuple[np.ndarray, dict]:
        config = {} if config is None else config
        check_config_keys(course_rule.__name__, config, HYPERPARAMETERS[native], course_state)
        inner = {names.get(k, k): v for k, v in config.items()}
        check_state(native, inner, np.shape(w), back)
        inner = {names.get(k, k): (-v if k in negated else v) for k, v in config.items()}
        next_w, inner = rule(w, dw, inner)
        config.update(
            {back.get(k, k): (-v if back.get(k, k) in negated else v) for k, v in inner.items()}
        )
        return next_w, config

    course_rule.__name__ = course_rule.__qualname__ = name or rule.__name__
    course_rule.__doc__ = doc
    course_rule.hyperparameters = HYPERPARAMETERS[
        native
    ]  # what fcnet's Optimizer checks a Solver's optim_config by
    return course_rule
