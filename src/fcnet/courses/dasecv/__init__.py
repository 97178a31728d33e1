"""daseCV (East China Normal University's course on cs231n; assignment 1 ``two_layer_net``, 2021): the module
layout of its ``daseCV`` package (``classifiers.neural_net``, ``data_utils``, ``vis_utils``, ``gradient_check``),
with cs231n's conventions: W1 (D, H), L2 term ``reg * sum(W**2)``."""
