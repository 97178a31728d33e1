"""ECE C147/C247 ``nndl/layer_utils.py``: the sandwich layers, and the course's layers (drop-probability dropout)."""

from fcnet.courses.cs231n.layer_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.layer_utils import __all__  # noqa: F401
from fcnet.courses.ece.nndl.layers import dropout_forward  # noqa: F401 (replaces cs231n's)
