"""The training loops the benchmarks time: fcnet's Solver, a plain PyTorch loop and scikit-learn's partial_fit, on the
same networks (Adam 1e-3, float32), each ending every epoch with the Solver's accuracy check (1,000 training samples
and the validation set), so that all time the same work.

Each `*_epochs` function returns the seconds of every epoch; on_epoch(model) is called after each epoch, outside the
clock, and training stops there when it returns True.
"""

from __future__ import annotations

import time
import warnings

import numpy as np


def torch_net(
    input_dim: int, hidden: tuple, classes: int = 10, batchnorm: bool = False, dropout: float = 0.0
):
    import torch

    layers, previous = [], input_dim
    for width in hidden:
        layers.append(torch.nn.Linear(previous, width))
        if batchnorm:
            layers.append(torch.nn.BatchNorm1d(width))
        layers.append(torch.nn.ReLU())
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
        previous = width
    layers.append(torch.nn.Linear(previous, classes))
    return torch.nn.Sequential(*layers)


def torch_accuracy(net, X, y, batch: int = 1000) -> float:
    import torch

    net.eval()
    with torch.no_grad():
        correct = sum(
            int((net(X[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
            for i in range(0, len(y), batch)
        )
    net.train()
    return correct / len(y)


def fcnet_epochs(
    data: dict,
    hidden: tuple,
    epochs: int,
    batch: int,
    batchnorm: bool = False,
    dropout: float = 0.0,
    on_epoch=None,
) -> np.ndarray:
    """fcnet's Solver; epoch 1 also holds the model's construction and the Solver's check after its first step."""
    from fcnet import FullyConnectedNet
    from fcnet.solver import Solver

    clock = [time.perf_counter()]
    times: list[float] = []
    model = FullyConnectedNet(
        list(hidden),
        input_dim=data["X_train"].shape[1],
        weight_scale="he",
        seed=0,
        normalization="batchnorm" if batchnorm else None,
        dropout=dropout,
    )

    def after_check(solver) -> None:
        if solver.epoch == 0:  # the check after the first step (as cs231n's Solver does it)
            return
        times.append(time.perf_counter() - clock[0])
        if on_epoch is not None and on_epoch(model):
            solver.stop_training = True
        clock[0] = time.perf_counter()

    Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=epochs,
        batch_size=batch,
        verbose=False,
        seed=0,
        epoch_callback=after_check,
        restore_best=False,
    ).train()
    return np.array(times)


def sklearn_epochs(
    data: dict, hidden: tuple, epochs: int, batch: int, on_epoch=None
) -> np.ndarray:
    """scikit-learn's MLPClassifier, one partial_fit (one epoch) a call."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=batch,
        learning_rate_init=1e-3,
        alpha=0.0,
        random_state=0,
    )
    sample = np.random.default_rng(0).choice(len(data["y_train"]), 1000)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            start = time.perf_counter()
            clf.partial_fit(data["X_train"], data["y_train"], classes=np.arange(10))
            clf.score(data["X_train"][sample], data["y_train"][sample])
            clf.score(data["X_val"], data["y_val"])
            times.append(time.perf_counter() - start)
            if on_epoch is not None and on_epoch(clf):
                break
    return np.array(times)


def torch_epochs(
    data: dict,
    hidden: tuple,
    epochs: int,
    batch: int,
    fused: bool = False,
    batchnorm: bool = False,
    dropout: float = 0.0,
    on_epoch=None,
) -> np.ndarray:
    """A PyTorch loop: randperm minibatches, CrossEntropyLoss, Adam (fused=True: its one-kernel form)."""
    import torch

    torch.manual_seed(0)
    X = torch.from_numpy(np.ascontiguousarray(data["X_train"], dtype=np.float32))
    y = torch.from_numpy(data["y_train"].astype(np.int64))
    X_val = torch.from_numpy(np.ascontiguousarray(data["X_val"], dtype=np.float32))
    y_val = torch.from_numpy(data["y_val"].astype(np.int64))
    net = torch_net(X.shape[1], hidden, batchnorm=batchnorm, dropout=dropout)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=fused)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(y))
        for i in range(len(y) // batch):
            idx = order[i * batch : (i + 1) * batch]
            opt.zero_grad()
            loss_fn(net(X[idx]), y[idx]).backward()
            opt.step()
        sample = torch.randint(len(y), (1000,))
        torch_accuracy(net, X[sample], y[sample])
        torch_accuracy(net, X_val, y_val)
        times.append(time.perf_counter() - start)
        if on_epoch is not None and on_epoch(net):
            break
    return np.array(times)


def step_products(acts: list, weights: list) -> None:
    """The matrix products of one training step, the GEMM floor's unit: forward acts[i] @ W per layer (into
    acts[i + 1]), backward acts[i].T @ dout per layer and dout @ W.T for every layer but the first (acts[i + 1]
    standing in for dout)."""
    for i, W in enumerate(weights):
        acts[i + 1] = acts[i] @ W
    for i in reversed(range(len(weights))):
        _ = acts[i].T @ acts[i + 1]
        if i > 0:
            _ = acts[i + 1] @ weights[i].T
