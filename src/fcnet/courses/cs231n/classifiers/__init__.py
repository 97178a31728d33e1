"""cs231n ``classifiers``: ``fc_net`` (assignment 2) and ``neural_net`` (assignment 1)."""
