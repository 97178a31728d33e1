"""ECE C147/C247 ``utils``: ``data_utils``, ``gradient_check``, ``solver``, ``vis_utils``."""
