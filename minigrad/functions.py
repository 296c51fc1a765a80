"""Top-level functions: `minigrad.exp(x)` is `x.exp()`, plus `cat`, `stack` and `where`."""

import builtins

import numpy as np

from . import dtypes, ops
from .tensor import Tensor, _check_broadcast, _operand, normalize_dim


def _tensor(value, name: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument must be a Tensor, not {type(value).__name__}")
    return value


def exp(input: Tensor) -> Tensor:
    """exp(x) elementwise;  d/dx = exp(x)."""
    return _tensor(input, "exp").exp()


def log(input: Tensor) -> Tensor:
    """Natural logarithm elementwise;  d/dx = 1 / x."""
    return _tensor(input, "log").log()


def sqrt(input: Tensor) -> Tensor:
    """Square root elementwise;  d/dx = 1 / (2 sqrt(x)), inf at 0 as in PyTorch."""
    return _tensor(input, "sqrt").sqrt()


def abs(input: Tensor) -> Tensor:
    """|x| elementwise;  d/dx = sign(x), 0 at 0 as in PyTorch."""
    return _tensor(input, "abs").abs()


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """x limited to [min, max] (either may be None);  d/dx = 1 inside, bounds included, else 0."""
    return _tensor(input, "clamp").clamp(min, max)


def relu(input: Tensor) -> Tensor:
    """max(x, 0) elementwise;  d/dx = 1 where x > 0, else 0 (0 at the kink, as in PyTorch)."""
    return _tensor(input, "relu").relu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), computed stably;  d/dx = out * (1 - out)."""
    return _tensor(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise;  d/dx = 1 - out**2."""
    return _tensor(input, "tanh").tanh()


def softmax(input: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`;  its gradient is out * (grad - sum(grad * out))."""
    return _tensor(input, "softmax").softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """x - logsumexp(x) along `dim`;  its gradient is grad - softmax(x) * sum(grad)."""
    return _tensor(input, "log_softmax").log_softmax(dim)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """input @ other (NumPy's rules);  d/dinput = grad @ other^T, d/dother = input^T @ grad."""
    return _tensor(input, "matmul") @ _tensor(other, "matmul")


def sum(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The sum over `dim` (every dim when None);  the gradient is 1 for every element."""
    return _tensor(input, "sum").sum(dim, keepdim)


def mean(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The mean over `dim` (every dim when None);  the gradient is 1/n for every element."""
    return _tensor(input, "mean").mean(dim, keepdim)


def max(input: Tensor, *args, **kwargs):
    """`max(input)`, the largest value; `max(input, dim, keepdim=False)`, `(values, indices)`
    as in `_, pred = max(x, 1)`; `max(input, other)`, `maximum(input, other)`.

    The arguments are `Tensor.max`'s. The gradient goes to the largest value: split evenly
    between ties without `dim`, to the returned index with it (as PyTorch).
    """
    return _tensor(input, "max").max(*args, **kwargs)


def min(input: Tensor, *args, **kwargs):
    """`min(input)`, `min(input, dim, keepdim=False)` or `min(input, other)`, as `max`.
    The gradient as for `max`."""
    return _tensor(input, "min").min(*args, **kwargs)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The larger of input and other elementwise (broadcast);  d/dinput = 1 where input is
    larger, 1/2 at ties, 0 where smaller (and alike for other), as in PyTorch."""
    return _tensor(input, "maximum").maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The smaller of input and other elementwise;  the gradient as for `maximum`."""
    return _tensor(input, "minimum").minimum(other)


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the largest value (int64): not differentiable, no gradient."""
    return _tensor(input, "argmax").argmax(dim, keepdim)


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the smallest value (int64): not differentiable, no gradient."""
    return _tensor(input, "argmin").argmin(dim, keepdim)


def reshape(input: Tensor, shape) -> Tensor:
    """input with a new shape (a view when possible);  the gradient is reshaped back."""
    return _tensor(input, "reshape").reshape(shape)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """input with dims `dim0` and `dim1` swapped (a view);  the gradient is swapped back."""
    return _tensor(input, "transpose").transpose(dim0, dim1)


def permute(input: Tensor, dims) -> Tensor:
    """input with its dims reordered (a view);  the gradient gets the inverse order."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"permute(): dims must be a tuple of ints, not {type(dims).__name__}")
    return _tensor(input, "permute").permute(dims)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """input with a size-1 dim inserted at `dim`;  the gradient drops it again."""
    return _tensor(input, "unsqueeze").unsqueeze(dim)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """input without its size-1 dims (only `dim`, if given);  the gradient gets them back."""
    return _tensor(input, "squeeze").squeeze(dim)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """input with dims start_dim..end_dim merged;  the gradient is reshaped back."""
    return _tensor(input, "flatten").flatten(start_dim, end_dim)


def _promoted(tensors, name: str) -> list:
    """The tensors cast to their common dtype, as PyTorch's cat/stack do."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): expected a list or tuple of Tensors")
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    tensors = [_tensor(t, name) for t in tensors]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in tensors]


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension `dim`;  each gradient is its slice of grad."""
    tensors = _promoted(tensors, "cat")
    first = tensors[0]
    axis = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be joined")
        if t.ndim != first.ndim or builtins.any(
            a != b for k, (a, b) in enumerate(zip(t.shape, first.shape)) if k != axis
        ):
            raise RuntimeError(
                f"cat(): sizes must match except in dimension {axis}: tensor 0 has shape "
                f"{first.shape} but tensor {i} has shape {t.shape}"
            )
    return ops.Cat.apply(*tensors, dim=axis)


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension `dim`;  each gradient is its slice."""
    tensors = _promoted(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                "stack(): every tensor must have the same shape, but tensor 0 has shape "
                f"{tensors[0].shape} and tensor {i} has shape {t.shape}"
            )
    return ops.Stack.apply(*tensors, dim=normalize_dim(dim, tensors[0].ndim + 1))


def where(condition: Tensor, input, other) -> Tensor:
    """Elementwise `input if condition else other`; both may be Tensors or numbers.

    The gradient goes to `input` where condition holds and to `other` elsewhere.
    """
    condition = _tensor(condition, "where")
    if condition.dtype != dtypes.bool:
        raise RuntimeError(f"where(): condition must be a bool tensor, got {condition.dtype.name}")
    x, y = _operand(input), _operand(other)
    if x is None or y is None:
        raise TypeError("where(): input and other must be Tensors or numbers")
    dtype = dtypes.result_type(*(v.data if isinstance(v, Tensor) else v for v in (x, y)))
    # A number becomes an array of the result dtype (np.where would make 2.5 float64).
    x, y = (v.to(dtype) if isinstance(v, Tensor) else np.array(v).astype(dtype) for v in (x, y))
    _check_broadcast(condition, x)
    _check_broadcast(condition, y)
    _check_broadcast(x, y)
    return ops.Where.apply(condition, x, y)
