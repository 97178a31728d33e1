"""cs231n assignments 1 and 2 as taught from 2018 (Stanford CS231n; the module layout of its ``cs231n`` package).

Change ``from cs231n.classifiers.fc_net import *`` to ``from fcnet.courses.cs231n.classifiers.fc_net import *``
(and likewise for ``layers``, ``layer_utils``, ``optim``, ``solver``, ``gradient_check``, ``data_utils``,
``vis_utils`` and ``classifiers.neural_net``). The course's conventions hold here: dropout's p (and
FullyConnectedNet's ``dropout`` / ``dropout_keep_ratio``) is the probability of KEEPING a unit, 1 meaning no
dropout; weights and masks come from NumPy's global generator, so ``np.random.seed(231)`` in a notebook fixes them.
"""
