import numpy as np
import pytest

from fcnet import layer_utils as U
from fcnet.gradient_check import eval_numerical_gradient_array, rel_error


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_affine_norm_relu_backward_matches_numeric_gradient(rng, normalization):
    x = rng.standard_normal((5, 2, 3))
    w, b = rng.standard_normal((6, 4)), rng.standard_normal(4)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    dout = rng.standard_normal((5, 4))

    def f(xv, wv, bv, gv, betav):
        return U.affine_norm_relu_forward(xv, wv, bv, gv, betav, {"mode": "train"}, normalization)[
            0
        ]

    out, cache = U.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, normalization)
    grads = U.affine_norm_relu_backward(dout, cache)
    args = [x, w, b, gamma, beta]
    for i, grad in enumerate(grads):

        def fi(v, i=i):
            return f(*[v if j == i else a for j, a in enumerate(args)])

        numeric = eval_numerical_gradient_array(fi, args[i], dout)
        if normalization == "batchnorm" and i == 2:
            # batch norm subtracts the batch mean, so the affine bias has no effect at all
            np.testing.assert_allclose(grad, 0, atol=1e-12)
            np.testing.assert_allclose(numeric, 0, atol=1e-9)
        else:
            assert rel_error(grad, numeric) < 1e-7


def test_named_sandwiches_match_general_one(rng):
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    g, be = np.ones(2), np.zeros(2)
    bn, _ = U.affine_bn_relu_forward(x, w, b, g, be, {"mode": "train"})
    ln, _ = U.affine_ln_relu_forward(x, w, b, g, be, {})
    np.testing.assert_array_equal(
        bn, U.affine_norm_relu_forward(x, w, b, g, be, {"mode": "train"})[0]
    )
    np.testing.assert_array_equal(
        ln, U.affine_norm_relu_forward(x, w, b, g, be, {}, "layernorm")[0]
    )


def test_unknown_normalization_is_rejected():
    with pytest.raises(ValueError, match=r"normalization must be one of .* got 'groupnorm'"):
        U.affine_norm_relu_forward(
            np.zeros((2, 2)),
            np.zeros((2, 2)),
            np.zeros(2),
            np.ones(2),
            np.zeros(2),
            {},
            "groupnorm",
        )
