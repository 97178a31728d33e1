"""The MNIST MLP homework's update functions, ``update_parameters_with_*(network, grads, learning_rate, ...)``, over
fcnet's kernels with the course's defaults; their state (the course's global ``v``, ``u``, ``s``,
``grads_squared``) lives on the network. fcnet.courses.mnist_mlp re-exports them."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from fcnet import optim

Network = Any  # fcnet.courses.mnist_mlp.TwoLayerNet (which imports this module)
PARAMETER_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


# ---- update rules: the course's functions over fcnet's kernels ----------------------------------------------------
def _zeros_like_params(network: Network) -> dict[str, np.ndarray]:
    return {key: np.zeros(np.shape(network.params[key])) for key in PARAMETER_KEYS}


def _state(network: Network, name: str) -> dict[str, np.ndarray]:
    """The network's optimizer state `name`, zeros at first use."""
    if name not in network.optimizer_state:
        network.optimizer_state[name] = _zeros_like_params(network)
    return network.optimizer_state[name]


def _initialize(network: Network, *names: str):
    for name in names:
        network.optimizer_state[name] = _zeros_like_params(network)
    states = tuple(network.optimizer_state[name] for name in names)
    return states[0] if len(states) == 1 else states


def initialize_grads_squared(network: Network) -> dict:
    """Zeros like every parameter: the running sum (AdaGrad) or mean (RMSProp) of squared gradients."""
    return _initialize(network, "grads_squared")


def initialize_velocity(network: Network) -> dict:
    """Zeros like every parameter: the velocity of momentum and Nesterov momentum."""
    return _initialize(network, "velocity")


def initialize_adam(network: Network) -> tuple[dict, dict]:
    """(v, u): Adam's first and second moments, zeros like every parameter."""
    return _initialize(network, "adam_v", "adam_u")


def initialize_adambelief(network: Network) -> tuple[dict, dict]:
    """(v, s): AdaBelief's first moment and the running mean of (g - v)**2, zeros like every parameter."""
    return _initialize(network, "adambelief_v", "adambelief_s")


def _apply(
    network: Network,
    grads: dict,
    rule: Callable,
    config_of: Callable[[str], dict],
    after: Callable[[str, dict], None] | None = None,
) -> None:
    missing = [key for key in PARAMETER_KEYS if key not in grads]
    if missing:
        raise KeyError(
            f"grads lacks {missing}; an update needs the gradient of every parameter {list(PARAMETER_KEYS)}"
        )
    for key in PARAMETER_KEYS:
        w = network.params[key]
        _, config = rule(w, grads[key], config_of(key), out=w)
        if after is not None:
            after(key, config)


def update_parameters(network: Network, grads: dict, learning_rate: float = 0.001) -> None:
    """Gradient descent: ``params -= learning_rate * grads``."""
    _apply(network, grads, optim.sgd, lambda key: {"learning_rate": learning_rate})


def update_parameters_with_adagrad(
    network: Network, grads: dict, learning_rate: float = 0.001, epsilon: float = 1e-7
) -> None:
    """AdaGrad: ``G += g**2; params -= learning_rate * g / (sqrt(G) + epsilon)``."""
    squared = _state(network, "grads_squared")
    _apply(
        network,
        grads,
        optim.adagrad,
        lambda key: {"learning_rate": learning_rate, "epsilon": epsilon, "cache": squared[key]},
    )


def update_parameters_with_rmsprop(
    network: Network,
    grads: dict,
    learning_rate: float = 0.001,
    epsilon: float = 1e-7,
    beta: float = 0.999,
) -> None:
    """RMSProp: ``u = beta * u + (1 - beta) * g**2; params -= learning_rate * g / (sqrt(u) + epsilon)``."""
    squared = _state(network, "grads_squared")
    _apply(
        network,
        grads,
        optim.rmsprop,
        lambda key: {
            "learning_rate": learning_rate,
            "epsilon": epsilon,
            "decay_rate": beta,
            "cache": squared[key],
        },
    )


def update_parameters_with_momentum(
    network: Network, grads: dict, learning_rate: float = 0.001, beta: float = 0.9
) -> None:
    """Momentum: ``v = beta * v + learning_rate * g; params -= v`` (fcnet's kernel keeps -v)."""
    velocity = _state(network, "velocity")
    _apply(
        network,
        grads,
        optim.sgd_momentum,
        lambda key: {"learning_rate": learning_rate, "momentum": beta, "velocity": -velocity[key]},
        lambda key, config: np.negative(config["velocity"], out=velocity[key]),
    )


def update_parameters_with_nesterov_momentum(
    network: Network, grads: dict, learning_rate: float = 0.001, beta: float = 0.9
) -> None:
    """Nesterov momentum: ``v = beta * v + learning_rate * g; params -= beta * v + learning_rate * g``."""
    velocity = _state(network, "velocity")
    _apply(
        network,
        grads,
        optim.nesterov_momentum,
        lambda key: {"learning_rate": learning_rate, "momentum": beta, "velocity": velocity[key]},
    )


def _moment_rule(
    network: Network,
    grads: dict,
    rule: Callable,
    names: tuple[str, str],
    second: str,
    learning_rate: float,
    epsilon: float,
    beta1: float,
    beta2: float,
) -> None:
    first_moment, second_moment = _state(network, names[0]), _state(network, names[1])
    step = max(int(network.t), 1)  # the course's train_network counts t before the update
    _apply(
        network,
        grads,
        rule,
        lambda key: {
            "learning_rate": learning_rate,
            "epsilon": epsilon,
            "beta1": beta1,
            "beta2": beta2,
            "t": step - 1,
            "m": first_moment[key],
            second: second_moment[key],
        },
    )


def update_parameters_with_adam(
    network: Network,
    grads: dict,
    learning_rate: float = 0.001,
    epsilon: float = 1e-7,
    beta1: float = 0.9,
    beta2: float = 0.999,
) -> None:
    """Adam with bias correction at step ``network.t``."""
    _moment_rule(
        network, grads, optim.adam, ("adam_v", "adam_u"), "v", learning_rate, epsilon, beta1, beta2
    )


def update_parameters_with_adambelief(
    network: Network,
    grads: dict,
    learning_rate: float = 0.001,
    epsilon: float = 1e-7,
    beta1: float = 0.9,
    beta2: float = 0.999,
) -> None:
    """AdaBelief with bias correction at step ``network.t``: Adam whose second moment tracks (g - v)**2."""
    _moment_rule(
        network,
        grads,
        optim.adabelief,
        ("adambelief_v", "adambelief_s"),
        "s",
        learning_rate,
        epsilon,
        beta1,
        beta2,
    )
