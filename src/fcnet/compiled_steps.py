"""A run of the Solver's steps as one compiled call: for the network fcnet.plain_stack steps in one call (float32
affine - ReLU - ... - affine under a softmax loss) trained by one of fcnet's update rules on its fused loops,
the minibatch gathers, the steps and the updates of up to MAX_STEPS iterations run in
fcnet._steps_numba.relu_stack_steps, with no Python between two steps; the Solver then records the losses and
writes the state the last step leaves, as its own steps would have.

The numbers are the Solver's own to the bit: the same batches (the epoch's permutation, drawn by the Solver), the
same step (relu_stack_step), the same loops with the same scalars (fcnet.optim_fused computes them, step by step),
the same flush of tiny moments, the same divergence test before each update (tests/test_compiled_steps.py runs
whole trainings both ways; a large weight gradient computed in blocks of rows, gradient_blocks, gives the whole
product's rows to the bit: tests/test_gradient_blocks.py). A run never crosses an epoch's end, a verbose progress
line, or a step the diagnostics measure (those go step by step, through the modules); anything this module does
not take (sample weights, L2 regularization, sampling with replacement, one-hot labels, other layers, a custom
rule or model, FCNET_KERNELS=numpy) goes step by step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from fcnet import divergence, fused, plain_stack
from fcnet.models import FullyConnectedNet
from fcnet.optim_fused import FLUSH_BELOW, FLUSH_EVERY, FUSED_ARGUMENTS, fused_calls
from fcnet.optimizer import Optimizer

# Steps per call at most: a Ctrl-C waits for the call (about 0.05 s for 784-300-300-10 at batch 100), and the
# Solver's work per call (checks, allocations) is spread over this many steps.
MAX_STEPS = 32
# At one BLAS thread, a weight gradient of more elements than this is computed and updated in blocks of rows of
# about this many elements (256 kB of float32 for each of the block, its weights and the rule's two state arrays:
# within a core's own cache): 784-300-300-10's steps measured 5-10% faster than with each gradient whole, and than
# with blocks of 16,384 elements (56 rows). At two threads, whole gradients measured faster (OpenBLAS splits a
# smaller product between its threads less well).
BLOCK_ELEMENTS = 65_536
# ... of at least this many rows: each block's product packs the whole upstream gradient again (blocks of 33 rows
# made 784-2000-2000-10's epochs 1.23 times longer); a wider layer's gradient stays whole.
MIN_BLOCK_ROWS = 128
# OpenBLAS runs products of at most 100**3 multiply-adds on its small-matrix kernels on some CPUs, which may add in
# another order than its regular ones: every block's product stays above that size, as its whole product does.
SMALL_PRODUCT = 100**3


def advance(solver: Any) -> tuple[int, bool] | None:
    """The solver's steps up to its next event (see steps_before_event) as one compiled run when it takes them:
    (updates made, whether the loss diverged), the losses recorded; None when it does not (nothing changed)."""
    steps = steps_before_event(solver)
    parts = plan(solver) if steps > 1 else None
    if parts is None:
        return None
    start = time.perf_counter()
    position = solver.t % solver.iterations_per_epoch
    order = solver._epoch_order()
    updates, losses = run(solver, parts, order, position * solver.options.batch_size, steps)
    solver.loss_history.extend(losses)
    solver.timings["steps"] += time.perf_counter() - start
    return updates, updates < steps


def steps_before_event(solver: Any) -> int:
    """Steps before the solver's next epoch's end, its run's end, (verbose) its next progress line or (diagnostics)
    the next step its monitor measures, MAX_STEPS at most (0: this step is measured)."""
    per_epoch, t = solver.iterations_per_epoch, solver.t
    steps = min(MAX_STEPS, solver.num_iterations - t, per_epoch - t % per_epoch)
    if solver.options.verbose:
        steps = min(steps, 1 + (-t) % solver.options.print_every)
    if solver.monitor is not None:
        steps = next((k for k in range(steps) if solver.monitor.due(t + k)), steps)
    return steps


@dataclass(frozen=True)
class _Run:
    """What one compiled run needs, gathered and checked (see plan): the network's modules, the training rows
    (S, D) and labels (S,), the batch's buffer (N, D), the rule's (first, second) state arrays per parameter (the
    layers' weights, then their biases) and its step count (-1: a rule that counts none), and the weight gradients'
    blocks (gradient_rows (L,), the buffer a block is computed into)."""

    modules: list
    data: np.ndarray
    labels: np.ndarray
    batch: np.ndarray
    states: list
    step_count: int
    blocks: tuple


def plan(solver: Any) -> _Run | None:
    """The run's parts when the compiled run takes the solver's next steps, else None (nothing changed)."""
    model, optimizer = solver.model, solver.optimizer
    # a loss or a step put on the instance (a spy, a wrapper) is called every step: step by step
    if not (
        solver._first_step_checked
        and solver.sample_weight is None
        and not solver.options.sample_with_replacement
        and isinstance(model, FullyConnectedNet)
        and type(model).loss is FullyConnectedNet.loss
        and "loss" not in vars(model)
        and not model.reg
        and type(optimizer) is Optimizer
        and "step" not in vars(optimizer)
        and optimizer._native
        and optimizer.rule_name in FUSED_ARGUMENTS
    ):
        return None
    kernels = fused.loaded_kernels()
    if kernels is None or fused.whole_step(kernels) is None:
        return None
    modules = plain_stack.plain_layers(model.layers, model.loss_layer)
    if modules is None:
        return None
    data, labels = _training_rows(solver.X_train, solver.y_train)
    weights = [(affine.W, affine.b) for affine in modules[0::2]]
    if data is None or not all(plain_stack._takes(w, b, data.dtype) for w, b in weights):
        return None
    batch = np.empty((solver.options.batch_size, data.shape[1]), data.dtype)
    if not plain_stack._one_call_takes(batch, weights):
        return None
    states = _rule_states(optimizer, weights)
    if states is None:
        return None
    step_count, state_arrays = states
    from fcnet._blas_numba import blas_threads  # numba is loaded (fused.loaded_kernels)

    rows = gradient_blocks([w for w, _ in weights], batch.shape[0], blas_threads())
    # the buffer of the largest block (a layer in one block is computed into its gradient array)
    largest = max([r * w.shape[1] for r, (w, _) in zip(rows, weights) if r < w.shape[0]] or [0])
    blocks = (rows, np.empty(largest, data.dtype))
    return _Run(modules, data, labels, batch, state_arrays, step_count, blocks)


def gradient_blocks(weights: list, n: int, threads: int = 1) -> np.ndarray:
    """(L,) the rows of each layer's weight gradient (W (d, p), a batch of n rows) that a run computes and updates
    at a time (fcnet._steps_numba): d (one block) unless BLAS runs one thread (`threads`), for W of BLOCK_ELEMENTS
    elements or fewer, or wider than a block of MIN_BLOCK_ROWS rows; else d split evenly into the most blocks of
    about BLOCK_ELEMENTS elements, of MIN_BLOCK_ROWS rows or more, whose smallest block's product (rows * p * n
    multiply-adds) stays above SMALL_PRODUCT, so that OpenBLAS runs its regular kernels on each block as on the
    whole product and the blocks' rows are the whole product's to the bit; d again where a probe of the blocks
    finds them not to be on this CPU (fcnet._blas_numba.row_blocks_agree)."""
    rows = []
    for w in weights:
        d, p = w.shape
        takes = threads == 1 and p * MIN_BLOCK_ROWS <= BLOCK_ELEMENTS
        blocks = -(-w.size // BLOCK_ELEMENTS) if takes else 1
        blocks = max(1, min(blocks, d // MIN_BLOCK_ROWS))
        while blocks > 1 and _smallest_block(d, blocks) * p * n <= SMALL_PRODUCT:
            blocks -= 1
        size = -(-d // blocks)
        rows.append(size if size == d or _blocks_agree(n, d, p, size) else d)
    return np.array(rows, dtype=np.int64)


def _blocks_agree(n: int, d: int, p: int, rows: int) -> bool:
    """fcnet._blas_numba.row_blocks_agree (a probe, once a process a shape)."""
    from fcnet._blas_numba import row_blocks_agree

    return row_blocks_agree(n, d, p, rows)


def _smallest_block(d: int, blocks: int) -> int:
    """The rows of the last (smallest) block when d rows go in blocks of ceil(d / blocks)."""
    size = -(-d // blocks)
    return d - size * ((d - 1) // size)


def _training_rows(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """X as (S, D) float32 C-contiguous aligned rows (read only: a memory-mapped file's are) and y as (S,) integer
    labels, or (None, None)."""
    flags = X.flags
    if X.dtype.char != "f" or not (flags.c_contiguous and flags.aligned):
        return None, None
    if y.ndim != 1 or y.dtype.kind not in "iu":
        return None, None
    return np.asarray(X).reshape(X.shape[0], -1), np.asarray(y)


def _rule_states(optimizer: Optimizer, weights: list) -> tuple[int, list] | None:
    """(step count or -1, [(first, second) state arrays per parameter, the layers' weights then biases]) when the
    Optimizer's own fused path would take the step (fcnet.optim_fused.fused_calls) and its parameters are exactly
    the layers' arrays; else None."""
    params = optimizer.params
    taken = fused_calls(
        optimizer.rule_name, params, params, optimizer.state, optimizer.hyperparameters
    )
    if taken is None:
        return None
    calls, count = taken
    position = {id(a): i for i, a in enumerate([w for w, _ in weights] + [b for _, b in weights])}
    found: list = [None] * len(position)
    for w, _, arrays, _ in calls:
        i = position.get(id(w))
        if i is None or found[i] is not None:
            return None
        # a rule keeping fewer than two state arrays: the parameter stands in (never read)
        found[i] = (arrays + [w, w])[:2]
    if None in found:
        return None
    return (-1 if count is None else int(count)), found


def run(
    solver: Any, parts: _Run, order: np.ndarray, first_row: int, steps: int
) -> tuple[int, list]:
    """`steps` steps on the rows order[first_row:first_row + steps * batch_size]: returns (updates made, the
    losses computed: one more than the updates when the last exploded). Writes the parameters, the rule's state
    and count, and the modules' state of the last step."""
    optimizer, model = solver.optimizer, solver.model
    n, dtype = solver.options.batch_size, parts.data.dtype
    modules = parts.modules
    weights = [(affine.W, affine.b) for affine in modules[0::2]]
    batch = parts.batch
    labels = np.empty(n, parts.labels.dtype)
    outputs = plain_stack.step_outputs(n, weights)
    layers = len(weights)
    states = parts.states
    scalars = _step_scalars(optimizer, weights[0][0], parts.step_count, steps)
    first_loss = solver.loss_history[0] if solver.loss_history else None
    limit = divergence.loss_limit(first_loss, solver.options.divergence_factor)
    losses = np.empty(steps)
    # numba is loaded: plan found fused.loaded_kernels()
    from fcnet import _steps_numba

    updates = _steps_numba.relu_stack_steps(
        parts.data,
        parts.labels,
        order,
        first_row,
        batch,
        labels,
        tuple(w for w, _ in weights),
        tuple(b for _, b in weights),
        outputs,
        parts.blocks,
        _steps_numba.RULES.index(optimizer.rule_name),
        (tuple(s[0] for s in states[:layers]), tuple(s[1] for s in states[:layers])),
        (tuple(s[0] for s in states[layers:]), tuple(s[1] for s in states[layers:])),
        parts.step_count,
        scalars,
        (dtype.type(FLUSH_BELOW), FLUSH_EVERY),
        limit,
        losses,
    )
    if parts.step_count >= 0:
        for name in optimizer.params:
            optimizer.state[name]["t"] += updates
    computed = min(updates + 1, steps)
    pre_activations, hiddens, _, dscores, weight_grads, bias_grads, _ = outputs
    batch_shape = (n, *solver.X_train.shape[1:])
    plain_stack.write_state(
        modules,
        model.loss_layer,
        [batch.reshape(batch_shape), *hiddens],
        [*pre_activations],
        dscores,
        [*weight_grads],
        [*bias_grads],
    )
    model.loss_layer.loss = float(losses[computed - 1])
    return updates, [float(loss) for loss in losses[:computed]]


def _step_scalars(optimizer: Optimizer, w: np.ndarray, step_count: int, steps: int) -> np.ndarray:
    """(steps, k) the rule's scalars for each step, as fcnet.optim_fused.update_all_in_place computes them."""
    _, scalars = FUSED_ARGUMENTS[optimizer.rule_name]
    h = optimizer.hyperparameters
    if step_count < 0:
        return np.array([scalars(w, h, None)] * steps, dtype=w.dtype)
    return np.array([scalars(w, h, step_count + s + 1) for s in range(steps)], dtype=w.dtype)


__all__ = ["MAX_STEPS", "advance", "gradient_blocks", "plan", "run", "steps_before_event"]
