"""daseCV ``classifiers``: ``neural_net``."""
