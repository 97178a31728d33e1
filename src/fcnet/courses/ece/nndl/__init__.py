"""ECE C147/C247 ``nndl``: ``neural_net``, ``fc_net``, ``layers``, ``layer_utils``, ``optim``."""
