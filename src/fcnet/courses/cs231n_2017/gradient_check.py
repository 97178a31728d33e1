"""cs231n 2017 ``gradient_check.py``: the same as :mod:`fcnet.courses.cs231n.gradient_check`."""

from fcnet.courses.cs231n.gradient_check import *  # noqa: F401,F403
from fcnet.courses.cs231n.gradient_check import __all__  # noqa: F401
