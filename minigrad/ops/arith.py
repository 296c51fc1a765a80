"""Arithmetic ops. Each docstring: forward formula; derivative."""

import numpy as np

from .. import dtypes
from ..function import Function


class Add(Function):
    """out = x + y;  d/dx = 1, d/dy = 1 (the base sums broadcast axes away)."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """out = x - y;  d/dx = 1, d/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """out = x * y;  d/dx = y, d/dy = x.

    Saves only the factor each needed gradient uses, so `x *= mask` keeps working.
    """

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad
        ctx.save_for_backward(y if need_x else None, x if need_y else None)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved
        return (None if y is None else grad * y), (None if x is None else grad * x)


class Div(Function):
    """out = x / y;  d/dx = 1 / y, d/dy = -x / y**2 = -(x / y) / y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        gx = grad / y if ctx.needs_input_grad[0] else None
        # (x / y) / y, as PyTorch: y * y would sink into subnormals (or 0) for |y| < 1e-154
        gy = -grad * ((x / y) / y) if ctx.needs_input_grad[1] else None
        return gx, gy


class Neg(Function):
    """out = -x;  d/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Maximum(Function):
    """out = max(x, y) elementwise;  d/dx = 1 where x > y, 1/2 where x == y, else 0 (d/dy alike).

    PyTorch's rule: a tie splits the gradient evenly, and where x or y is NaN (so is out)
    both get all of it, since neither x < y nor x > y holds there.
    """

    pick, loses = np.maximum, np.less  # Minimum swaps both

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.pick(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        shared = np.where(x == y, grad / 2, grad)
        gx = np.where(ctx.loses(x, y), 0, shared) if ctx.needs_input_grad[0] else None
        gy = np.where(ctx.loses(y, x), 0, shared) if ctx.needs_input_grad[1] else None
        return gx, gy


class Minimum(Maximum):
    """out = min(x, y) elementwise;  d/dx = 1 where x < y, 1/2 where x == y, else 0 (d/dy alike)."""

    pick, loses = np.minimum, np.greater


class Pow(Function):
    """out = x ** y;  d/dx = y * x**(y - 1), d/dy = out * log(x).

    As PyTorch: d/dx is 0 where y == 0, and d/dy is 0 where x == 0 and y >= 0
    (there log(x) is -inf but x**y does not depend on y from that side).
    """

    @staticmethod
    def forward(ctx, x, y):
        out = x**y
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved
        gx = gy = None
        # grad * (...) in PyTorch's order: a tiny y times an infinite x**(y - 1) is inf,
        # where (grad * y), rounded to 0 first, would make it NaN.
        if ctx.needs_input_grad[0]:
            # A number y: y - 1 in float64. Rounded to x's float32, 2e-12 - 1 would be -1.0, and
            # (-1) ** -1.0 = -1 would hide the NaN of a negative base to a fractional power.
            below = np.float64(y) - 1 if isinstance(y, float) else y - 1
            gx = np.where(y == 0, 0.0, grad * (y * x**below)).astype(grad.dtype)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):  # masked just below
                gy = grad * (out * np.log(x))
            gy = np.where((x == 0) & (y >= 0), 0.0, gy).astype(grad.dtype)
        return gx, gy


class Cast(Function):
    """out = x as `dtype`;  d/dx = 1 (the base casts the gradient back to x's dtype).

    Converted as PyTorch converts (`dtypes.cast`): a number beyond a narrower float dtype's
    range becomes inf silently.
    """

    @staticmethod
    def forward(ctx, x, dtype):  # Tensor.to casts only to another dtype: always a new array
        return dtypes.cast(x, dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Clone(Function):
    """out = a copy of x;  d/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Fill(Function):
    """out = value everywhere (`zero_`, `fill_`);  d/dx = 0."""

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


class Copy(Function):
    """out = src broadcast to x's shape and dtype (`copy_`);  d/dx = 0, d/dsrc = 1."""

    @staticmethod
    def forward(ctx, x, src):
        out = np.empty_like(x)
        out[...] = dtypes.cast(src, x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), grad
