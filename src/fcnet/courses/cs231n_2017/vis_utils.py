"""cs231n 2017 ``vis_utils.py``: the same as :mod:`fcnet.courses.cs231n.vis_utils`."""

from fcnet.courses.cs231n.vis_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.vis_utils import __all__  # noqa: F401
