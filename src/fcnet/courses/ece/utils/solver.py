"""ECE C147/C247 ``utils/solver.py``: fcnet's Solver with the course's update-rule names ('sgd', 'sgd_momentum',
'sgd_nesterov_momentum', 'rmsprop', 'adam') and state keys, minibatches drawn with replacement from NumPy's
global generator."""

from fcnet.courses._common import CourseSolver
from fcnet.courses.ece.nndl.optim import UPDATE_RULES

__all__ = ["Solver"]


class Solver(CourseSolver):
    __doc__ = CourseSolver.__doc__
    course_rules = UPDATE_RULES
