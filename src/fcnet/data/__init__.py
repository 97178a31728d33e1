"""Datasets: MNIST and Fashion-MNIST (IDX), CIFAR-10 (python batches), scikit-learn's digits; preprocessing."""

from __future__ import annotations

import os

import numpy as np

from fcnet._checks import check_int, check_seed
from fcnet.data.cifar import get_cifar10_data, load_cifar10
from fcnet.data.digits import load_digits, stratified_split
from fcnet.data.fetch import DatasetError, data_home
from fcnet.data.idx import load_mnist, read_idx
from fcnet.data.preprocess import (
    flatten,
    one_hot,
    scale_to_unit,
    standardize,
    subtract_mean_image,
    to_channels_first,
    to_channels_last,
)

DATASETS = ("digits", "fashion-mnist", "mnist", "cifar10")
# The classes of each dataset, by label (Fashion-MNIST's and CIFAR-10's from their authors' pages).
CLASS_NAMES = {
    "digits": [str(i) for i in range(10)],
    "mnist": [str(i) for i in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
    "cifar10": [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ],
}
MIN_LIMIT = 20  # two samples of each of the ten classes
IMAGE_SHAPES = {
    "digits": (8, 8),
    "fashion-mnist": (28, 28),
    "mnist": (28, 28),
    "cifar10": (32, 32, 3),
}


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    val_size: float = 0.1,
    seed: int = 0,
    limit: int | None = None,
    download: bool = True,
) -> dict:
    """A data dict (X_train, y_train, X_val, y_val, X_test, y_test; X flattened float32) for one of DATASETS.

    digits is split 70/15/15, stratified. For the others the official test set is kept and the validation set is a
    stratified `val_size` of the training set. `limit` keeps a stratified subset of that many training samples.
    download: fetch a dataset that is not on this machine (else a missing one is an error).
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {list(DATASETS)}")
    check_seed("seed", seed)
    if limit is not None and (check_int("limit", limit, 1) < MIN_LIMIT):
        raise ValueError(
            f"limit must be at least {MIN_LIMIT} training samples (a stratified subset needs "
            f"samples of every class), got {limit}"
        )
    if name == "digits":
        X, y = load_digits()
        data = stratified_split(X, y, val_size=0.15, test_size=0.15, seed=seed)
    else:
        if name == "cifar10":
            X_train, y_train, X_test, y_test = load_cifar10(
                data_dir, dtype=np.float32, download=download
            )
            X_train, X_test = flatten(X_train) / 255.0, flatten(X_test) / 255.0
        else:
            (X_train, y_train), (X_test, y_test) = load_mnist(
                data_dir, kind=name, download=download
            )
        from sklearn.model_selection import train_test_split

        X_train, X_val, y_train, y_val = train_test_split(
            X_train, y_train, test_size=val_size, stratify=y_train, random_state=seed
        )
        data = {
            "X_train": X_train,
            "y_train": y_train,
            "X_val": X_val,
            "y_val": y_val,
            "X_test": X_test,
            "y_test": y_test,
        }
    if limit is not None and limit < len(data["y_train"]):
        from sklearn.model_selection import train_test_split

        data["X_train"], _, data["y_train"], _ = train_test_split(
            data["X_train"],
            data["y_train"],
            train_size=limit,
            stratify=data["y_train"],
            random_state=seed,
        )
    return data


__all__ = [
    "CLASS_NAMES",
    "DATASETS",
    "DatasetError",
    "IMAGE_SHAPES",
    "data_home",
    "flatten",
    "get_cifar10_data",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "one_hot",
    "read_idx",
    "scale_to_unit",
    "standardize",
    "stratified_split",
    "subtract_mean_image",
    "to_channels_first",
    "to_channels_last",
]
