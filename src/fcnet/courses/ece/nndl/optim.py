"""ECE C147/C247 ``nndl/optim.py``: fcnet's update rules under the course's names and state keys.

sgd; sgd_momentum (state 'velocity'); sgd_nesterov_momentum (state 'velocity', the course's sign:
``v = momentum * v - learning_rate * dw``); rmsprop (state 'a'); adam (state 'v' = first moment, 'a' = second
moment, 't').
"""

from fcnet import optim as _optim
from fcnet.courses._common import renamed_rule

__all__ = ["sgd", "sgd_momentum", "sgd_nesterov_momentum", "rmsprop", "adam"]

sgd = _optim.sgd
sgd_momentum = _optim.sgd_momentum
sgd_nesterov_momentum = renamed_rule(
    _optim.nesterov_momentum,
    {},
    negated=["velocity"],
    name="sgd_nesterov_momentum",
    doc="Nesterov momentum: v_new = momentum * v - learning_rate * dw; w - momentum * v + (1 + momentum) * v_new."
    " config: learning_rate (1e-2), momentum (0.9), velocity.",
)
rmsprop = renamed_rule(
    _optim.rmsprop,
    {"a": "cache"},
    name="rmsprop",
    doc="RMSProp: a = decay_rate * a + (1 - decay_rate) * dw**2; w - learning_rate * dw / (sqrt(a) + epsilon). "
    "config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), a.",
)
adam = renamed_rule(
    _optim.adam,
    {"v": "m", "a": "v"},
    name="adam",
    doc="Adam with bias correction. config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8), "
    "v (first moment), a (second moment), t.",
)

UPDATE_RULES = {
    rule.__name__: rule for rule in (sgd, sgd_momentum, sgd_nesterov_momentum, rmsprop, adam)
}
