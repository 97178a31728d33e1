"""UCLA ECE C147/C247 (Neural Networks and Deep Learning), homeworks 3 and 4: the ``nndl`` and ``utils`` packages.

Conventions of the course: the assignment-1 style ``nndl.neural_net.TwoLayerNet`` keeps W1 as (H, D) and W2 as
(C, H); every L2 term is ``0.5 * reg * sum(W**2)``; the update rules are named ``sgd``, ``sgd_momentum``,
``sgd_nesterov_momentum``, ``rmsprop`` (state 'a') and ``adam`` (state 'v' = first moment, 'a' = second, 't');
``FullyConnectedNet(dropout=p)`` and ``dropout_forward``'s p are the DROP probability, and dropout=0 means none
(HW3's fc_net, HW4's layers of 2018-2019, 2022 and 2024: "We drop each neuron output with probability p");
weights and masks come from NumPy's global generator.

Which namespace a student needs: the docstring of ``dropout_forward`` in their own ``nndl/layers.py``. "We drop
each neuron output with probability p": this package. "We keep each neuron output with probability p" (the
2020-2021 templates and some later copies): :mod:`fcnet.courses.ece_keep`, the same modules with p kept.
"""
