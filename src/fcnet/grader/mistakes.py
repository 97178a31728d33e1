"""The catalogue of known mistakes, as data: each entry is a mutation of the reference (a function written with
the mistake, as students write it), the function it concerns, and the hint a student gets. The grader runs each
mutant on the same plan as the student's code; the checks it fails and how (their labels) are the mistake's
signature, and a failing student function whose signature is the same gets that entry's hint.

The mistakes are those the courses' forums and graders see again and again (cs231n assignment 2: affine,
ReLU, losses, batch and layer norm, dropout, update rules; "Deep Learning from Scratch": the loss's delta, the
layer objects' backward, non-inverted dropout).
"""

from __future__ import annotations

from typing import Any


from fcnet.grader.mistake import Mistake as Mistake  # re-exported: the checker reads it here
from fcnet.grader.mnist_mlp_mutants import MNIST_MLP_MISTAKES
from fcnet.grader.mutants import (  # the mistakes, written as students write them
    _affine_forward_no_reshape,
    _affine_backward_with,
    _relu_forward_returns_mask,
    _relu_pair,
    _softmax_loss_with,
    _svm_loss_counts_correct_class,
    _batchnorm_forward_with,
    _batchnorm_pair_without_mean_term,
    _layernorm_forward_wrong_axis,
    _dropout_forward_with,
    _dropout_pair_redraws_mask,
    _sgd_momentum_wrong_sign,
    _rmsprop_without_sqrt,
    _adam_with,
)
from fcnet.grader.book_mutants import (  # "Deep Learning from Scratch"'s objects
    _AffineKeepsUnflattenedX,
    _DropoutInverted,
    _ReluLetsEveryGradientThrough,
    _SoftmaxWithLossNotAveraged,
    _SoftmaxWithLossWithoutDelta,
    _cross_entropy_without_delta,
)


CATALOGUE: tuple[Mistake, ...] = (
    Mistake(
        "affine_no_reshape",
        "affine_forward",
        "x not reshaped to (N, D)",
        "Reshape x to rows first: x.reshape(x.shape[0], -1) @ w + b; the inputs may be images (N, d1, ..., dk).",
        lambda: {"affine_forward": _affine_forward_no_reshape},
    ),
    Mistake(
        "affine_dx_not_reshaped",
        "affine_backward",
        "dx left as (N, D)",
        "dx must have x's own shape: reshape dout @ w.T back with .reshape(x.shape).",
        lambda: _affine_backward_with(dx_not_reshaped=True),
    ),
    Mistake(
        "affine_db_mean",
        "affine_backward",
        "db averaged instead of summed",
        "db is the sum of dout over the batch (dout.sum(axis=0)); the loss already divides by N, so dividing "
        "again makes db N times too small.",
        lambda: _affine_backward_with(db_mean=True),
    ),
    Mistake(
        "affine_dw_transposed",
        "affine_backward",
        "dw transposed",
        "dw must have w's shape (D, M): x_rows.T @ dout, not dout.T @ x_rows.",
        lambda: _affine_backward_with(dw_transposed=True),
    ),
    Mistake(
        "relu_returns_mask",
        "relu_forward",
        "the derivative's mask returned instead of max(0, x)",
        "ReLU passes the positive inputs themselves: out = np.maximum(0, x); a 1 where x > 0 is its "
        "derivative, which belongs in relu_backward.",
        lambda: {"relu_forward": _relu_forward_returns_mask},
    ),
    Mistake(
        "relu_mask_on_dout",
        "relu_backward",
        "mask taken from dout",
        "The gradient passes where the forward's INPUT was positive: dx = dout * (x > 0), with x from the "
        "cache; testing dout > 0 is a different function.",
        _relu_pair,
    ),
    Mistake(
        "softmax_sum",
        "softmax_loss",
        "loss and gradient summed over the batch",
        "Average over the batch: divide both the loss and dx by N.",
        lambda: _softmax_loss_with(sum_not_mean=True),
    ),
    Mistake(
        "softmax_dx_not_divided",
        "softmax_loss",
        "dx not divided by N",
        "You divided the loss by N but not the gradient: dx must be divided by N too.",
        lambda: _softmax_loss_with(dx_not_divided=True),
    ),
    Mistake(
        "softmax_unshifted",
        "softmax_loss",
        "softmax without subtracting the row maximum",
        "exp overflows for large scores: subtract each row's maximum before exponentiating "
        "(x - x.max(axis=1, keepdims=True)); the probabilities do not change.",
        lambda: _softmax_loss_with(unshifted=True),
    ),
    Mistake(
        "svm_counts_correct_class",
        "svm_loss",
        "the correct class's own margin counted",
        "The sum of margins skips the correct class (its margin would always be 1): set margins[range(N), y] "
        "= 0 before summing and counting.",
        lambda: {"svm_loss": _svm_loss_counts_correct_class},
    ),
    Mistake(
        "batchnorm_unbiased_variance",
        "batchnorm_forward",
        "unbiased variance (ddof=1)",
        "Batch norm normalizes with the biased variance, x.var(axis=0) (divide by N, not N - 1).",
        lambda: _batchnorm_forward_with(unbiased=True),
    ),
    Mistake(
        "batchnorm_momentum_swapped",
        "batchnorm_forward",
        "running average with momentum swapped",
        "running = momentum * running + (1 - momentum) * batch statistic: the old value gets the momentum.",
        lambda: _batchnorm_forward_with(momentum_swapped=True),
    ),
    Mistake(
        "batchnorm_test_uses_batch",
        "batchnorm_forward",
        "test mode normalizes with the batch's statistics",
        "In test mode use bn_param's running_mean and running_var, not the test batch's own mean and "
        "variance.",
        lambda: _batchnorm_forward_with(test_uses_batch=True),
    ),
    Mistake(
        "batchnorm_backward_no_mean_term",
        "batchnorm_backward",
        "dx without the paths through mean and variance",
        "x_hat depends on x also through the batch mean and variance: dx = (1/N) * gamma * inv_std * "
        "(N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0)).",
        lambda: _batchnorm_pair_without_mean_term("batchnorm_backward"),
    ),
    Mistake(
        "batchnorm_backward_alt_no_mean_term",
        "batchnorm_backward_alt",
        "dx without the paths through mean and variance",
        "x_hat depends on x also through the batch mean and variance: dx = (1/N) * gamma * inv_std * "
        "(N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0)).",
        lambda: _batchnorm_pair_without_mean_term("batchnorm_backward_alt"),
    ),
    Mistake(
        "layernorm_wrong_axis",
        "layernorm_forward",
        "normalized over the batch axis",
        "Layer norm normalizes each sample over its features: mean and variance along axis=1 (keepdims=True), "
        "not axis=0.",
        lambda: {"layernorm_forward": _layernorm_forward_wrong_axis},
    ),
    Mistake(
        "dropout_not_inverted",
        "dropout_forward",
        "dropout not inverted",
        "Inverted dropout divides the kept units by the keep probability in train mode, so that test mode is "
        "the identity: mask = (np.random.rand(*x.shape) < p) / p.",
        lambda: _dropout_forward_with(inverted=False),
        ("keep",),
    ),
    Mistake(
        "dropout_not_inverted_drop",
        "dropout_forward",
        "dropout not inverted",
        "Inverted dropout divides the kept units by the keep probability, 1 - p here, in train mode, so that "
        "test mode is the identity: mask = (np.random.rand(*x.shape) >= p) / (1 - p).",
        lambda: _dropout_forward_with(inverted=False, convention="drop"),
        ("drop",),
    ),
    Mistake(
        "dropout_keep_drop_swapped",
        "dropout_forward",
        "keep and drop probability swapped",
        "In this file p is the probability of KEEPING a unit (read the docstring): mask = "
        "np.random.rand(*x.shape) < p.",
        lambda: _dropout_forward_with(swapped=True),
        ("keep",),
    ),
    Mistake(
        "dropout_keep_drop_swapped_drop",
        "dropout_forward",
        "keep and drop probability swapped",
        "In this file p is the probability of DROPPING a unit (read the docstring): mask = "
        "np.random.rand(*x.shape) >= p, scaled by 1 / (1 - p).",
        lambda: _dropout_forward_with(swapped=True, convention="drop"),
        ("drop",),
    ),
    Mistake(
        "dropout_mask_redrawn",
        "dropout_backward",
        "a new mask drawn in backward",
        "Backward must reuse the forward's mask (keep it in the cache): dx = dout * mask.",
        _dropout_pair_redraws_mask,
    ),
    Mistake(
        "momentum_sign",
        "sgd_momentum",
        "the velocity's step with the wrong sign",
        "v = momentum * v - learning_rate * dw, then next_w = w + v.",
        lambda: {"sgd_momentum": _sgd_momentum_wrong_sign},
    ),
    Mistake(
        "rmsprop_no_sqrt",
        "rmsprop",
        "no square root of the cache",
        "Divide by the root of the cache: next_w = w - learning_rate * dw / (np.sqrt(cache) + epsilon).",
        lambda: {"rmsprop": _rmsprop_without_sqrt},
    ),
    Mistake(
        "adam_t_after_use",
        "adam",
        "t incremented after its use",
        "Increment t first (t starts at 0 and the first step uses t = 1), then correct the bias with "
        "1 - beta ** t.",
        lambda: _adam_with(t_after=True),
    ),
    Mistake(
        "adam_t_from_1",
        "adam",
        "t starts at 1",
        "t counts the steps taken: its default is 0, so that the first step, after t += 1, uses t = 1 in the "
        "bias correction (starting at 1 makes the first step use t = 2).",
        lambda: _adam_with(t_from=1),
    ),
    Mistake(
        "adam_no_bias_correction",
        "adam",
        "no bias correction",
        "Use the bias-corrected moments: mt = m / (1 - beta1 ** t), vt = v / (1 - beta2 ** t).",
        lambda: _adam_with(no_bias_correction=True),
    ),
    Mistake(
        "book_cross_entropy_no_delta",
        "cross_entropy_error",
        "no delta inside the log",
        "The book computes -sum(log(y + 1e-7)) / batch_size: the small delta keeps log(0) from being -inf when "
        "the right class's probability is 0, and shifts the loss by about 1e-7 otherwise.",
        lambda: {"cross_entropy_error": _cross_entropy_without_delta},
    ),
    Mistake(
        "book_softmax_with_loss_no_delta",
        "SoftmaxWithLoss",
        "cross-entropy without the delta inside the log",
        "forward's loss is cross_entropy_error(softmax(x), t), whose log takes y + 1e-7 (the book's delta): "
        "without it a probability that underflows to 0 gives an infinite loss.",
        lambda: {"SoftmaxWithLoss": _SoftmaxWithLossWithoutDelta},
    ),
    Mistake(
        "book_softmax_with_loss_dx_not_averaged",
        "SoftmaxWithLoss",
        "dx not divided by the batch size",
        "The loss is the mean over the batch, so backward returns (y - t) / batch_size.",
        lambda: {"SoftmaxWithLoss": _SoftmaxWithLossNotAveraged},
    ),
    Mistake(
        "book_relu_backward_no_mask",
        "Relu",
        "backward lets every gradient through",
        "Where forward zeroed x (self.mask), backward must zero dout too: dx = dout.copy(); dx[self.mask] = 0.",
        lambda: {"Relu": _ReluLetsEveryGradientThrough},
    ),
    Mistake(
        "book_affine_dw_unflattened_x",
        "Affine",
        "dW from x before it was flattened",
        "Keep the flattened x (x.reshape(x.shape[0], -1)) in forward: dW = np.dot(x_flat.T, dout) has W's "
        "shape only then (images come in as (N, C, H, W)).",
        lambda: {"Affine": _AffineKeepsUnflattenedX},
    ),
    Mistake(
        "book_dropout_inverted",
        "Dropout",
        "inverted dropout",
        "The book's dropout is not inverted: training keeps units as they are (x * mask) and test time scales "
        "by (1 - dropout_ratio); dividing by (1 - dropout_ratio) in training is cs231n's convention.",
        lambda: {"Dropout": _DropoutInverted},
    ),
) + MNIST_MLP_MISTAKES


def for_function_all(convention: str) -> tuple[Mistake, ...]:
    """Every mistake that applies where dropout's p means `convention`."""
    return tuple(m for m in CATALOGUE if convention in m.conventions)


def for_function(name: str, convention: str = "keep") -> tuple[Mistake, ...]:
    """The catalogue's mistakes of function `name` that apply where dropout's p means `convention`."""
    return tuple(m for m in CATALOGUE if m.function == name and convention in m.conventions)


# a course's names for the update rules' state -> cs231n's, in which the catalogue's mutants are written
STATE_NAMES = {"ece": {"rmsprop": {"a": "cache"}, "adam": {"v": "m", "a": "v"}}}


def course_mutant(course: str, mistake: Mistake) -> dict[str, Any]:
    """The mistake's functions as `course` names things (ECE's rmsprop keeps 'a', its Adam 'v' and 'a')."""
    functions = mistake.mutant()
    names = STATE_NAMES.get(course, {})
    return {
        name: _renamed(function, names[name]) if name in names else function
        for name, function in functions.items()
    }


def _renamed(rule: Any, names: dict[str, str]) -> Any:
    """`rule` (written with cs231n's state names) taking and returning a config in the course's names."""
    back = {theirs: ours for ours, theirs in names.items()}

    def rule_in_course_names(w, dw, config=None):
        inner = None if config is None else {names.get(k, k): v for k, v in config.items()}
        next_w, out = rule(w, dw, inner)
        return next_w, {back.get(k, k): v for k, v in out.items()}

    return rule_in_course_names
