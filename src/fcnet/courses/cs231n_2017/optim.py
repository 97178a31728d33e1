"""cs231n 2017 ``optim.py``: the same as :mod:`fcnet.courses.cs231n.optim`."""

from fcnet.courses.cs231n.optim import *  # noqa: F401,F403
from fcnet.courses.cs231n.optim import __all__  # noqa: F401
