"""The book's ``dataset/mnist.py``: ``load_mnist(normalize=True, flatten=True, one_hot_label=False)``.

MNIST comes from fcnet's data home (the ``FCNET_DATA`` variable, else ``~/.cache/fcnet``), downloaded there on
first use, with fcnet's cache; there is no path argument, as in the book. ``load_fashion_mnist`` takes the same
arguments and reads Fashion-MNIST (Debian's ``dataset-fashion-mnist`` is found), for a machine without MNIST.
"""

from __future__ import annotations

from fcnet.data.idx import load_mnist as _load_idx

__all__ = ["load_mnist", "load_fashion_mnist"]


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """``(x_train, t_train), (x_test, t_test)``: images (N, 784) (flatten) or (N, 1, 28, 28), float32 in [0, 1]
    (normalize) or uint8; labels (N,) or one-hot (N, 10)."""
    return _load_idx(
        None, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label, kind="mnist"
    )


def load_fashion_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """As :func:`load_mnist`, for Fashion-MNIST (same format, same sizes)."""
    return _load_idx(
        None,
        normalize=normalize,
        flatten=flatten,
        one_hot_label=one_hot_label,
        kind="fashion-mnist",
    )
