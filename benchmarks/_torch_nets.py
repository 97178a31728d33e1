"""The PyTorch side of the benchmarks: the same networks, a plain training loop, and the same accuracy check as
fcnet's Solver (1,000 training samples and the validation set, after every epoch), so that both time the same work."""

from __future__ import annotations

import time

import numpy as np


def torch_net(input_dim: int, hidden: tuple, classes: int = 10, batchnorm: bool = False, dropout: float = 0.0):
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
        correct = sum(int((net(X[i:i + batch]).argmax(1) == y[i:i + batch]).sum()) for i in range(0, len(y), batch))
    net.train()
    return correct / len(y)


def torch_epochs(data: dict, hidden: tuple, epochs: int, batch: int, fused: bool = False, batchnorm: bool = False,
                 dropout: float = 0.0, check: bool = True, on_epoch=None) -> np.ndarray:
    """Seconds per epoch of Adam 1e-3 on data['X_train'] (with the Solver's accuracy check when `check`).
    on_epoch(net) is called after each epoch, outside the timing; when it returns True, training stops there."""
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
            idx = order[i * batch:(i + 1) * batch]
            opt.zero_grad()
            loss_fn(net(X[idx]), y[idx]).backward()
            opt.step()
        if check:
            sample = torch.randint(len(y), (1000,))
            torch_accuracy(net, X[sample], y[sample])
            torch_accuracy(net, X_val, y_val)
        times.append(time.perf_counter() - start)
        if on_epoch is not None and on_epoch(net):
            break
    return np.array(times)
