"""ECE C147/C247 ``nndl/layers.py``: fcnet's kernels; dropout's p is the KEEP probability (HW4)."""

from fcnet.courses.cs231n.layers import *  # noqa: F401,F403
from fcnet.courses.cs231n.layers import __all__  # noqa: F401
