"""cs231n ``solver.py``: ``Solver(model, data, update_rule=..., optim_config=..., lr_decay=..., batch_size=...,
num_epochs=..., print_every=..., verbose=...)``, fcnet's Solver drawing its minibatches like the course's,
with replacement from NumPy's global generator."""

from fcnet.courses._common import CourseSolver as Solver

__all__ = ["Solver"]
