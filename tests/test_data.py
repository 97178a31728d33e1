import functools
import gzip
import hashlib
import http.server
import pickle
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from fcnet import data as D
from fcnet.data import DatasetError
from fcnet.data.fetch import fetch

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


# ---------------------------------------------------------------------------------------------------------------
# Small files in the real formats
# ---------------------------------------------------------------------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist_dir(directory: Path, n_train=30, n_test=10, compress=True, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        if compress:
            (directory / f"{stem}.gz").write_bytes(gzip.compress(idx_bytes(array)))
        else:
            (directory / stem).write_bytes(idx_bytes(array))
    return arrays


@pytest.mark.parametrize("compress", [True, False])
def test_load_mnist_round_trips_values(tmp_path, compress):
    arrays = write_mnist_dir(tmp_path / "mnist", compress=compress)
    (x, y), (xt, yt) = D.load_mnist(tmp_path / "mnist", data_home=tmp_path / "home")
    assert x.shape == (30, 784) and x.dtype == np.float32 and xt.shape == (10, 784)
    np.testing.assert_array_equal(
        x, arrays["train-images-idx3-ubyte"].reshape(30, -1) / np.float32(255)
    )
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte"])
    assert y.dtype == np.int64


def test_load_mnist_options(tmp_path):
    arrays = write_mnist_dir(tmp_path / "m")
    (x, y), _ = D.load_mnist(
        tmp_path / "m", normalize=False, flatten=False, one_hot_label=True, cache=False
    )
    assert x.shape == (30, 1, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(x[:, 0], arrays["train-images-idx3-ubyte"])
    assert y.shape == (30, 10)
    np.testing.assert_array_equal(y.argmax(axis=1), arrays["train-labels-idx1-ubyte"])


def test_second_load_comes_from_the_cache_and_is_equal(tmp_path):
    write_mnist_dir(tmp_path / "m")
    (x1, _), _ = D.load_mnist(tmp_path / "m", data_home=tmp_path / "home")
    cached = list((tmp_path / "home" / "cache" / "mnist").glob("*.npy"))
    assert len(cached) == 2
    (x2, _), _ = D.load_mnist(tmp_path / "m", data_home=tmp_path / "home")
    np.testing.assert_array_equal(x1, x2)
    x2[0, 0] = 7.0  # copy-on-write: the cache file is not changed
    (x3, _), _ = D.load_mnist(tmp_path / "m", data_home=tmp_path / "home")
    np.testing.assert_array_equal(x3, x1)


def test_data_home_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FCNET_DATA", str(tmp_path / "env-home"))
    assert D.data_home() == tmp_path / "env-home"
    assert D.data_home(tmp_path / "arg") == tmp_path / "arg"
    write_mnist_dir(tmp_path / "env-home" / "mnist")
    (x, _), _ = D.load_mnist()  # found in the data home
    assert x.shape == (30, 784)


def test_wrong_magic_number(tmp_path):
    write_mnist_dir(tmp_path / "m")
    bad = bytearray(gzip.decompress((tmp_path / "m" / "train-images-idx3-ubyte.gz").read_bytes()))
    bad[2] = 0x42
    (tmp_path / "m" / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(bad)))
    with pytest.raises(
        DatasetError, match=r"train-images-idx3-ubyte.gz is not an IDX file: wrong magic number"
    ):
        D.load_mnist(tmp_path / "m", cache=False)


def test_wrong_dimensions_and_truncation(tmp_path):
    write_mnist_dir(tmp_path / "m")
    labels = np.zeros((30, 2), dtype=np.uint8)
    (tmp_path / "m" / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(DatasetError, match=r"has 2 dimensions, expected 1"):
        D.load_mnist(tmp_path / "m", cache=False)
    write_mnist_dir(tmp_path / "t", compress=False)
    path = tmp_path / "t" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(
        DatasetError,
        match=r"holds 23420 bytes of data but its header \(30, 28, 28\) announces 23520",
    ):
        D.load_mnist(tmp_path / "t", cache=False)


def test_image_label_count_mismatch(tmp_path):
    write_mnist_dir(tmp_path / "m")
    labels = np.zeros(29, dtype=np.uint8)
    (tmp_path / "m" / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(
        DatasetError, match=r"holds 30 images but .*train-labels-idx1-ubyte.gz holds 29 labels"
    ):
        D.load_mnist(tmp_path / "m", cache=False)


def test_missing_directory_and_files_are_named(tmp_path):
    with pytest.raises(DatasetError, match=r"nowhere does not exist"):
        D.load_mnist(tmp_path / "nowhere")
    write_mnist_dir(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(
        DatasetError, match=r"lacks t10k-labels-idx1-ubyte.gz .*Download them from"
    ):
        D.load_mnist(tmp_path / "m")


def test_unknown_kind_and_dataset_list_the_known_ones():
    with pytest.raises(
        ValueError, match=r"kind must be one of \['fashion-mnist', 'mnist'\], got 'kmnist'"
    ):
        D.load_mnist(kind="kmnist")
    with pytest.raises(
        ValueError, match=r"unknown dataset 'svhn'; known: \['digits', 'fashion-mnist'"
    ):
        D.load_dataset("svhn")


# ---------------------------------------------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------------------------------------------
def write_cifar_batch(path: Path, n: int, seed: int):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, n)]
    batch = {
        b"batch_label": b"training batch",
        b"labels": labels,
        b"data": data,
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)
    return data, labels


def write_cifar_root(root: Path, n=6):
    root.mkdir(parents=True)
    written = {}
    for i, name in enumerate([f"data_batch_{j}" for j in range(1, 6)] + ["test_batch"]):
        written[name] = write_cifar_batch(root / name, n, seed=i)
    return written


def test_cifar_batch_pixel_order_and_values(tmp_path):
    data, labels = write_cifar_batch(tmp_path / "b", 4, seed=0)
    from fcnet.data.cifar import load_cifar_batch

    X, y = load_cifar_batch(tmp_path / "b")
    assert X.shape == (4, 32, 32, 3) and X.dtype == np.float64
    # rows are 1024 red values, then 1024 green, then 1024 blue, each 32x32 row-major
    assert (
        X[2, 0, 0, 0] == data[2, 0]
        and X[2, 0, 0, 1] == data[2, 1024]
        and X[2, 0, 0, 2] == data[2, 2048]
    )
    assert X[1, 3, 5, 1] == data[1, 1024 + 3 * 32 + 5]
    np.testing.assert_array_equal(y, labels)


def test_load_cifar10_and_get_cifar10_data(tmp_path):
    written = write_cifar_root(tmp_path / "cifar-10-batches-py")
    X_train, y_train, X_test, y_test = D.load_cifar10(tmp_path / "cifar-10-batches-py")
    assert X_train.shape == (30, 32, 32, 3) and X_test.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(y_train[6:12], written["data_batch_2"][1])
    data = D.get_cifar10_data(20, 5, 4, root=tmp_path / "cifar-10-batches-py")
    assert data["X_train"].shape == (20, 3, 32, 32) and data["X_val"].shape == (5, 3, 32, 32)
    assert data["X_test"].shape == (4, 3, 32, 32)
    np.testing.assert_allclose(
        data["X_train"].mean(axis=0), 0, atol=1e-9
    )  # mean of the training split only
    np.testing.assert_array_equal(data["y_val"], y_train[20:25])
    flat = D.get_cifar10_data(
        20, 5, 4, root=tmp_path / "cifar-10-batches-py", subtract_mean=False, flatten=True
    )
    assert flat["X_train"].shape == (20, 3072)
    np.testing.assert_array_equal(flat["X_train"], X_train[:20].reshape(20, -1))


class _Payload:
    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/fcnet-crafted-pickle-ran",))


def test_crafted_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = Path("/tmp/fcnet-crafted-pickle-ran")
    marker.unlink(missing_ok=True)
    path = tmp_path / "data_batch_1"
    with open(path, "wb") as f:
        pickle.dump({b"data": _Payload(), b"labels": [1]}, f, protocol=2)
    from fcnet.data.cifar import load_cifar_batch

    with pytest.raises(
        DatasetError, match=r"data_batch_1 refers to (posix|os)\.system.*refusing to load it"
    ):
        load_cifar_batch(path)
    assert not marker.exists()


def test_cifar_missing_batches_are_named(tmp_path):
    write_cifar_root(tmp_path / "c")
    (tmp_path / "c" / "data_batch_3").unlink()
    with pytest.raises(
        DatasetError, match=r"lacks data_batch_3; extract https://www.cs.toronto.edu"
    ):
        D.load_cifar10(tmp_path / "c")


# ---------------------------------------------------------------------------------------------------------------
# Downloads, against a server on the loopback interface
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture
def local_server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_download_is_verified_and_cached(local_server, tmp_path):
    pytest.importorskip("pooch")
    served, url = local_server
    (served / "file.bin").write_bytes(b"fcnet" * 1000)
    sha = hashlib.sha256(b"fcnet" * 1000).hexdigest()
    path = fetch(url + "file.bin", sha, tmp_path / "cache", progress=False)
    assert path.read_bytes() == b"fcnet" * 1000
    (served / "file.bin").unlink()
    assert (
        fetch(url + "file.bin", sha, tmp_path / "cache", progress=False) == path
    )  # no second download


def test_checksum_failure_keeps_nothing_and_says_so(local_server, tmp_path):
    pytest.importorskip("pooch")
    served, url = local_server
    (served / "file.bin").write_bytes(b"tampered")
    with pytest.raises(DatasetError, match=r"failed its SHA-256 check and was discarded"):
        fetch(url + "file.bin", "0" * 64, tmp_path / "cache", progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_corrupted_cached_file_is_reported_with_its_path(tmp_path):
    pytest.importorskip("pooch")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "file.bin").write_bytes(b"half a fi")
    with pytest.raises(
        DatasetError, match=r"cache/file.bin is corrupted or truncated.*Delete it and load again"
    ):
        fetch("http://127.0.0.1:9/file.bin", "0" * 64, tmp_path / "cache", progress=False)


def test_mnist_downloads_into_the_data_home(local_server, tmp_path, monkeypatch):
    pytest.importorskip("pooch")
    served, url = local_server
    arrays = write_mnist_dir(served)
    from fcnet.data import idx

    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in served.iterdir()}
    monkeypatch.setitem(idx.SOURCES, "mnist", {"url": url, "sha256": sha, "system_dirs": []})
    (x, y), _ = D.load_mnist(data_home=tmp_path / "home")
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    assert sorted(p.name for p in (tmp_path / "home" / "mnist").iterdir()) == sorted(sha)


# ---------------------------------------------------------------------------------------------------------------
# Real data
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.skipif(
    not FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is not installed"
)
def test_real_fashion_mnist(tmp_path):
    (x, y), (xt, yt) = D.load_mnist(kind="fashion-mnist", data_home=tmp_path)
    assert x.shape == (60000, 784) and xt.shape == (10000, 784)
    assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1 and x.max() == 1
    np.testing.assert_array_equal(np.bincount(y), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(yt), [1000] * 10)


def test_digits_load_offline():
    pytest.importorskip("sklearn")
    X, y = D.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and 0 <= X.min() and X.max() == 1
    data = D.stratified_split(X, y, val_size=0.15, test_size=0.2, seed=0)
    assert sum(len(data[k]) for k in ("y_train", "y_val", "y_test")) == 1797
    fractions = [
        np.bincount(data[k], minlength=10) / len(data[k]) for k in ("y_train", "y_val", "y_test")
    ]
    np.testing.assert_allclose(fractions[0], fractions[2], atol=0.02)


# ---------------------------------------------------------------------------------------------------------------
# Preprocessing
# ---------------------------------------------------------------------------------------------------------------
def test_preprocessing_fits_on_train_only():
    rng = np.random.default_rng(0)
    data = {
        "X_train": rng.random((10, 4)) + 5,
        "X_val": rng.random((3, 4)),
        "y_train": np.arange(10),
    }
    centered = D.subtract_mean_image(data)
    np.testing.assert_allclose(centered["X_train"].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(centered["X_val"], data["X_val"] - data["X_train"].mean(axis=0))
    standard = D.standardize(data)
    np.testing.assert_allclose(standard["X_train"].std(axis=0), 1, rtol=1e-6)
    np.testing.assert_array_equal(standard["y_train"], data["y_train"])


def test_small_helpers():
    np.testing.assert_array_equal(D.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"y must be in \[0, 3\)"):
        D.one_hot(np.array([3]), 3)
    X = np.arange(2 * 4 * 4 * 3).reshape(2, 4, 4, 3)
    np.testing.assert_array_equal(D.to_channels_last(D.to_channels_first(X)), X)
    assert D.flatten(X).shape == (2, 48)
    assert D.scale_to_unit(np.array([0, 255], dtype=np.uint8)).tolist() == [0.0, 1.0]
