# %% [markdown]
# # Modular layers and their checks (seeds 000 and 004, section 1)
# Every layer is a forward/backward pair; each check below is one the courses print, run against fcnet.
# Open this file as a notebook with jupytext, or run it as a script.

# %%
import numpy as np

from fcnet.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from fcnet.layer_utils import affine_relu_backward, affine_relu_forward
from fcnet.layers import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)

rng = np.random.default_rng(0)

# %% affine_forward
num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
x = np.linspace(-0.1, 0.5, num=num_inputs * np.prod(input_shape)).reshape(num_inputs, *input_shape)
w = np.linspace(-0.2, 0.3, num=output_dim * np.prod(input_shape)).reshape(
    np.prod(input_shape), output_dim
)
b = np.linspace(-0.3, 0.1, num=output_dim)
out, _ = affine_forward(x, w, b)
correct_out = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
print("testing affine_forward function:\ndifference:", rel_error(out, correct_out))
assert rel_error(out, correct_out) < 1e-9

# %% affine_backward
x, w, b = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
dout = rng.standard_normal((10, 5))
dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
for name, analytic, arg in (("dx", dx, x), ("dw", dw, w), ("db", db, b)):

    def f(v, name=name):
        args = {"dx": (v, w, b), "dw": (x, v, b), "db": (x, w, v)}[name]
        return affine_forward(*args)[0]

    print(f"{name} error:", rel_error(eval_numerical_gradient_array(f, arg, dout), analytic))

# %% relu
x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
print("relu_forward difference:", rel_error(relu_forward(x)[0], np.maximum(x, 0)))
x, dout = rng.standard_normal((10, 10)), rng.standard_normal((10, 10))
dx = relu_backward(dout, relu_forward(x)[1])
print(
    "relu_backward dx error:",
    rel_error(eval_numerical_gradient_array(lambda v: relu_forward(v)[0], x, dout), dx),
)

# %% affine - relu sandwich
x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 10)), rng.standard_normal(10)
dout = rng.standard_normal((2, 10))
dx, dw, db = affine_relu_backward(dout, affine_relu_forward(x, w, b)[1])
print(
    "affine_relu dx error:",
    rel_error(
        eval_numerical_gradient_array(lambda v: affine_relu_forward(v, w, b)[0], x, dout), dx
    ),
)

# %% losses: about 9.0 for SVM and log(10) = 2.3026 for softmax on small random scores
x = 0.001 * rng.standard_normal((50, 10))
y = rng.integers(10, size=50)
for name, loss_fn in (("svm_loss", svm_loss), ("softmax_loss", softmax_loss)):
    loss, dx = loss_fn(x, y)
    dx_num = eval_numerical_gradient(lambda v: loss_fn(v, y)[0], x, verbose=False)
    print(f"testing {name}: loss {loss:.6f}, dx error {rel_error(dx_num, dx):.2e}")
