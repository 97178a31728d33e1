"""daseCV ``data_utils.py``: the same as cs231n's (:mod:`fcnet.courses.cs231n.data_utils`)."""

from fcnet.courses.cs231n.data_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.data_utils import __all__  # noqa: F401
