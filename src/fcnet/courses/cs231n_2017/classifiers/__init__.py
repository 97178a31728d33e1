"""cs231n 2017 ``classifiers``: ``fc_net`` and ``neural_net``."""
