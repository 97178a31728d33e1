"""The assignment-1 two-layer network (cs231n assignment 1 ``classifiers/neural_net.py``, daseCV, ECE C147 HW3
``nndl/neural_net.py``): one class with its own loss, SGD training loop and predict, on fcnet's kernels.

The courses differ in two places, which subclasses set:
- weight layout: cs231n/daseCV keep W1 as (D, H) and W2 as (H, C); ECE C147 keeps W1 as (H, D) and W2 as (C, H);
- L2 term: cs231n/daseCV add ``reg * sum(W**2)``; ECE C147 adds ``0.5 * reg * sum(W**2)``.
"""

from __future__ import annotations

import numpy as np

from fcnet import optim
from fcnet._checks import check_int, check_real
from fcnet.layer_utils import affine_relu_backward, affine_relu_forward
from fcnet.layers import affine_backward, affine_forward, softmax_loss


class AssignmentOneTwoLayerNet:
    """input - fully connected - ReLU - fully connected - softmax, trained by :meth:`train` (minibatch SGD).

    params: 'W1', 'b1' (H,), 'W2', 'b2' (C,), drawn as ``std * np.random.randn(...)`` from NumPy's global
    generator (biases zero), in the course's layout.
    """

    transposed = False  # ECE C147: W1 (H, D), W2 (C, H)
    l2_factor = 1.0  # ECE C147: 0.5
    log_line = "iteration {} / {}: loss {:f}"  # ECE C147 prints the loss in full: "{}"

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, std: float = 1e-4
    ) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.params["W1"] = std * np.random.randn(*self._layout(input_size, hidden_size))
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = std * np.random.randn(*self._layout(hidden_size, output_size))
        self.params["b2"] = np.zeros(output_size)

    def _layout(self, fan_in: int, fan_out: int) -> tuple[int, int]:
        return (fan_out, fan_in) if self.transposed else (fan_in, fan_out)

    def _kernel_view(self, W: np.ndarray) -> np.ndarray:
        """W as the kernels take it, (fan_in, fan_out) (a view, or the gradient back in the course's layout)."""
        return W.T if self.transposed else W

    def loss(self, X: np.ndarray, y: np.ndarray | None = None, reg: float = 0.0):
        """Scores (N, C) when y is None; else (loss, grads) with the course's L2 term.

        X: (N, D); y: (N,) labels in [0, C); reg: L2 strength.
        """
        reg = check_real("reg", reg, 0.0)
        self._check_params(np.shape(X))
        W1, b1 = self._kernel_view(self.params["W1"]), self.params["b1"]
        W2, b2 = self._kernel_view(self.params["W2"]), self.params["b2"]
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)
        scores, scores_cache = affine_forward(hidden, W2, b2)
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + self.l2_factor * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)
        _, dW1, db1 = affine_relu_backward(dhidden, hidden_cache)
        grads = {"W1": self._kernel_view(dW1), "b1": db1, "W2": self._kernel_view(dW2), "b2": db2}
        for key in ("W1", "W2"):
            grads[key] = grads[key] + 2 * self.l2_factor * reg * self.params[key]
        return loss, grads

    def _check_params(self, x_shape: tuple) -> None:
        """Every parameter present, and W1, W2 in the course's layout (the course's own words when not)."""
        missing = [key for key in ("W1", "b1", "W2", "b2") if key not in self.params]
        if missing:
            raise KeyError(f"params lacks {missing}; the network needs W1, b1, W2 and b2")
        hidden, classes = np.shape(self.params["b1"])[0], np.shape(self.params["b2"])[0]
        features = int(np.prod(x_shape[1:])) if len(x_shape) > 1 else None
        expected = {
            "W1": self._layout(
                features
                if features is not None
                else np.shape(self.params["W1"])[1 if self.transposed else 0],
                hidden,
            ),
            "W2": self._layout(hidden, classes),
        }
        for key, shape in expected.items():
            if np.shape(self.params[key]) != shape:
                layout = "(H, D) and W2 (C, H)" if self.transposed else "(D, H) and W2 (H, C)"
                raise ValueError(
                    f"params['{key}'] has shape {np.shape(self.params[key])}, expected {shape}: this "
                    f"course keeps W1 as {layout}"
                )

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        X_val: np.ndarray,
        y_val: np.ndarray,
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 0.95,
        reg: float = 5e-6,
        num_iters: int = 100,
        batch_size: int = 200,
        verbose: bool = False,
    ) -> dict[str, list]:
        """Minibatch SGD as the courses run it: each step samples batch_size indices with replacement by
        ``np.random.choice``; once per epoch (every max(N / batch_size, 1) steps, from step 0) it records the
        accuracy on the minibatch and on (X_val, y_val) and multiplies the learning rate by learning_rate_decay.

        Returns {'loss_history', 'train_acc_history', 'val_acc_history'}.
        """
        batch_size = check_int("batch_size", batch_size, 1)
        num_iters = check_int("num_iters", num_iters, 0)
        for name, data, labels in (("X, y", X, y), ("X_val, y_val", X_val, y_val)):
            if np.shape(data)[:1] != np.shape(labels)[:1] or np.ndim(labels) != 1:
                raise ValueError(
                    f"{name} must hold one label per sample, got shapes {np.shape(data)} and "
                    f"{np.shape(labels)}"
                )
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history: list[float] = []
        train_acc_history: list[float] = []
        val_acc_history: list[float] = []
        for it in range(num_iters):
            batch = np.random.choice(num_train, batch_size)
            X_batch, y_batch = X[batch], y[batch]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for key, w in self.params.items():
                optim.sgd(w, grads[key], {"learning_rate": learning_rate}, out=w)
            if verbose and it % 100 == 0:
                print(self.log_line.format(it, num_iters, loss))
            if it % iterations_per_epoch == 0:
                train_acc_history.append((self.predict(X_batch) == y_batch).mean())
                val_acc_history.append((self.predict(X_val) == y_val).mean())
                learning_rate *= learning_rate_decay
        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels (N,): the class with the highest score for each row of X (N, D)."""
        return np.argmax(self.loss(X), axis=1)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}: {v.shape}" for k, v in self.params.items())
        return f"{type(self).__module__}.TwoLayerNet({shapes})"
