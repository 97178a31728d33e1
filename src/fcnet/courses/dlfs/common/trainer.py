"""The book's ``common/trainer.py``: ``Trainer``, the minibatch loop of chapter 6 that prints
"train loss:..." every step and "=== epoch:k, train acc:..., test acc:... ===" every epoch."""

from __future__ import annotations

from typing import Any

import numpy as np

from fcnet.courses.dlfs.common.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["Trainer"]

OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


class Trainer:
    """Train `network` (``gradient``, ``loss``, ``accuracy``, ``params``) for `epochs` epochs of minibatches drawn
    with replacement by ``np.random.choice`` (NumPy's global generator), updating with the named optimizer.

    optimizer: 'SGD', 'Momentum', 'Nesterov', 'AdaGrad', 'RMSprop' or 'Adam' (any case); optimizer_param: its
    arguments ({'lr': 0.01}); evaluate_sample_num_per_epoch: score only the first so many samples each epoch.
    After ``train()``: ``train_loss_list``, ``train_acc_list``, ``test_acc_list``.
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str = "SGD",
        optimizer_param: dict | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        verbose: bool = True,
    ) -> None:
        name = str(optimizer).lower()
        if name not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {[c.__name__ for c in OPTIMIZERS.values()]}, "
                f"got {optimizer!r}"
            )
        self.network, self.verbose = network, verbose
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.epochs, self.batch_size = epochs, mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.optimizer = OPTIMIZERS[name](
            **({"lr": 0.01} if optimizer_param is None else optimizer_param)
        )
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []

    def train_step(self) -> None:
        """One minibatch update; at the start of each epoch, the accuracies."""
        batch_mask = np.random.choice(self.train_size, self.batch_size)
        x_batch, t_batch = self.x_train[batch_mask], self.t_train[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = self.network.loss(x_batch, t_batch)
        self.train_loss_list.append(loss)
        if self.verbose:
            print("train loss:" + str(loss))
        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            n = self.evaluate_sample_num_per_epoch
            train_acc = self.network.accuracy(self.x_train[:n], self.t_train[:n])
            test_acc = self.network.accuracy(self.x_test[:n], self.t_test[:n])
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            if self.verbose:
                print(
                    f"=== epoch:{self.current_epoch}, train acc:{train_acc}, test acc:{test_acc} ==="
                )
        self.current_iter += 1

    def train(self) -> None:
        """max_iter steps, then the test accuracy on the whole test set."""
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))
