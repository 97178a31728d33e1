"""cs231n ``optim.py``: the update rules ``next_w, config = rule(w, dw, config)`` (fcnet's, same state keys:
'velocity', 'cache', 'm', 'v', 't')."""

from fcnet.optim import adam, rmsprop, sgd, sgd_momentum

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam"]
