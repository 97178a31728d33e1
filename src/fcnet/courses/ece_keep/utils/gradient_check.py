"""ECE C147/C247 ``utils/gradient_check.py``: the same as :mod:`fcnet.courses.ece.utils.gradient_check`."""

from fcnet.courses.ece.utils.gradient_check import *  # noqa: F401,F403
from fcnet.courses.ece.utils.gradient_check import __all__  # noqa: F401
