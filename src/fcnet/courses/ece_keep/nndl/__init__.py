"""ECE C147/C247 ``nndl``, keep-probability dropout: ``neural_net``, ``fc_net``, ``layers``, ``layer_utils``,
``optim``."""
