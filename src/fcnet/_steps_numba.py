"""A run of the Solver's steps as one compiled call (numba, ``cache=True``, no fastmath) for fcnet.compiled_steps:
each step gathers its minibatch, runs fcnet._fused_numba.relu_stack_step's forward pass and loss, tests the loss
for divergence, then runs the backward pass with the update rule's loop (fcnet._fused_numba's, with
fcnet.optim_fused's scalars) on each parameter as soon as its gradient is computed, while it is still in cache.

At one BLAS thread a large weight gradient is computed in blocks of rows (fcnet.compiled_steps.gradient_blocks),
each into a small buffer and updated at once, with the block, its weights and the rule's state in the core's own
cache: the whole gradient (1.3 MB a step for 784-300-300-10) is never written out, which leaves more of the shared
cache to the parameters and the rule's state (measured here: Adam's 5.2 MB of arrays are out of the cache after
6 MB of other traffic, though lscpu reports a 48 MB L3 shared by the machine). The last step of a run writes its
whole gradients, which the modules then hold. A block's product gives the whole product's rows to the bit
(fcnet._blas_numba.matmul_at_rows) and the rules' loops work element by element, so the numbers are
relu_stack_step's followed by the Optimizer's update (tests/test_compiled_steps.py, tests/test_gradient_blocks.py).

numba keys a cached function on its own file only: relu_stack_steps inlines fcnet._fused_numba's passes and calls
its loops, so a change there reaches this cache when this file changes too (or its cache in __pycache__ is
deleted).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from fcnet._blas_numba import matmul_at_rows
from fcnet._fused_numba import (
    _backward,
    _forward_loss,
    _output_gradient,
    _through_relu,
    adabelief,
    adagrad,
    adam,
    nesterov_momentum,
    rmsprop,
    sgd,
    sgd_momentum,
)

# the update rules in the order relu_stack_steps numbers them (fcnet.compiled_steps passes the number)
RULES = ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adabelief")


@njit(inline="always")
def _update(rule, w, dw, first, second, s):
    """Rule number `rule` (RULES) on one parameter: its loop in fcnet._fused_numba, with its state arrays (first,
    second; those a rule has not are not read) and its scalars s (a float32 row, in the order of the loop's
    arguments)."""
    if rule == 0:
        sgd(w, dw, s[0], s[1])
    elif rule == 1:
        sgd_momentum(w, dw, first, s[0], s[1], s[2])
    elif rule == 2:
        nesterov_momentum(w, dw, first, s[0], s[1], s[2])
    elif rule == 3:
        adagrad(w, dw, first, s[0], s[1], s[2])
    elif rule == 4:
        rmsprop(w, dw, first, s[0], s[1], s[2], s[3], s[4])
    elif rule == 5:
        adam(w, dw, first, second, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
    else:
        adabelief(w, dw, first, second, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])


@njit(inline="always")
def _flush_tiny(a, below):
    """fcnet.optim_fused's flush: a[np.abs(a) < below] = 0, below in a's dtype."""
    a = a.reshape(-1)
    for i in range(a.size):
        if np.abs(a[i]) < below:
            a[i] = 0


@njit(inline="always")
def _backward_and_update(x, weights, biases, outputs, blocks, rule, states, s, keep_gradients):
    """_backward's products and loops with each parameter updated by rule number `rule` (scalars s) as soon as its
    gradient is computed: layer i's weight gradient a.T @ upstream (a: x or the hidden layer below) in blocks of
    gradient_rows[i] rows (blocks = (gradient_rows, buffer)), each block into the buffer (into weight_grads when
    keep_gradients, or when the block is the whole gradient) and the block's update after its product; a layer's
    weights are updated after the gradient at its input, which reads them. states: ((first, second) per weight,
    (first, second) per bias)."""
    pre_activations, hiddens, _, dscores, weight_grads, bias_grads, work = outputs
    gradient_rows, buffer = blocks
    (weight_first, weight_second), (bias_first, bias_second) = states
    upstream = dscores
    for i in range(len(weights) - 1, -1, -1):
        layer_input = hiddens[i - 1] if i > 0 else x
        dx = upstream
        if i > 0:
            dx = _output_gradient(upstream, weights[i], work)
        w, first, second = weights[i], weight_first[i], weight_second[i]
        depth, width = w.shape
        for top in range(0, depth, gradient_rows[i]):
            bottom = min(depth, top + gradient_rows[i])
            if keep_gradients or bottom - top == depth:
                block = weight_grads[i][top:bottom]
            else:
                block = buffer[: (bottom - top) * width].reshape((bottom - top, width))
            matmul_at_rows(layer_input, upstream, top, bottom, block)
            _update(rule, w[top:bottom], block, first[top:bottom], second[top:bottom], s)
        _update(rule, biases[i], bias_grads[i], bias_first[i], bias_second[i], s)
        if i > 0:
            upstream = _through_relu(dx, pre_activations[i - 1], work, bias_grads[i - 1])


@njit(cache=True, nogil=True)
def relu_stack_steps(
    data,
    data_labels,
    order,
    first_row,
    batch,
    labels,
    weights,
    biases,
    outputs,
    blocks,
    rule,
    weight_states,
    bias_states,
    step_count,
    scalars,
    flush,
    loss_limit,
    losses,
):
    """len(losses) training steps of relu_stack_step's network, each followed by update rule number `rule` (RULES)
    on every parameter: the Solver's steps (fcnet.compiled_steps) with nothing between two of them.

    Step s trains on the rows data[order[first_row + s * N + i]], i < N (data (S, D) float32, data_labels (S,)
    integers, copied into batch (N, D) and labels (N,)); relu_stack_step's outputs are overwritten each step (they
    hold the last step's after the call: its weight_grads = outputs[4] too; bias_grads = outputs[5] update the
    biases). blocks: (gradient_rows (L,) integers, buffer (k,) float32): layer i's weight gradient is computed and
    updated gradient_rows[i] rows at a time through the buffer (k >= gradient_rows[i] * d_i+1), or in one block
    into weight_grads[i] when gradient_rows[i] >= d_i. losses[s] receives step s's loss; a loss that is not finite
    or above loss_limit (fcnet.divergence.exploded) ends the run after that step's backward pass, before its
    update. weight_states and bias_states: two tuples of L arrays each, the rule's first and second state arrays
    per layer (any arrays of the parameters' shapes where the rule keeps fewer); scalars (len(losses), k) float32,
    the rule's scalars per step; step_count: the rule's step count before the run (Adam, AdaBelief), or -1 for a
    rule that counts none; flush: (below, every) of fcnet.optim_fused's flush of tiny moments, below in float32.
    Returns the number of updates made (len(losses), or the step at which the loss exploded)."""
    n, steps = batch.shape[0], losses.shape[0]
    below, every = flush
    for s in range(steps):
        start = first_row + s * n
        for i in range(n):
            row = order[start + i]
            batch[i, :] = data[row, :]
            labels[i] = data_labels[row]
        loss = _forward_loss(batch, weights, biases, labels, outputs)
        losses[s] = loss
        if not np.isfinite(loss) or loss > loss_limit:
            _backward(batch, weights, outputs)
            return s
        # the flush touches only the rule's state, which the backward pass does not read
        if step_count >= 0 and (step_count + s + 1) % every == 0:
            for p in range(len(weights)):
                _flush_tiny(weight_states[0][p], below)
                _flush_tiny(weight_states[1][p], below)
                _flush_tiny(bias_states[0][p], below)
                _flush_tiny(bias_states[1][p], below)
        _backward_and_update(
            batch,
            weights,
            biases,
            outputs,
            blocks,
            rule,
            (weight_states, bias_states),
            scalars[s],
            s == steps - 1,
        )
    return steps
