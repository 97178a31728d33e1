import json

import numpy as np
import pytest

import fcnet
from fcnet import FullyConnectedNet, TwoLayerNet
from fcnet.saving import read_npz, write_npz

CONFIGS = [
    dict(hidden_dims=[7, 5]),
    dict(hidden_dims=[7], normalization="batchnorm", dropout=0.3),
    dict(hidden_dims=[6, 6], normalization="layernorm", activation="tanh", loss="svm", reg=0.1),
    dict(hidden_dims=[], weight_scale="xavier", dtype=np.float64),
    dict(hidden_dims=[4], activation="leaky_relu", alpha=0.2, weight_scale="he"),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_save_load_round_trip_is_bit_identical(tmp_path, config):
    rng = np.random.default_rng(0)
    model = FullyConnectedNet(input_dim=12, num_classes=3, seed=1, **config)
    X, y = rng.standard_normal((40, 12)), rng.integers(3, size=40)
    for _ in range(3):
        model.loss(X, y)  # move batch norm statistics
    path = fcnet.save(model, tmp_path / "model.npz")
    loaded = fcnet.load(path)
    assert type(loaded) is FullyConnectedNet
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    for k, v in model.params.items():
        assert loaded.params[k].dtype == v.dtype
        np.testing.assert_array_equal(loaded.params[k], v)
    for k, v in model.buffers().items():
        np.testing.assert_array_equal(loaded.buffers()[k], v)


def test_two_layer_net_round_trip(tmp_path):
    model = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2, seed=0)
    loaded = fcnet.load(fcnet.save(model, tmp_path / "two.npz"))
    assert type(loaded) is TwoLayerNet
    X = np.ones((2, 4))
    np.testing.assert_array_equal(loaded.loss(X), model.loss(X))


def test_file_loads_without_pickle(tmp_path):
    path = fcnet.save(FullyConnectedNet([3], input_dim=2, num_classes=2), tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
    assert meta["kind"] == "model" and meta["fcnet_version"] == fcnet.__version__


def test_truncated_file_is_refused_with_its_name(tmp_path):
    path = fcnet.save(FullyConnectedNet([30], input_dim=20, num_classes=2), tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"m\.npz is not a readable fcnet file"):
        fcnet.load(path)


def test_another_format_is_refused(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(ValueError, match=r"other\.npz is not an fcnet file"):
        fcnet.load(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.txt is not a readable fcnet file"):
        fcnet.load(text)
    with pytest.raises(FileNotFoundError, match=r"missing\.npz"):
        fcnet.load(tmp_path / "missing.npz")


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "future.npz"
    np.savez(
        path,
        __meta__=np.array(
            json.dumps({"kind": "model", "format_version": 99, "fcnet_version": "9"})
        ),
    )
    with pytest.raises(ValueError, match=r"future\.npz has format version 99.*Upgrade fcnet"):
        fcnet.load(path)


def test_checkpoint_is_not_a_model(tmp_path):
    path = write_npz(tmp_path / "ckpt.npz", {}, {"kind": "checkpoint"})
    with pytest.raises(ValueError, match=r"kind 'checkpoint', expected 'model'"):
        fcnet.load(path)


def test_object_arrays_are_refused():
    with pytest.raises(TypeError, match=r"array 'a' has dtype object"):
        write_npz("never-written.npz", {"a": np.array([object()])}, {"kind": "x"})


def test_write_is_atomic_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    write_npz(path, {"a": np.arange(3)}, {"kind": "x"})

    def savez_that_dies(f, **arrays):
        f.write(b"PK half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", savez_that_dies)
    with pytest.raises(OSError, match="disk full"):
        write_npz(path, {"a": np.arange(5)}, {"kind": "x"})
    monkeypatch.undo()
    arrays, meta = read_npz(path, "x")  # the old file is intact
    np.testing.assert_array_equal(arrays["a"], np.arange(3))
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_written_files_get_the_usual_permissions_not_mkstemps_private_ones(tmp_path):
    """A model served by a web server (examples/browser) or shared with a group must be readable as any file
    the user writes: 0666 minus the umask, not the 0600 of a temporary file."""
    import os
    import stat

    from fcnet import FullyConnectedNet, save

    mask = os.umask(0o022)
    try:
        path = save(FullyConnectedNet([3], input_dim=4, num_classes=2, seed=0), tmp_path / "m.npz")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
