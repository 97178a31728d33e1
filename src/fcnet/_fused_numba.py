"""The update rules of fcnet.optim, ReLU, leaky ReLU and the softmax loss as single fused loops, compiled with
numba (``@njit(cache=True, error_model="numpy")``, no fastmath).

Each loop performs, element by element, the very operations of its NumPy rule in fcnet.optim, in the same order and
in the arrays' dtype (the scalars arrive already cast to it), so that both paths give the same numbers; one pass
over memory instead of five to nine, with no branch inside the loop so that it vectorizes. Decoupled weight decay
is always added, as decay_lr * w: with decay_lr = 0 it adds a zero, which changes no number (the NumPy path skips
it). fcnet.fused decides which path runs; the NumPy rules stay the reference. Arrays must be C-contiguous and of
one dtype; each loop writes next_w into w itself (a separate output array that aliases nothing would vectorize too,
but w as its own output through a second name makes LLVM's alias check fail and the loop run one element at a
time: 7 times slower, measured). relu_stack_step runs fcnet.plain_stack's float32 step, products (NumPy's own
sgemm, fcnet._blas_numba) and loops, as one call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from fcnet._blas_numba import matmul, matmul_at, matmul_bt


@njit(cache=True, error_model="numpy")
def sgd(w, dw, lr, decay_lr):
    w, dw = w.reshape(-1), dw.reshape(-1)
    for i in range(w.size):
        w[i] = w[i] - (dw[i] * lr + decay_lr * w[i])


@njit(cache=True, error_model="numpy")
def sgd_momentum(w, dw, v, lr, mu, decay_lr):
    w, dw, v = w.reshape(-1), dw.reshape(-1), v.reshape(-1)
    for i in range(w.size):
        vi = v[i] * mu - dw[i] * lr
        v[i] = vi
        w[i] = w[i] - (-vi + decay_lr * w[i])


@njit(cache=True, error_model="numpy")
def nesterov_momentum(w, dw, v, lr, mu, decay_lr):
    """(mu = 0 is the NumPy path's special case; fcnet.optim sends it there.)"""
    w, dw, v = w.reshape(-1), dw.reshape(-1), v.reshape(-1)
    for i in range(w.size):
        step = dw[i] * lr
        vi = v[i] * mu + step
        v[i] = vi
        w[i] = w[i] - (((step / mu) + vi) * mu + decay_lr * w[i])


@njit(cache=True, error_model="numpy")
def adagrad(w, dw, cache, lr, eps, decay_lr):
    w, dw, cache = w.reshape(-1), dw.reshape(-1), cache.reshape(-1)
    for i in range(w.size):
        c = cache[i] + dw[i] * dw[i]
        cache[i] = c
        w[i] = w[i] - ((dw[i] / (np.sqrt(c) + eps)) * lr + decay_lr * w[i])


@njit(cache=True, error_model="numpy")
def rmsprop(w, dw, cache, lr, rho, one_minus_rho, eps, decay_lr):
    w, dw, cache = w.reshape(-1), dw.reshape(-1), cache.reshape(-1)
    for i in range(w.size):
        c = cache[i] * rho + (dw[i] * dw[i]) * one_minus_rho
        cache[i] = c
        w[i] = w[i] - ((dw[i] / (np.sqrt(c) + eps)) * lr + decay_lr * w[i])


@njit(cache=True, error_model="numpy")
def adam(
    w, dw, m, v, b1, one_minus_b1, b2, one_minus_b2, inv_sqrt_correction, eps, lr_scale, decay_lr
):
    w, dw, m, v = w.reshape(-1), dw.reshape(-1), m.reshape(-1), v.reshape(-1)
    for i in range(w.size):
        g = dw[i]
        mi = m[i] * b1 + g * one_minus_b1
        m[i] = mi
        vi = v[i] * b2 + (g * g) * one_minus_b2
        v[i] = vi
        w[i] = w[i] - (
            (mi / (np.sqrt(vi) * inv_sqrt_correction + eps)) * lr_scale + decay_lr * w[i]
        )


@njit(cache=True, error_model="numpy")
def adabelief(
    w, dw, m, s, b1, one_minus_b1, b2, one_minus_b2, inv_sqrt_correction, eps, lr_scale, decay_lr
):
    w, dw, m, s = w.reshape(-1), dw.reshape(-1), m.reshape(-1), s.reshape(-1)
    for i in range(w.size):
        g = dw[i]
        mi = m[i] * b1 + g * one_minus_b1
        m[i] = mi
        d = g - mi
        si = s[i] * b2 + (d * d) * one_minus_b2
        s[i] = si
        w[i] = w[i] - (
            (mi / (np.sqrt(si) * inv_sqrt_correction + eps)) * lr_scale + decay_lr * w[i]
        )


@njit(inline="always")
def _relu(v):
    """np.maximum(v, 0): v where v > 0 or v is NaN, else +0 (NumPy's maximum gives +0 for -0 too)."""
    return v if (v > 0 or v != v) else 0


@njit(inline="always")
def _relu_gradient(d, x, one, zero):
    """d * (x > 0), the mask as one or zero in d's dtype: signed zeros and NaN (inf * 0) as NumPy's product."""
    return d * (one if x > 0 else zero)


@njit(cache=True, error_model="numpy")
def relu_forward(x, out):
    """np.maximum(x, 0) into out (see _relu)."""
    x, out = x.reshape(-1), out.reshape(-1)
    for i in range(x.size):
        out[i] = _relu(x[i])


@njit(cache=True, error_model="numpy")
def relu_backward(dout, x, dx, one, zero):
    """dout * (x > 0) into dx, the mask as 1 or 0 in dout's dtype (one, zero): signed zeros and NaN (inf * 0) as
    NumPy's product gives them."""
    dout, x, dx = dout.reshape(-1), x.reshape(-1), dx.reshape(-1)
    for i in range(x.size):
        dx[i] = _relu_gradient(dout[i], x[i], one, zero)


@njit(cache=True, error_model="numpy")
def bias_relu_forward(a, b, out):
    """a += b (b (M,) added to each row of a (N, M)) and out = relu_forward's np.maximum(a, 0), in one pass: an affine
    layer's bias and the ReLU after it (fcnet.plain_stack)."""
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            v = a[i, j] + b[j]
            a[i, j] = v
            out[i, j] = _relu(v)


@njit(cache=True, error_model="numpy")
def relu_backward_bias(dout, x, dx, db, one, zero):
    """relu_backward's dx = dout * (x > 0) (N, M) and the next affine layer's bias gradient db = dx.sum(axis=0) (M,),
    in one pass; the sum starts from 0 and adds the rows in order, as NumPy's over the first axis of a C-contiguous
    array of M > 1 columns (a column of -0 sums to +0; tested to the bit; one column NumPy sums pairwise)."""
    n, m = dx.shape
    for j in range(m):
        db[j] = zero
    for i in range(n):
        for j in range(m):
            d = _relu_gradient(dout[i, j], x[i, j], one, zero)
            dx[i, j] = d
            db[j] += d


@njit(cache=True, error_model="numpy")
def leaky_relu_forward(x, out, slope, one, alpha):
    """slope = where(x > 0, one, alpha) and out = x * slope, in one pass (one, alpha in x's dtype)."""
    x, out, slope = x.reshape(-1), out.reshape(-1), slope.reshape(-1)
    for i in range(x.size):
        s = one if x[i] > 0 else alpha
        slope[i] = s
        out[i] = x[i] * s


@njit(inline="always")
def _softmax_row(x, i, label, dx, n):
    """Row i of softmax_loss: writes dx[i] and returns the row's loss, -log_probs[i, label]."""
    c = x.shape[1]
    top = x[i, 0]
    for j in range(1, c):
        if x[i, j] > top:
            top = x[i, j]
    s = x[i, 0] * 0
    for j in range(c):
        s += np.exp(x[i, j] - top)
    log_s = np.log(s)
    for j in range(c):
        p = np.exp((x[i, j] - top) - log_s)
        dx[i, j] = (p - 1 if j == label else p) / n
    return (x[i, label] - top) - log_s


@njit(cache=True, error_model="numpy")
def softmax_loss(x, y, dx):
    """fcnet.loss_kernels.softmax_loss's operations row by row, in x's dtype, in one pass over the scores: the
    row's maximum, shifted = x - max, log_probs = shifted - log(sum(exp(shifted))), dx = exp(log_probs) with 1
    taken from the right class, over N. Writes dx (N, C); returns the mean loss (summed in float64). The row sums
    run in order where NumPy's run pairwise, so the two paths agree to float rounding, not to the bit."""
    n = x.shape[0]
    total = 0.0
    for i in range(n):
        total -= _softmax_row(x, i, y[i], dx, n)
    return total / n


@njit(cache=True, error_model="numpy")
def bias_softmax_loss(x, b, y, dx, db, zero):
    """The last affine layer's bias and the softmax loss over its scores in one pass (fcnet.plain_stack): x += b
    (b (C,) added to each row of x (N, C)), softmax_loss's operations on the row, and the bias gradient db =
    dx.sum(axis=0) (C,), summed from zero row after row as NumPy sums over the first axis of a C-contiguous array
    of C > 1 columns. Writes x, dx and db; returns softmax_loss's mean loss."""
    n, c = x.shape
    for j in range(c):
        db[j] = zero
    total = 0.0
    for i in range(n):
        for j in range(c):
            x[i, j] = x[i, j] + b[j]
        total -= _softmax_row(x, i, y[i], dx, n)
        for j in range(c):
            db[j] += dx[i, j]
    return total / n


@njit(inline="always")
def _forward_loss(x, weights, biases, labels, outputs):
    """relu_stack_step's forward pass and loss: writes pre_activations, hiddens, scores, dscores and the last
    layer's bias gradient; returns the mean loss."""
    pre_activations, hiddens, scores, dscores, _, bias_grads, _ = outputs
    last = len(weights) - 1
    layer_input = x
    for i in range(last):
        matmul(layer_input, weights[i], pre_activations[i])
        bias_relu_forward(pre_activations[i], biases[i], hiddens[i])
        layer_input = hiddens[i]
    matmul(layer_input, weights[last], scores)
    zero = np.float32(0)
    return bias_softmax_loss(scores, biases[last], labels, dscores, bias_grads[last], zero)


@njit(inline="always")
def _output_gradient(upstream, w, work):
    """The gradient at a hidden layer's output, upstream (N, d_i+1) @ w.T (d_i+1, d_i), into work[0]."""
    n, width = upstream.shape[0], w.shape[0]
    dx = work[0, : n * width].reshape((n, width))
    matmul_bt(upstream, w, dx)
    return dx


@njit(inline="always")
def _through_relu(dx, pre_activation, work, db):
    """The gradient at the ReLU's input (into work[1]; returned) and the bias gradient db of the layer below."""
    n, width = dx.shape
    upstream = work[1, : n * width].reshape((n, width))
    relu_backward_bias(dx, pre_activation, upstream, db, np.float32(1), np.float32(0))
    return upstream


@njit(inline="always")
def _backward(x, weights, outputs):
    """relu_stack_step's backward pass after _forward_loss: writes weight_grads, bias_grads and work."""
    pre_activations, hiddens, _, dscores, weight_grads, bias_grads, work = outputs
    upstream = dscores
    for i in range(len(weights) - 1, 0, -1):
        dx = _output_gradient(upstream, weights[i], work)
        matmul_at(hiddens[i - 1], upstream, weight_grads[i])
        upstream = _through_relu(dx, pre_activations[i - 1], work, bias_grads[i - 1])
    matmul_at(x, upstream, weight_grads[0])


@njit(cache=True, nogil=True)
def relu_stack_step(x, weights, biases, labels, outputs):
    """One training-mode pass of L affine layers with a ReLU after each but the last and a softmax loss.

    x (N, D) float32 rows; weights: L arrays (d_i, d_i+1); biases: L arrays (d_i+1,); labels (N,) integers. The
    outputs, the tuple (pre_activations, hiddens, scores, dscores, weight_grads, bias_grads, work)
    (fcnet.plain_stack.step_outputs), are written: pre_activations and hiddens, L - 1 arrays (N, d_i+1) each
    (the products plus the bias, and their ReLU), scores (N, C) (the last product plus its bias), dscores (N, C),
    weight_grads and bias_grads (L arrays each, shaped as the weights and the biases); work (2, N * the widest
    hidden layer) holds the backward pass's gradients at a hidden layer's output and at its ReLU's input, one
    layer after the other (given by the caller: arrays allocated here, half a megabyte a layer at batch 512, were
    measured slower). Returns the mean loss. Every dimension larger than one (fcnet.plain_stack checks)."""
    loss = _forward_loss(x, weights, biases, labels, outputs)
    _backward(x, weights, outputs)
    return loss
