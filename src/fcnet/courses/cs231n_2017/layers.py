"""cs231n 2017 ``layers.py``: fcnet's kernels, dropout's p being the DROP probability, its mask drawn from NumPy's
global generator (``dropout_param['seed']`` reseeds it)."""

from fcnet.courses.cs231n.layers import *  # noqa: F401,F403
from fcnet.courses.cs231n.layers import __all__  # noqa: F401
from fcnet.courses._common import drop_dropout_forward as dropout_forward  # noqa: E402,F401 (replaces cs231n's)
