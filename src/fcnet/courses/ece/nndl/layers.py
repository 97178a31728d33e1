"""ECE C147/C247 ``nndl/layers.py``: fcnet's kernels; dropout's p is the DROP probability, as HW4's
``dropout_forward`` says in 2018-2019, 2022 and 2024 ("We drop each neuron output with probability p"), its mask
``np.random.rand(*x.shape) < (1 - p)`` from NumPy's global generator. Templates that say "We keep each neuron
output with probability p" (2020-2021) are :mod:`fcnet.courses.ece_keep`."""

from fcnet.courses.cs231n.layers import *  # noqa: F401,F403
from fcnet.courses.cs231n.layers import __all__  # noqa: F401
from fcnet.courses._common import ece_drop_dropout_forward as dropout_forward  # noqa: E402,F401 (replaces cs231n's)
