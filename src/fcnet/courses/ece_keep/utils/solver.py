"""ECE C147/C247 ``utils/solver.py``: the same as :mod:`fcnet.courses.ece.utils.solver`."""

from fcnet.courses.ece.utils.solver import *  # noqa: F401,F403
from fcnet.courses.ece.utils.solver import __all__  # noqa: F401
