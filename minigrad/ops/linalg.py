"""Matrix products. Each docstring: forward formula; derivative."""

import math

import numpy as np

from ..engine import sum_rows
from ..function import Function
from .unary import narrow


class MatMul(Function):
    """out = x @ y (NumPy's matmul rules);  d/dx = grad @ y^T, d/dy = x^T @ grad.

    A 1-D operand is treated as a row (x) or column (y) and its extra axis removed
    again; batch axes that broadcasting added are summed away by the base.
    """

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        ctx.ndims = (np.ndim(x), np.ndim(y))
        try:
            return np.matmul(x, y)
        except ValueError:
            raise RuntimeError(
                f"matmul: shapes {np.shape(x)} and {np.shape(y)} cannot be multiplied "
                "(both need at least 1 dimension, and x's last size must equal y's "
                "second-to-last size)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        x_1d, y_1d = ctx.ndims[0] == 1, ctx.ndims[1] == 1
        if y_1d:  # first, so that a 0-d grad (vector @ vector) becomes (1,) and then (1, 1)
            grad = np.expand_dims(grad, -1)
        if x_1d:
            grad = np.expand_dims(grad, -2)
        gx = gy = None
        if y is not None:
            gx = grad @ np.swapaxes(y[:, None] if y_1d else y, -1, -2)
            gx = gx[..., 0, :] if x_1d else gx
        if x is not None:
            gy = np.swapaxes(x[None, :] if x_1d else x, -1, -2) @ grad
            gy = gy[..., 0] if y_1d else gy
        return gx, gy


class Linear(Function):
    """out = x @ w^T + b;  d/dx = grad @ w, d/dw = grad^T @ x, d/db = grad summed over rows.

    One fused op: a layer is one graph node, and the transposes are free BLAS views.
    """

    @staticmethod
    def forward(ctx, x, w, b):
        if x.ndim == 0 or x.shape[-1] != w.shape[-1]:
            raise RuntimeError(
                f"linear: input of shape {x.shape} does not fit weight of shape {w.shape}: "
                f"the input's last size must be in_features = {w.shape[-1]}"
            )
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        # float16: the bias is added to the float32 product, then rounded once (PyTorch's)
        out = x @ w.T if x.dtype != np.float16 else np.matmul(x, w.T, dtype=np.float32)
        if b is not None:
            out += b
        return narrow(out, x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved
        rows = _rows(grad)  # (samples, out_features)
        gx = None if w is None else grad @ w
        gw = None if x is None else rows.T @ _rows(x)
        gb = sum_rows(rows) if ctx.needs_input_grad[2] else None
        return gx, gw, gb


def _rows(a):
    """a as (rows, its last axis): a 2-D array as it is, else a reshaped view (the rows
    counted explicitly: reshape(-1, 0) is ambiguous for an empty last axis)."""
    return a if a.ndim == 2 else a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
