"""ECE C147/C247 ``utils/gradient_check.py``: the same as cs231n's (:mod:`fcnet.courses.cs231n.gradient_check`)."""

from fcnet.courses.cs231n.gradient_check import *  # noqa: F401,F403
from fcnet.courses.cs231n.gradient_check import __all__  # noqa: F401
