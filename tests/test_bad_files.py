"""Crafted and damaged model files (the bad-input trial of 2026-12-01, cases N2, N3, N5, N17-N19, N35-N42,
N68-N73): each ends in one clear error that names the file and what is wrong, before anything large is allocated,
or loads and works (a saved FCNetClassifier through `fcnet info/predict/evaluate`)."""

import json
import os
import resource
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import fcnet
from fcnet import FullyConnectedNet
from fcnet.data import load_digits

FCNET = shutil.which("fcnet")


def run_cli(*args, cwd, memory_limit=None):
    command = [FCNET] if FCNET else [sys.executable, "-m", "fcnet"]

    def limit():  # an address-space ceiling: a file that made fcnet allocate would fail loudly instead
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"},
        preexec_fn=limit,
    )


def one_line_error(result, *fragments):
    lines = result.stderr.strip().splitlines()
    assert result.returncode in (1, 2) and len(lines) == 1 and lines[0].startswith("error: "), (
        result.stderr
    )
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def read_members(path):
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def npy_header(shape, descr):
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def npy_bytes(array):
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def rewrite(src, dst, meta=None, arrays=None, raw=None, drop=(), deflated=()):
    """A copy of the npz `src` with metadata keys replaced (meta), members replaced or added (arrays: name ->
    array; raw: name -> bytes), members dropped, and some members deflated."""
    members = read_members(src)
    if meta is not None:
        old = json.loads(str(np.load(src)["__meta__"]))
        members["__meta__.npy"] = npy_bytes(
            np.array(json.dumps(meta(old) if callable(meta) else {**old, **meta}))
        )
    for name, array in (arrays or {}).items():
        members[f"{name}.npy"] = npy_bytes(array)
    members.update({f"{name}.npy": data for name, data in (raw or {}).items()})
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            if name[:-4] in drop:
                continue
            z.writestr(
                name,
                data,
                compress_type=zipfile.ZIP_DEFLATED
                if name[:-4] in deflated
                else zipfile.ZIP_STORED,
            )
    return dst


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("files")
    model = FullyConnectedNet([20], input_dim=64, num_classes=10, seed=0)
    fcnet.save(model, root / "model.npz")
    X, y = load_digits()
    np.save(root / "samples.npy", X[:3])
    from fcnet.sklearn import FCNetClassifier

    clf = FCNetClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0).fit(
        X[:400], y[:400]
    )
    fcnet.save(clf, root / "clf.npz")
    return root


def test_a_deflate_bomb_member_is_refused_by_its_header(saved, tmp_path):
    """N2: an unused member of 300 MB of zeros deflated to a few hundred KB."""
    members = read_members(saved / "model.npz")
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        with z.open("junk.npy", "w", force_zip64=True) as f:
            f.write(npy_header((300 << 20,), "|u1"))
            chunk = bytes(1 << 20)
            for _ in range(300):
                f.write(chunk)
    result = run_cli("info", tmp_path / "bomb.npz", cwd=tmp_path, memory_limit=1 << 30)
    one_line_error(result, "bomb.npz", "junk", "compression bomb")


@pytest.mark.parametrize("shape", [(10**12,), (4 * 10**9,)])
def test_a_header_declaring_more_than_the_member_holds_is_refused(saved, tmp_path, shape):
    """N39, N40: a member whose .npy header declares 10^12 (or 4*10^9) elements."""
    crafted = npy_header(shape, "<f4") + np.zeros(20, np.float32).tobytes()
    path = rewrite(saved / "model.npz", tmp_path / "hdr.npz", raw={"param/b1": crafted})
    result = run_cli("info", path, cwd=tmp_path, memory_limit=1 << 30)
    one_line_error(result, "hdr.npz", "param/b1", "declares shape")


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"hidden_dims": [3000000]}, "declares W1 of shape (64, 3000000)"),  # N3
        ({"hidden_dims": [20000000]}, "declares W1 of shape (64, 20000000)"),  # N41
        ({"input_dim": 10**10}, "declares W1 of shape (10000000000, 20)"),  # N42
        ({"num_classes": 2 * 10**8}, "declares W2 of shape (20, 200000000)"),  # N42
    ],
)
def test_a_declared_architecture_is_checked_against_the_stored_weights_first(
    saved, tmp_path, config, fragment
):
    path = rewrite(
        saved / "model.npz",
        tmp_path / "arch.npz",
        meta=lambda m: {**m, "config": {**m["config"], **config}},
    )
    result = run_cli("info", path, cwd=tmp_path, memory_limit=1 << 30)
    one_line_error(result, "arch.npz", fragment)


def test_non_finite_weights_are_refused_naming_the_parameter(saved, tmp_path):
    """N17, N18: predict/evaluate with NaN weights used to print nan probabilities and accuracy 0.1."""
    w = np.load(saved / "model.npz")["param/W1"].copy()
    w[3, 4] = np.nan
    path = rewrite(saved / "model.npz", tmp_path / "nan.npz", arrays={"param/W1": w})
    one_line_error(
        run_cli("predict", path, saved / "samples.npy", cwd=tmp_path),
        "nan.npz",
        "param/W1",
        "non-finite",
    )
    one_line_error(
        run_cli("evaluate", path, "--dataset", "digits", cwd=tmp_path), "nan.npz", "non-finite"
    )
    with pytest.raises(ValueError, match="param/W1 holds 1 non-finite value"):
        fcnet.load(path)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            lambda m: {**m, "format_version": "1"},
            "format_version is '1', not a positive integer",
        ),  # N68
        (lambda m: {k: v for k, v in m.items() if k != "config"}, "no model 'config'"),  # N69
    ],
)
def test_damaged_metadata_is_named(saved, tmp_path, change, fragment):
    path = rewrite(saved / "model.npz", tmp_path / "meta.npz", meta=change)
    with pytest.raises(ValueError, match="meta.npz") as info:
        fcnet.load(path)
    assert fragment in str(info.value) and "Upgrade" not in str(info.value)


def test_deeply_nested_metadata_is_one_error_naming_the_file(saved, tmp_path):
    """N70: '[' x 100000 in __meta__."""
    path = rewrite(
        saved / "model.npz",
        tmp_path / "deep.npz",
        raw={"__meta__": npy_bytes(np.array("[" * 100000))},
    )
    one_line_error(run_cli("info", path, cwd=tmp_path), "deep.npz", "nested too deeply")


@pytest.mark.parametrize(
    "value, fragment",
    [
        (np.full((64, 20), "a"), "param/W1 has dtype <U1"),  # N71
        (np.ones((64, 20), dtype=np.complex128), "complex128"),  # N72
    ],
)
def test_weights_of_the_wrong_kind_are_refused(saved, tmp_path, value, fragment):
    path = rewrite(saved / "model.npz", tmp_path / "kind.npz", arrays={"param/W1": value})
    with pytest.raises(ValueError, match="kind.npz") as info:
        fcnet.load(path)
    assert fragment in str(info.value)


@pytest.mark.slow
def test_a_saved_estimator_works_with_info_predict_and_evaluate(saved, tmp_path):
    """N35-N37: a FCNetClassifier saved with fcnet.save."""
    info = run_cli("info", saved / "clf.npz", cwd=tmp_path)
    assert info.returncode == 0 and "FCNetClassifier" in info.stdout, info.stderr
    predict = run_cli("predict", saved / "clf.npz", saved / "samples.npy", cwd=tmp_path)
    assert predict.returncode == 0 and predict.stdout.count("samples.npy[") == 3, predict.stderr
    clf = fcnet.load(saved / "clf.npz")
    X, _ = load_digits()
    expected = clf.predict(X[:3])
    printed = [line.split(": ")[1].split()[0] for line in predict.stdout.splitlines()]
    assert printed == [str(v) for v in expected]
    evaluate = run_cli(
        "evaluate", saved / "clf.npz", "--dataset", "digits", "--out", tmp_path, cwd=tmp_path
    )
    assert evaluate.returncode == 0 and "accuracy" in evaluate.stdout, evaluate.stderr


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            lambda m: {**m, "fitted": {**m["fitted"], "predict_proba": "pwned"}},
            "predict_proba",
        ),  # N5
        (lambda m: {**m, "fitted": {**m["fitted"], "__dict__": {"x": 1}}}, "__dict__"),  # N5
        (
            lambda m: {**m, "params": {**m["params"], "hidden_layer_sizes": [7, 7]}},
            "hidden_layer_sizes",
        ),  # N19
        (lambda m: {**m, "params": "abc"}, "'params'"),  # N73
    ],
)
def test_an_estimator_file_holds_only_what_the_estimator_defines(
    saved, tmp_path, change, fragment
):
    path = rewrite(saved / "clf.npz", tmp_path / "clf_bad.npz", meta=change)
    with pytest.raises(ValueError, match="clf_bad.npz") as info:
        fcnet.load(path)
    assert fragment in str(info.value)


def test_an_estimator_file_with_too_few_classes_is_refused(saved, tmp_path):
    """N38: the classes array cut to 3 for a 10-output network."""
    path = rewrite(saved / "clf.npz", tmp_path / "few.npz", arrays={"classes": np.arange(3)})
    with pytest.raises(ValueError, match="3 class labels for a network of 10 outputs"):
        fcnet.load(path)
