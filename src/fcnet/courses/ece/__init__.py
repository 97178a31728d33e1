"""UCLA ECE C147/C247 (Neural Networks and Deep Learning), homeworks 3 and 4: the ``nndl`` and ``utils`` packages.

Conventions of the course: the assignment-1 style ``nndl.neural_net.TwoLayerNet`` keeps W1 as (H, D) and W2 as
(C, H); every L2 term is ``0.5 * reg * sum(W**2)``; the update rules are named ``sgd``, ``sgd_momentum``,
``sgd_nesterov_momentum``, ``rmsprop`` (state 'a') and ``adam`` (state 'v' = first moment, 'a' = second, 't');
``FullyConnectedNet(dropout=p)`` passes p to ``dropout_forward`` as the KEEP probability, and dropout=0 means
none; weights and masks come from NumPy's global generator.
"""
