"""Elementwise functions of one tensor. Each docstring: forward formula; derivative."""

import numpy as np

from .. import dtypes
from ..engine import add_up
from ..function import Function


def wide(x):
    """float16 as float32, other arrays as they are: a formula of several steps computes in
    float32 and rounds to float16 once, as PyTorch does on the CPU (each float16 step
    would round again)."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def narrow(out, x):
    """`out` in x's dtype: undoes `wide` for the result (past float16's range: inf)."""
    return out if out.dtype == x.dtype else dtypes.cast(out, x.dtype)


class Exp(Function):
    """out = exp(x);  d/dx = out, so the output is saved, not the input."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * out


class Log(Function):
    """out = log(x);  d/dx = 1 / x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / x


class Sqrt(Function):
    """out = sqrt(x);  d/dx = 1 / (2 * out)  (inf at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad / (2 * out)


class Abs(Function):
    """out = |x|;  d/dx = sign(x)  (0 at x = 0 and at NaN, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * ((x > 0).astype(grad.dtype) - (x < 0))  # np.sign(NaN) would be NaN


def clamp_bounds(lo, hi):
    """`clamp`'s bounds as Python numbers or None (not both None), so they never widen x."""
    if lo is None and hi is None:
        raise RuntimeError("clamp: at least one of 'min' and 'max' must be given")
    for name, v in (("min", lo), ("max", hi)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.number))):
            raise TypeError(f"clamp: '{name}' must be a number or None, got {type(v).__name__}")
    return tuple(v.item() if isinstance(v, np.generic) else v for v in (lo, hi))


class Clamp(Function):
    """out = min(max(x, lo), hi);  d/dx = 1 where lo <= x <= hi (bounds included), else 0."""

    @staticmethod
    def forward(ctx, x, bounds):
        ctx.save_for_backward(x)
        ctx.bounds = bounds
        lo, hi = bounds
        out = x if lo is None else np.maximum(x, lo)
        return out if hi is None else np.minimum(out, hi)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        lo, hi = ctx.bounds
        inside = np.ones(x.shape, bool) if lo is None else x >= lo
        if hi is not None:
            inside &= x <= hi
        return grad * inside, None


class ReLU(Function):
    """out = max(x, 0);  d/dx = 0 where out <= 0, else 1 (PyTorch's: 0 at the kink, 1 at NaN).

    Backward keeps grad where out != 0 (PyTorch's `not out <= 0`, as out is >= 0 or NaN)
    and gives +0.0 elsewhere, by bits: grad's bits times 1 are grad, times 0 are +0.0.
    Exact for inf and NaN gradients too (grad * mask would make inf * 0 = NaN), and 3x
    faster than np.where on large arrays, which branches on every element.
    """

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, _zero(x.dtype))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        bits = _UNSIGNED[grad.itemsize]  # unsigned integers as wide as grad's floats
        return np.multiply(grad.view(bits), out != _zero(out.dtype), dtype=bits).view(grad.dtype)


_UNSIGNED = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_ZEROS = {}


def _zero(dtype):
    """A read-only 0-d zero of `dtype`. NumPy takes a maximum or compares with it 0.3 us
    faster than with the number 0, whose dtype it must work out on every call."""
    zero = _ZEROS.get(dtype)
    if zero is None:
        zero = _ZEROS[dtype] = np.zeros((), dtype)
        zero.flags.writeable = False
    return zero


class Sigmoid(Function):
    """out = 1 / (1 + exp(-x));  d/dx = out * (1 - out), as grad * (1 - out) * out.

    PyTorch's formula and order of products, computed as written. Stable: where exp(-x)
    overflows (x below -88.7 in float32, -709.8 in float64) it is inf and out is exactly
    0, as in PyTorch, so a BCE on top clamps its log at -100 there as PyTorch's does.
    The overflow is IEEE's right answer, so it passes silently. float16: forward in
    float32, rounded once; backward in float16 steps from the rounded output (PyTorch's).
    """

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):  # exp(-x) = inf: out = 1 / inf = 0
            e = np.exp(-wide(x))
        out = narrow(1 / (e + 1), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * (1 - out) * out


class Tanh(Function):
    """out = tanh(x);  d/dx = 1 - out**2.

    PyTorch computes 1 - out * out with one rounding (a fused multiply-add); squaring in
    float64, where the square of a float32 or float16 is exact, does the same.
    """

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = wide(ctx.saved[0])
        return grad * (1 - np.square(out, dtype=np.float64)).astype(out.dtype, copy=False)


def shift_by_max(x, dim):
    """x - max(x) along dim: every entry <= 0, so exp of it never overflows.

    The subtraction itself overflows to -inf (whose exp is the right answer, 0) only
    when x spans more than the dtype's range, e.g. float32 logits of -3e38 and 3e38;
    a float64 3.4028236e38 cast to float32 by `dtype=` is inf, and inf - inf is NaN, as
    in PyTorch. One np.errstate (about 1 us) keeps NumPy quiet in both cases: cheaper
    than any check for them, which would need another pass over x.
    """
    m = x.max(axis=dim, keepdims=True, initial=-np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        return x - m


class Softmax(Function):
    """out = exp(x) / sum(exp(x)) along dim;  d/dx = out * (grad - sum(grad * out)).

    Stable: x - max(x) <= 0, so exp never overflows and the largest term is exactly 1.
    """

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(shift_by_max(wide(x), dim))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return narrow(out, x)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return out * (grad - (grad * out).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    """out = x - logsumexp(x) along dim;  d/dx = grad - softmax(x) * sum(grad).

    Stable: logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x), whose sum is >= 1.
    """

    @staticmethod
    def forward(ctx, x, dim):
        shifted = shift_by_max(wide(x), dim)
        if x.size:
            out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        else:
            out = shifted  # nothing to normalise (and log of an empty sum, 0, would warn)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return narrow(out, x)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad - np.exp(out) * add_up(grad, ctx.dim, keepdims=True), None
