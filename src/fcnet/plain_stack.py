"""The training step of the most common network, affine - ReLU - ... - affine - softmax loss, as one function:
the operations of fcnet.layers' affine and ReLU kernels (on their fused loops) and of loss_kernels.softmax_loss,
in the order Sequential.forward, the loss layer and Sequential.backward run them, leaving the modules in the state
those leave (each layer's cache and gradients, the loss layer's loss and gradient), without the module and
kernel calls in between.

FullyConnectedNet.loss takes it inside the Solver's checked steps (fcnet._checks.inputs_checked) once numba is
loaded, for a network of fcnet's own Affine and ReLU modules calling fcnet's own kernels (a kernel put in place of
fcnet's, as the grader does, sends every step through the modules) and with no observer (the diagnostics' steps).
Everything else goes through the modules. Tests compare the two paths to the bit. In float32, with a hidden layer
or more and every dimension larger than one, the step's operations run as one compiled call (fcnet._fused_numba's
relu_stack_step, through NumPy's own sgemm: fcnet._blas_numba) when NumPy has that sgemm; else one call after
another here; the two give the same numbers to the bit (tests/test_one_call_step.py).

Measured (784-300-300-10, batch 100, float32, 54,000 rows; Solver._step with and without it, interleaved in one
process): 3,479 -> 3,376 us a step at 1 thread, 2,964 -> 2,863 at 2; with its bias loops, another run 3,438 ->
3,393 at 1 thread (the machine's noise is of the gain's size). Writing the modules' state after the last product
instead of between the products, and the last layer's bias, softmax loss and bias gradient as one loop: 30-65 us
less a call (loss_and_grads before and after, interleaved, four runs at 1 and 2 threads): Python's work right
after a BLAS call costs about three times what it costs in a row (the caches hold the product's data). The step
in one compiled call: Solver._step 1,654 -> 1,613 us at 1 thread, 1,312 -> 1,286 at 2 (this module before and
after, interleaved in one process, 60 rounds of 20 steps; paired medians -47 and -23 us; an Intel Xeon with
AVX-512, 2 cores); a second epoch on benchmarks/bench_scaling's grid (one-call against call-by-call, one run of 7
rounds): 0.965-0.987 of the time on nine points, batch 2048 1.021 (two steps an epoch; rerun with 15 rounds:
0.957). Its backward work arrays come from the caller, one pair of rows reused layer after layer: allocated
inside the call, a second epoch at batch 512 took 4.6 and 7.5% longer (two runs); as two arrays a layer from the
caller, the loss and gradients at batch 2048 4.7% longer (33.8 against 32.3 ms; the allocator's fresh pages).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet import fused
from fcnet import layers as L
from fcnet import loss_kernels
from fcnet import modules as M
from fcnet._checks import labels_of

# fcnet's kernels as defined: the step is fcnet.layers' operations only while the module holds these
_OWN_KERNELS = {
    name: getattr(L, name)
    for name in ("affine_forward", "affine_backward", "relu_forward", "relu_backward")
}
_OWN_KERNELS["softmax_loss"] = loss_kernels.softmax_loss


def plain_layers(layers: M.Sequential, loss_layer: Any) -> list[M.Module] | None:
    """The modules of `layers` when they are exactly Affine, ReLU, ..., Affine (fcnet's classes, not subclasses),
    under a softmax loss layer, with fcnet's own kernels in fcnet.layers and no observer; else None."""
    if layers.observer is not None or type(loss_layer) is not M.SoftmaxWithLoss:
        return None
    if loss_layer.kernel != "softmax_loss":
        return None
    for name, kernel in _OWN_KERNELS.items():
        if getattr(L, name) is not kernel:
            return None
    modules = list(layers.layers.values())
    if len(modules) % 2 != 1:
        return None
    for i, affine in enumerate(modules[0::2]):
        # the first layer's data needs no gradient; every later layer's input does
        if type(affine) is not M.Affine or affine.input_grad != (i > 0):
            return None
    for relu in modules[1::2]:
        if type(relu) is not M.ReLU or relu.kernel != "relu":
            return None
    return modules


def _takes(w: np.ndarray, b: np.ndarray, dtype: np.dtype) -> bool:
    """Whether the loops take a layer's W (D, M) and b (M,): both of the data's dtype."""
    return w.dtype == dtype and b.dtype == dtype and w.ndim == 2 and b.shape == (w.shape[1],)


def _loop_sums_like_numpy(columns: int) -> bool:
    """Whether a loop summing an (N, columns) C-contiguous array's rows one after another from zero gives NumPy's
    sum over the first axis to the bit: for more than one column (a single column NumPy sums pairwise)."""
    return columns > 1


def data_loss_and_grads(
    layers: M.Sequential,
    loss_layer: Any,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    checked: bool,
) -> tuple[float, dict[str, np.ndarray]]:
    """The data loss and the gradients of a training-mode pass over X, labels y and sample weights (or None): the
    plain step for checked rows (fcnet._checks.inputs_checked) without weights when it is this module's to take
    (:func:`loss_and_grads`), else the modules' forward, the loss layer and the modules' backward."""
    plain = loss_and_grads(layers, loss_layer, X, y) if checked and sample_weight is None else None
    if plain is not None:
        return plain
    scores = layers.forward(X)
    data_loss = loss_layer.forward(scores, y, sample_weight)
    layers.backward(loss_layer.backward())
    return data_loss, layers.grads


def loss_and_grads(
    layers: M.Sequential, loss_layer: Any, X: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]] | None:
    """The data loss and the gradients {'W1': ..., 'b1': ..., ...} (the order of Sequential.grads) of checked rows
    X (N, d_1, ..., d_k) and labels y (N,) or one-hot (N, C), in training mode; None (nothing done) when the step
    is not this module's to take (see plain_layers; the fused loops not loaded; parameters not all of X's float
    dtype)."""
    kernels = fused.loaded_kernels()
    modules = plain_layers(layers, loss_layer) if kernels is not None else None
    if modules is None:
        return None
    affines = modules[0::2]
    dtype = X.dtype
    weights = [(affine.W, affine.b) for affine in affines]
    if dtype.char not in "fd" or not all(_takes(w, b, dtype) for w, b in weights):
        return None
    rows = X.reshape(X.shape[0], weights[0][0].shape[0])
    step = fused.whole_step(kernels)
    if step is not None and _one_call_takes(rows, weights):
        loss, inputs, pre_activations, dscores, weight_grads, bias_grads = _in_one_call(
            step, rows, weights, labels_of(y)
        )
    else:
        loss, inputs, pre_activations, dscores, weight_grads, bias_grads = _call_by_call(
            kernels, rows, weights, y
        )
    write_state(
        modules, loss_layer, [X, *inputs[1:]], pre_activations, dscores, weight_grads, bias_grads
    )
    loss_layer.loss = loss
    return loss, layers.grads


def write_state(
    modules: list[M.Module],
    loss_layer: Any,
    layer_inputs: list,
    pre_activations: list,
    dscores: np.ndarray,
    weight_grads: list,
    bias_grads: list,
) -> None:
    """The state the modules' pass leaves (but the loss layer's loss): each affine layer's input (the data as given,
    then the hidden outputs) and gradients, each ReLU's input, the loss layer's gradient dscores (N, C)."""
    for affine, x, dw, db in zip(modules[0::2], layer_inputs, weight_grads, bias_grads):
        affine._cache = (x, affine.W, affine.b)
        affine.grads = {"W": dw, "b": db}
    for relu, pre_activation in zip(modules[1::2], pre_activations):
        relu._cache = pre_activation
    loss_layer._dx = dscores


def _call_by_call(
    kernels: Any, rows: np.ndarray, weights: list, y: np.ndarray
) -> tuple[float, list, list, np.ndarray, list, list]:
    """The step's operations one call after another (NumPy's products, the fused loops): the loss, the layers'
    inputs [rows, hidden_1, ...], the pre-activations, dscores (N, C), the weight and bias gradients (layer
    order)."""
    dtype = rows.dtype
    one, zero = dtype.type(1), dtype.type(0)
    # Between two products only the loops and their outputs' allocation run; the modules' state is written after
    # the last product, in one go (Python's work between two BLAS calls costs several times what it costs in a row)
    # forward: affine_forward's product, relu_forward's loop (with the bias before it, in one pass)
    inputs, pre_activations = [rows], []
    for w, b in weights[:-1]:
        out = inputs[-1] @ w
        hidden = np.empty_like(out)
        kernels.bias_relu_forward(out, b, hidden)
        pre_activations.append(out)
        inputs.append(hidden)
    w, b = weights[-1]
    scores = inputs[-1] @ w
    loss, dscores, db = _bias_and_softmax_loss(kernels, scores, b, y, zero)
    # backward: affine_backward's products, relu_backward's loop (with the bias gradient below it)
    dout, weight_grads, bias_grads = dscores, [], [db]
    for i in range(len(weights) - 1, 0, -1):
        weight_grads.append(inputs[i].T @ dout)
        dx = dout @ weights[i][0].T
        dout = np.empty_like(dx)
        if _loop_sums_like_numpy(dx.shape[1]):
            db = np.empty(dx.shape[1], dtype)
            kernels.relu_backward_bias(dx, pre_activations[i - 1], dout, db, one, zero)
        else:
            kernels.relu_backward(dx, pre_activations[i - 1], dout, one, zero)
            db = dout.sum(axis=0)
        bias_grads.append(db)
    weight_grads.append(rows.T @ dout)
    return loss, inputs, pre_activations, dscores, weight_grads[::-1], bias_grads[::-1]


def _one_call_takes(rows: np.ndarray, weights: list) -> bool:
    """Whether the one-call step (fused.whole_step) takes these rows and (W, b) layers: a hidden layer or more,
    float32 arrays, C-contiguous, aligned and writeable, each layer's input the previous layer's output, every
    dimension (rows, features, widths, classes) larger than one (NumPy's matmul sends a single row or column to
    gemv, not to the sgemm the step calls)."""
    if len(weights) < 2 or rows.dtype.char != "f" or rows.shape[0] < 2 or not rows.flags.carray:
        return False
    width = rows.shape[1]
    for w, b in weights:
        if w.shape[0] != width or min(w.shape) < 2 or not (w.flags.carray and b.flags.carray):
            return False
        width = w.shape[1]
    return True


def _in_one_call(
    step: Any, rows: np.ndarray, weights: list, labels: np.ndarray
) -> tuple[float, list, list, np.ndarray, list, list]:
    """_call_by_call's results from one compiled call (fcnet._fused_numba.relu_stack_step): the same numbers."""
    outputs = step_outputs(rows.shape[0], weights)
    weight_arrays, bias_arrays = tuple(w for w, _ in weights), tuple(b for _, b in weights)
    loss = step(rows, weight_arrays, bias_arrays, labels, outputs)
    pre_activations, hiddens, _, dscores, weight_grads, bias_grads, _ = outputs
    return (
        float(loss),
        [rows, *hiddens],
        [*pre_activations],
        dscores,
        [*weight_grads],
        [*bias_grads],
    )


def step_outputs(n: int, weights: list) -> tuple:
    """The one-call step's outputs for n rows and (W, b) layers (fcnet._fused_numba.relu_stack_step), uninitialized:
    (pre_activations, hiddens) L - 1 arrays (n, d_i+1) each, scores and dscores (n, C), (weight_grads, bias_grads)
    shaped as the layers' W and b, work (2, n * the widest hidden layer)."""
    dtype = weights[0][0].dtype
    widths = [w.shape[1] for w, _ in weights]
    scores = np.empty((n, widths[-1]), dtype)
    return (
        tuple(np.empty((n, width), dtype) for width in widths[:-1]),
        tuple(np.empty((n, width), dtype) for width in widths[:-1]),
        scores,
        np.empty_like(scores),
        tuple(np.empty_like(w) for w, _ in weights),
        tuple(np.empty_like(b) for _, b in weights),
        np.empty((2, n * max(widths[:-1])), dtype),
    )


def _bias_and_softmax_loss(
    kernels: Any, scores: np.ndarray, b: np.ndarray, y: np.ndarray, zero: Any
) -> tuple[float, np.ndarray, np.ndarray]:
    """scores (N, C) += b (C,), then loss_kernels.softmax_loss(scores, y) and the bias gradient
    dscores.sum(axis=0): for float32 scores of more than one class in one loop (the softmax loss's own for float32
    scores, the bias sum in NumPy's order), else NumPy's operations (float64 scores take NumPy's softmax loss)."""
    if scores.dtype.char == "f" and _loop_sums_like_numpy(scores.shape[1]):
        dscores, db = np.empty_like(scores), np.empty(scores.shape[1], scores.dtype)
        loss = kernels.bias_softmax_loss(scores, b, labels_of(y), dscores, db, zero)
        return float(loss), dscores, db
    scores += b
    loss, dscores = loss_kernels.softmax_loss(scores, y)
    return loss, dscores, dscores.sum(axis=0)
