"""ECE C147/C247 ``nndl/optim.py``: the same as :mod:`fcnet.courses.ece.nndl.optim`."""

from fcnet.courses.ece.nndl.optim import *  # noqa: F401,F403
from fcnet.courses.ece.nndl.optim import __all__  # noqa: F401
