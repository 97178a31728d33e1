"""ECE C147/C247 ``utils`` (the same as :mod:`fcnet.courses.ece.utils`): ``data_utils``, ``gradient_check``,
``solver``, ``vis_utils``."""
