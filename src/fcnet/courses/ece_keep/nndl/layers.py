"""ECE C147/C247 ``nndl/layers.py`` of the keep-probability templates: fcnet's kernels, dropout's p the KEEP
probability (mask ``np.random.rand(*x.shape) < p``, scaled by 1 / p), as cs231n from 2018."""

from fcnet.courses.cs231n.layers import *  # noqa: F401,F403
from fcnet.courses.cs231n.layers import __all__  # noqa: F401
