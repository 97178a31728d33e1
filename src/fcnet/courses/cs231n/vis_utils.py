"""cs231n ``vis_utils.py``: ``visualize_grid(Xs, ubound=255.0, padding=1)`` tiles (N, H, W, C) images."""

from fcnet.plots import visualize_grid

__all__ = ["visualize_grid"]
