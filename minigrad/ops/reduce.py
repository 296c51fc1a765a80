"""Reductions. Each docstring: forward formula; derivative."""

import math

import numpy as np

from ..engine import add_up
from ..function import Function
from ..tensor import _wrap, max_result, min_result, normalize_dim
from .unary import narrow


def _spread(grad, shape, axis, keepdim):
    """Broadcast a reduced gradient back over the axes the reduction removed."""
    if not keepdim and axis is not None:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """out = sum(x) over `axis`;  d/dx = 1 everywhere (grad spread back over the axis).

    float16 is added up in float32 and rounded once, as PyTorch does (see engine.add_up).
    """

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        total = add_up(x, axis, keepdim)  # integers sum to int64, as in PyTorch
        return narrow(total, x) if x.dtype == np.float16 else total

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.axis, ctx.keepdim), None, None


class Mean(Function):
    """out = sum(x) / n over `axis`;  d/dx = 1 / n everywhere."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        ctx.count = math.prod(x.shape[a] for a in axes)
        total = add_up(x, axis, keepdim)  # floats only (Tensor.mean checks)
        # The mean of nothing is NaN, silently as in PyTorch (0 / 0 would warn).
        mean = total / ctx.count if ctx.count else np.full_like(total, np.nan)
        return narrow(mean, x)  # float16: rounded once, from float32

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.axis, ctx.keepdim) / ctx.count, None, None


class Extremum(Function):
    """out = max(x) (or min) of all elements;  d/dx = 1 / k at each of the k tied extremes.

    PyTorch splits the gradient evenly between ties in a full reduction; a NaN result
    comes from the NaNs, so they are the ties then.
    """

    @staticmethod
    def forward(ctx, x, largest):
        out = x.max() if largest else x.min()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        ties = (x == out) | (np.isnan(x) & np.isnan(out))
        return grad * ties / int(ties.sum()), None


class TakeAlongDim(Function):
    """out = x at one given index per slice along `dim` (max/min with a dim);  d/dx = 1 there.

    The index holds one position per slice, so scattering the gradient back never collides.
    """

    @staticmethod
    def forward(ctx, x, index, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        ctx.save_for_backward(index)
        out = np.take_along_axis(x, index, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        out = np.zeros(ctx.shape, grad.dtype)
        values = grad if ctx.keepdim else np.expand_dims(grad, ctx.dim)
        np.put_along_axis(out, index, values, axis=ctx.dim)
        return out, None, None, None


def _check_nonempty(x, what, dim, error=IndexError):
    """Refuse to reduce nothing; PyTorch's type: IndexError, but RuntimeError for max()."""
    if x.numel() == 0 and (dim is None or x.shape[dim] == 0):
        raise error(
            f"{what}(): cannot reduce an empty tensor of shape {x.shape}"
            + ("" if dim is None else f" along dimension {dim}")
        )


def extremum(x, dim, keepdim, largest):
    """`x.max()`/`x.min()`: a value, or `(values, indices)` along `dim` as PyTorch returns."""
    what = "max" if largest else "min"
    if dim is None:
        if keepdim:
            raise TypeError(f"{what}(): keepdim=True needs a dim to keep")
        _check_nonempty(x, what, None, RuntimeError)
        return Extremum.apply(x, largest)
    axis = normalize_dim(dim, x.ndim)
    data = x.data.reshape(x.shape or (1,))
    _check_nonempty(x, what, axis if x.ndim else None)
    index = (np.argmax if largest else np.argmin)(data, axis=axis, keepdims=True)
    source = x if x.ndim else x.reshape(1)
    values = TakeAlongDim.apply(source, index, axis, keepdim or x.ndim == 0)
    indices = _wrap(index if keepdim else index.squeeze(axis))
    if x.ndim == 0:
        values, indices = values.reshape(()), _wrap(index.reshape(()))
    return (max_result if largest else min_result)(values, indices)


def arg_extremum(x, dim, keepdim, largest):
    """`x.argmax()`/`x.argmin()`: int64 indices, never differentiable."""
    find = np.argmax if largest else np.argmin
    what = "argmax" if largest else "argmin"
    if x.dtype.kind == "b":
        raise RuntimeError(f"{what}(): does not support bool input; convert with .long() first")
    if dim is None:
        _check_nonempty(x, what, None)
        index = find(x.data)
        return _wrap(np.asarray(index).reshape((1,) * x.ndim if keepdim else ()))
    axis = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    _check_nonempty(x, what, axis)
    return _wrap(np.asarray(find(x.data, axis=axis, keepdims=keepdim)))  # 1-D gives a scalar
