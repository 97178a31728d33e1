def test_every_module_calls_the_kernels_of_fcnet_layers_when_it_runs(monkeypatch):
    """One rule for the kernels' seam (design review 2026-12-01): modules and sandwich layers look a kernel up in
    fcnet.layers when they run, so a kernel put in its place (a student's, by the grader) is the one used."""
    import numpy as np

    from fcnet import layer_utils, layers
    from fcnet import modules as M

    calls = []

    def spy(name):
        original = getattr(layers, name)

        def wrapped(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(layers, name, wrapped)

    for name in (
        "relu_forward",
        "relu_backward",
        "tanh_forward",
        "leaky_relu_backward",
        "softmax_loss",
        "svm_loss",
        "affine_forward",
        "batchnorm_forward",
    ):
        spy(name)
    x = np.random.default_rng(0).normal(size=(4, 3))
    relu = M.ReLU()
    relu.backward(relu.forward(x))
    M.Tanh().forward(x)
    leaky = M.LeakyReLU(0.1)
    leaky.backward(leaky.forward(x))
    M.SoftmaxWithLoss().forward(x, np.array([0, 1, 2, 0]))
    M.SVMLoss().forward(x, np.array([0, 1, 2, 0]))
    layer_utils.affine_relu_forward(x, np.ones((3, 2)), np.zeros(2))
    layer_utils.affine_norm_relu_forward(
        x, np.ones((3, 2)), np.zeros(2), np.ones(2), np.zeros(2), {"mode": "train"}, "batchnorm"
    )
    assert calls == [
        "relu_forward",
        "relu_backward",
        "tanh_forward",
        "leaky_relu_backward",
        "softmax_loss",
        "svm_loss",
        "affine_forward",
        "relu_forward",
        "affine_forward",
        "batchnorm_forward",
        "relu_forward",
    ]
