"""ECE C147/C247 ``utils/vis_utils.py``: the same as :mod:`fcnet.courses.ece.utils.vis_utils`."""

from fcnet.courses.ece.utils.vis_utils import *  # noqa: F401,F403
from fcnet.courses.ece.utils.vis_utils import __all__  # noqa: F401
