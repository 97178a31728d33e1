"""ECE C147/C247 ``nndl/layer_utils.py`` of the keep-probability templates: the sandwich layers."""

from fcnet.courses.cs231n.layer_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.layer_utils import __all__  # noqa: F401
