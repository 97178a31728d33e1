"""cs231n 2017 ``layer_utils.py``: the sandwich layers and the 2017 layers."""

from fcnet.courses.cs231n.layer_utils import *  # noqa: F401,F403
from fcnet.courses.cs231n.layer_utils import __all__  # noqa: F401
from fcnet.courses.cs231n_2017.layers import dropout_forward  # noqa: F401
