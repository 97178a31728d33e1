"""ECE C147/C247 ``nndl/neural_net.py``: the same as :mod:`fcnet.courses.ece.nndl.neural_net`."""

from fcnet.courses.ece.nndl.neural_net import *  # noqa: F401,F403
from fcnet.courses.ece.nndl.neural_net import __all__  # noqa: F401
