"""cs231n 2017 ``solver.py``: the same as :mod:`fcnet.courses.cs231n.solver`."""

from fcnet.courses.cs231n.solver import *  # noqa: F401,F403
from fcnet.courses.cs231n.solver import __all__  # noqa: F401
