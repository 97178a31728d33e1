"""Layer kernels: affine forward+backward against its bare matrix products and PyTorch; batch norm backward."""

from __future__ import annotations

import numpy as np

from _timing import Row, best_time
from fcnet import layers as L


def run() -> list[Row]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 784), dtype=np.float32)
    w = rng.standard_normal((784, 300), dtype=np.float32)
    b = rng.standard_normal(300, dtype=np.float32)
    dout = rng.standard_normal((100, 300), dtype=np.float32)

    def affine_pass():
        _, cache = L.affine_forward(x, w, b)
        L.affine_backward(dout, cache)

    def three_matmuls():
        # the results are returned, as a real layer's are: discarding each one at once lets the allocator
        # reuse its pages and flatters the reference by about 0.4 ms here
        return x @ w, dout @ w.T, x.T @ dout

    rows = [
        Row(
            "affine fwd+bwd (100,784)x(784,300) f32",
            best_time(affine_pass, number=200),
            "its three matmuls alone (kept)",
            best_time(three_matmuls, number=200),
            "<= 1.3",
        )
    ]

    try:
        import torch
    except ImportError:
        rows.append(
            Row("affine fwd+bwd vs torch", rows[0].fcnet_seconds, "torch not installed", None)
        )
    else:
        torch.set_num_threads(max(1, torch.get_num_threads()))
        tx = torch.from_numpy(x).requires_grad_()
        tw = torch.from_numpy(w.T.copy()).requires_grad_()
        tb = torch.from_numpy(b).requires_grad_()
        tdout = torch.from_numpy(dout)

        def torch_pass():
            tx.grad = tw.grad = tb.grad = None
            torch.nn.functional.linear(tx, tw, tb).backward(tdout)

        rows.append(
            Row(
                "affine fwd+bwd (100,784)x(784,300) f32",
                rows[0].fcnet_seconds,
                f"torch {torch.__version__} linear",
                best_time(torch_pass, number=200),
            )
        )

    xb = rng.standard_normal((100, 500))
    gamma, beta = rng.standard_normal(500), rng.standard_normal(500)
    doutb = rng.standard_normal((100, 500))
    _, cache = L.batchnorm_forward(xb, gamma, beta, {"mode": "train"})
    t_alt = best_time(lambda: L.batchnorm_backward_alt(doutb, cache), number=200)
    t_graph = best_time(lambda: L.batchnorm_backward(doutb, cache), number=200)
    rows.append(
        Row(
            "batchnorm_backward_alt (100,500) f64",
            t_alt,
            "batchnorm_backward (graph)",
            t_graph,
            "< 1",
        )
    )
    return rows
