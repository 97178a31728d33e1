"""fcnet.export against the real onnxruntime, torch and safetensors (issue: models that leave fcnet)."""

import json

import numpy as np
import pytest

from fcnet import FullyConnectedNet, TwoLayerNet

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

from fcnet.export import (
    build_onnx,
    from_safetensors,
    from_torch,
    register_skl2onnx,
    to_onnx,  # noqa: E402
    to_safetensors,
    to_torch,
)

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid"]
NORMALIZATIONS = [None, "batchnorm", "layernorm"]


def trained(dtype="float64", normalization=None, activation="relu", dropout=0.25, alpha=0.05):
    """A small network whose batch-norm running statistics have moved away from their initial values."""
    rng = np.random.default_rng(0)
    model = FullyConnectedNet(
        [9, 8],
        input_dim=12,
        num_classes=5,
        normalization=normalization,
        activation=activation,
        alpha=alpha,
        dropout=dropout,
        dtype=dtype,
        seed=1,
        weight_scale="he",
    )
    for _ in range(3):
        model.loss(rng.normal(2.0, 3.0, size=(16, 12)).astype(dtype), rng.integers(0, 5, 16))
    return model.eval()


def inputs(dtype="float64", n=11):
    return np.random.default_rng(1).normal(1.0, 2.0, size=(n, 12)).astype(dtype)


def session(proto):
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("normalization", NORMALIZATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnx_graph_gives_fcnets_probabilities_and_labels(dtype, normalization, activation):
    model, X = trained(dtype, normalization, activation), inputs(dtype)
    labels, probabilities = session(build_onnx(model)).run(None, {"input": X})
    tolerance = 1e-5 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(probabilities, model.predict_proba(X), atol=tolerance)
    np.testing.assert_array_equal(labels, model.predict(X))
    assert probabilities.dtype == np.dtype(dtype)


def test_onnx_batch_dimension_is_dynamic_and_logits_are_available():
    model = trained()
    sess = session(build_onnx(model, probabilities=False, input_name="x"))
    for n in (1, 3, 250):
        X = inputs(n=n)
        labels, logits = sess.run(None, {"x": X})
        np.testing.assert_allclose(logits, model.loss(X), atol=1e-12)
    assert [o.name for o in sess.get_outputs()] == ["label", "logits"]
    assert sess.get_inputs()[0].shape == ["batch", 12]


def test_onnx_file_is_checked_and_says_where_it_came_from(tmp_path):
    model = TwoLayerNet(input_dim=12, hidden_dim=7, num_classes=5, seed=0)
    path = to_onnx(model, tmp_path / "m.onnx", opset=18)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["architecture"])["hidden_dims"] == [7]
    assert props["model_class"] == "TwoLayerNet" and json.loads(props["class_names"]) == list(
        "01234"
    )
    assert json.loads(props["input_shape"]) == ["batch", 12] and props["fcnet_version"]
    assert proto.opset_import[0].version == 18


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"opset": 13}, "opset must be an integer >= 17"),
        ({"input_name": ""}, "input_name must be a non-empty string"),
        ({"dtype": "int32"}, "dtype must be float32 or float64"),
    ],
)
def test_onnx_refuses_bad_arguments_by_name(bad, message):
    with pytest.raises(ValueError, match=message):
        build_onnx(trained(), **bad)


def test_onnx_refuses_what_is_not_an_fcnet_model():
    with pytest.raises(TypeError, match="cannot export a dict"):
        build_onnx({"W1": np.zeros((2, 2))})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("normalization", NORMALIZATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_to_torch_returns_fcnets_logits_in_eval_mode(dtype, normalization, activation):
    model, X = trained(dtype, normalization, activation), inputs(dtype)
    module = to_torch(model)
    assert not module.training
    with torch.no_grad():
        logits = module(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(
        logits, model.loss(X), rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6
    )
    drop = [m for m in module if isinstance(m, torch.nn.Dropout)]
    assert len(drop) == 2 and drop[0].p == pytest.approx(
        0.25
    )  # fcnet's drop probability is PyTorch's p


def test_to_torch_takes_images_as_fcnet_does():
    model = FullyConnectedNet([6], input_dim=12, num_classes=3, seed=0, dtype="float64")
    X = inputs(n=4).reshape(4, 3, 4)
    with torch.no_grad():
        np.testing.assert_allclose(
            to_torch(model)(torch.from_numpy(X)).numpy(), model.loss(X), atol=1e-12
        )


def test_batchnorm_running_statistics_reach_pytorch():
    model = trained(normalization="batchnorm")
    bn = to_torch(model)[2]
    assert isinstance(bn, torch.nn.BatchNorm1d)
    np.testing.assert_array_equal(bn.running_mean.numpy(), model.buffers()["running_mean1"])
    np.testing.assert_array_equal(bn.running_var.numpy(), model.buffers()["running_var1"])
    assert bn.eps == 1e-5 and "num_batches_tracked" in dict(bn.named_buffers())


@pytest.mark.parametrize("normalization", NORMALIZATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_from_torch_round_trips(normalization, activation):
    model, X = trained("float64", normalization, activation), inputs()
    back = from_torch(to_torch(model))
    np.testing.assert_array_equal(back.loss(X), model.loss(X))
    assert back.dropout == pytest.approx(0.25) and back.activation == activation
    assert back.normalization == normalization


def test_from_torch_takes_a_pytorch_trained_module():
    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Linear(12, 10), nn.BatchNorm1d(10), nn.Tanh(), nn.Dropout(0.1), nn.Linear(10, 4)
    )
    module(torch.randn(32, 12))  # training mode: running statistics move
    module.eval()
    X = inputs().astype(np.float32)
    model = from_torch(module)
    with torch.no_grad():
        np.testing.assert_allclose(model.loss(X), module(torch.from_numpy(X)).numpy(), atol=1e-5)


def test_from_torch_names_the_first_layer_it_cannot_take():
    nn = torch.nn
    module = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Conv1d(1, 1, 1), nn.Linear(3, 2))
    with pytest.raises(ValueError, match=r"cannot take layer 2 \(Conv1d\)"):
        from_torch(module)
    with pytest.raises(ValueError, match="one normalization and one activation"):
        from_torch(
            nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))
        )
    with pytest.raises(
        ValueError, match="layer 1 is a linear where fcnet's FullyConnectedNet has a relu"
    ):
        from_torch(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2)))
    with pytest.raises(TypeError, match="takes a torch.nn.Sequential"):
        from_torch(nn.Linear(4, 3))


@pytest.mark.parametrize("normalization", NORMALIZATIONS)
def test_safetensors_load_into_the_torch_module_and_back_into_fcnet(tmp_path, normalization):
    model, X = trained("float32", normalization, "leaky_relu"), inputs("float32")
    path = to_safetensors(model, tmp_path / "m.safetensors")
    module = to_torch(
        FullyConnectedNet(
            [9, 8],
            input_dim=12,
            num_classes=5,
            normalization=normalization,
            activation="leaky_relu",
            alpha=0.05,
            dropout=0.25,
            seed=7,
        )
    )
    module.load_state_dict(
        safetensors_torch.load_file(str(path))
    )  # strict: every key, every shape
    with torch.no_grad():
        np.testing.assert_allclose(
            module(torch.from_numpy(X)).numpy(), model.loss(X), rtol=1e-5, atol=1e-6
        )
    back = from_safetensors(path)
    np.testing.assert_array_equal(back.loss(X), model.loss(X))
    assert back.alpha == pytest.approx(0.05)


def test_safetensors_refuses_damaged_and_foreign_files(tmp_path):
    from safetensors.numpy import save_file

    short = tmp_path / "short.safetensors"
    short.write_bytes(b"\x01\x02")
    with pytest.raises(ValueError, match="shorter than its 8-byte header length"):
        from_safetensors(short)
    huge = tmp_path / "huge.safetensors"
    huge.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="its header declares 1000000000000 bytes"):
        from_safetensors(huge)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"weight": np.zeros((2, 2), np.float32)}, str(foreign))
    with pytest.raises(ValueError, match="no fcnet architecture in its metadata"):
        from_safetensors(foreign)
    path = to_safetensors(trained(), tmp_path / "m.safetensors")
    tensors = safetensors_torch.load_file(str(path))
    tensors["4.weight"] = torch.zeros(3, 3, dtype=torch.float64)
    with open(path, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    safetensors_torch.save_file(
        tensors, str(tmp_path / "bad.safetensors"), metadata=header["__metadata__"]
    )
    with pytest.raises(
        ValueError, match=r"tensor '4.weight' has shape \(3, 3\), its architecture needs \(8, 9\)"
    ):
        from_safetensors(tmp_path / "bad.safetensors")


def test_estimator_exports_with_its_class_labels(tmp_path):
    from sklearn.datasets import load_iris

    from fcnet.sklearn import FCNetClassifier

    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = FCNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, names)
    labels, probabilities = session(build_onnx(clf)).run(None, {"input": X.astype(np.float64)})
    np.testing.assert_array_equal(labels, clf.predict(X))
    np.testing.assert_allclose(probabilities, clf.predict_proba(X), atol=1e-10)
    props = {p.key: p.value for p in build_onnx(clf).metadata_props}
    assert json.loads(props["class_names"]) == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize("zipmap", [False, True])
def test_skl2onnx_converts_a_whole_pipeline(zipmap):
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.datasets import load_digits
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from fcnet.sklearn import FCNetClassifier

    X, y = load_digits(return_X_y=True)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "net",
                FCNetClassifier(
                    hidden_layer_sizes=(20,),
                    normalization="layernorm",
                    max_iter=3,
                    random_state=0,
                    dtype="float32",
                ),
            ),
        ]
    ).fit(X, y)
    register_skl2onnx()
    proto = skl2onnx.to_onnx(
        pipe, X[:1].astype(np.float32), options={FCNetClassifier: {"zipmap": zipmap}}
    )
    labels, probabilities = session(proto).run(None, {"X": X.astype(np.float32)})
    np.testing.assert_array_equal(labels, pipe.predict(X))
    if zipmap:
        probabilities = np.array([[row[c] for c in pipe.classes_] for row in probabilities])
    np.testing.assert_allclose(probabilities, pipe.predict_proba(X), atol=1e-5)


def _check_every_format(model, X, tmp_path):
    """onnxruntime's and torch's probabilities equal fcnet's predict_proba within 1e-5 (float32) / 1e-10 (float64);
    fcnet -> torch -> fcnet and fcnet -> safetensors -> fcnet are exact."""
    tolerance = 1e-5 if model.dtype == np.float32 else 1e-10
    expected = model.predict_proba(X)
    _, probabilities = session(build_onnx(model)).run(None, {"input": X})
    np.testing.assert_allclose(probabilities, expected, atol=tolerance)
    with torch.no_grad():
        torch_probabilities = torch.softmax(to_torch(model)(torch.from_numpy(X)), dim=1).numpy()
    np.testing.assert_allclose(torch_probabilities, expected, atol=tolerance)
    np.testing.assert_array_equal(from_torch(to_torch(model)).predict_proba(X), expected)
    path = to_safetensors(model, tmp_path / "m.safetensors")
    np.testing.assert_array_equal(from_safetensors(path).predict_proba(X), expected)


@pytest.mark.parametrize("case", range(16))
def test_random_architectures_in_every_format(case, tmp_path):
    rng = np.random.default_rng(case)
    dtype = ["float32", "float64"][case % 2]
    hidden = [int(h) for h in rng.integers(3, 40, size=rng.integers(1, 5))]
    model = FullyConnectedNet(
        hidden,
        input_dim=int(rng.integers(2, 30)),
        num_classes=int(rng.integers(2, 12)),
        activation=ACTIVATIONS[case % 4],
        normalization=NORMALIZATIONS[case % 3],
        dropout=float(rng.choice([0.0, 0.3])),
        alpha=float(rng.uniform(0.001, 0.3)),
        weight_scale="he",
        dtype=dtype,
        seed=case,
    )
    X = rng.normal(0.5, 2.0, size=(int(rng.integers(1, 64)), model.input_dim)).astype(dtype)
    for _ in range(2):  # move batch norm's running statistics
        model.loss(
            rng.normal(1.0, 2.0, size=(8, model.input_dim)).astype(dtype), rng.integers(0, 2, 8)
        )
    _check_every_format(model.eval(), X, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "dataset, normalization", [("digits", "batchnorm"), ("fashion-mnist", "layernorm")]
)
def test_models_trained_on_real_data_in_every_format(dataset, normalization, tmp_path):
    from fcnet.data import load_dataset
    from fcnet.solver import Solver

    try:
        data = load_dataset(dataset, seed=0, limit=6000)
    except (FileNotFoundError, ValueError) as exc:
        pytest.skip(f"{dataset} is not on this machine ({exc}); .ci/run installs it")
    model = FullyConnectedNet(
        [64, 32],
        input_dim=data["X_train"].shape[1],
        num_classes=10,
        dropout=0.2,
        normalization=normalization,
        weight_scale="he",
        seed=0,
    )
    Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 3e-3},
        num_epochs=10,
        batch_size=50,
        seed=0,
        verbose=False,
        progress=False,
    ).train()
    assert (
        model.evaluate(data["X_test"], data["y_test"])[0] > 0.7
    )  # a trained model, not a random one
    _check_every_format(model, data["X_test"], tmp_path)
