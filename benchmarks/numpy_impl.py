"""Hand-written NumPy forward and backward: the floor for any framework built on NumPy.

The fewest and cheapest NumPy calls that still do what a framework must: every parameter's
gradient is materialised (into a buffer, with `out=`), then SGD updates each parameter in place.
The only fusions are those a framework's fused losses can make too (softmax with cross-entropy,
sigmoid with binary cross-entropy); no float64 upcasts, no copies beyond the outputs.

Tricks any framework could use as well: sums over a short axis or over the batch are products
with a vector of ones (BLAS is 3-5x faster than NumPy's reductions on these shapes); other
reductions call the ufunc's `reduce` directly (`arr.sum()` and `arr.mean()` add a Python layer).

`prepare(work)` returns `(run, probe)`: `run()` trains (or runs the chain) and returns the last
loss as a Python float; `probe()` returns an array to compare across implementations (the first
layer's weight after training; h0's gradient for M0).
"""

import numpy as np

from .workloads import Chain, Train


def row_max(z: np.ndarray) -> np.ndarray:
    """max over each row of z (N, C), shape (N, 1).

    NumPy reduces a short axis row by row, slowly; with few columns, C - 1 elementwise maxima
    of whole columns are faster.
    """
    if z.shape[1] > 16:
        return np.maximum.reduce(z, axis=1, keepdims=True)
    columns = iter(z.T)
    out = next(columns).copy()
    for column in columns:
        np.maximum(out, column, out=out)
    return out[:, None]


def cross_entropy(z: np.ndarray, t: np.ndarray, rows: np.ndarray, ones: np.ndarray) -> tuple:
    """Mean cross-entropy of logits z (N, C) against classes t, and its gradient dL/dz.

    Overwrites z. Shifting by the row max keeps exp from overflowing (log-sum-exp). Row sums
    are a product with `ones` (C, 1): BLAS beats NumPy's reduction over a short axis.
    """
    n = len(z)
    z -= row_max(z)
    e = np.exp(z)
    s = e @ ones
    loss = (float(np.add.reduce(np.log(s), axis=None)) - float(np.add.reduce(z[rows, t]))) / n
    s *= n
    e /= s  # softmax / N ...
    e[rows, t] -= 1.0 / n  # ... minus one-hot / N
    return loss, e


def binary_cross_entropy(z: np.ndarray, t: np.ndarray) -> tuple:
    """Mean BCE of sigmoid(z) against t in {0, 1}, and its gradient dL/dz = (sigmoid(z) - t) / N.

    BCE(sigmoid(z), t) = softplus(z) - t * z; logaddexp(0, z) is a softplus that never overflows,
    and exp(z - softplus(z)) is sigmoid(z) with a non-positive exponent. PyTorch's BCELoss clamps
    each log at -100; that only matters once sigmoid(z) rounds to 0 or 1, which these runs avoid.
    """
    softplus = np.logaddexp(0, z)
    loss = float(np.add.reduce(softplus - t * z, axis=None)) / len(z)
    dz = np.exp(z - softplus)
    dz -= t
    dz *= 1.0 / len(z)
    return loss, dz


def prepare_train(work: Train):
    params = [p.copy() for layer in work.weights for p in layer]  # W0, b0, W1, b1, ...
    X, y, batch, lr, momentum = work.X, work.y, work.batch_size, work.lr, work.momentum  # noqa: N806
    rows = np.arange(batch)
    ones = np.ones(batch, dtype=np.float32)  # bias gradients as ones @ dz, a BLAS call
    class_ones = np.ones((work.sizes[-1], 1), dtype=np.float32)
    zero = np.zeros((), np.float32)  # NumPy takes a maximum with it faster than with 0
    last = len(work.weights) - 1

    def run() -> float:
        grads = [np.empty_like(p) for p in params]
        buffers = [np.zeros_like(p) for p in params] if momentum else None
        for _ in range(work.epochs):
            for i in range(0, len(X), batch):
                x, t = X[i : i + batch], y[i : i + batch]
                # Forward; acts[k] is the input of layer k, kept for its weight's gradient.
                acts = [x]
                for k in range(last + 1):
                    z = acts[k] @ params[2 * k].T
                    z += params[2 * k + 1]
                    if k < last:
                        acts.append(np.maximum(z, zero, out=z))
                if work.head == "ce":
                    loss, dz = cross_entropy(z, t, rows[: len(z)], class_ones)
                else:
                    loss, dz = binary_cross_entropy(z, t)
                # Backward.
                for k in range(last, -1, -1):
                    np.matmul(dz.T, acts[k], out=grads[2 * k])
                    np.matmul(ones[: len(dz)], dz, out=grads[2 * k + 1])
                    if k:
                        dz = dz @ params[2 * k]
                        # ReLU's derivative, from its output. A float mask multiplies faster on
                        # small arrays; on large ones the bool mask's smaller traffic wins.
                        a = acts[k]
                        dz *= np.sign(a) if a.size < 8192 else a > 0
                # SGD, in place; PyTorch's first momentum step b = g equals b = 0 * momentum + g.
                for p, g, b in zip(params, grads, buffers or grads):
                    if momentum:
                        b *= momentum
                        b += g
                    np.multiply(b, lr, out=g)
                    p -= g
        return loss

    return run, lambda: params[0]


def prepare_chain(work: Chain):
    h0, c, n = work.h0, work.c, work.n
    grad = np.empty_like(h0)

    def run() -> float:
        h = h0
        for _ in range(n):
            h = h * c
        loss = float(np.add.reduce(h, axis=None))
        grad[...] = 1.0  # d sum / d h
        for _ in range(n):
            np.multiply(grad, c, out=grad)  # d (h * c) / d h = c
        return loss

    return run, lambda: grad


def prepare(work):
    return prepare_chain(work) if isinstance(work, Chain) else prepare_train(work)
