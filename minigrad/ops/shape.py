"""Ops that move elements without changing them. Each docstring: forward; derivative."""

import numpy as np

from .. import dtypes
from ..function import Function
from ..tensor import normalize_dim


class Reshape(Function):
    """out = x with a new shape (a view, as PyTorch's);  d/dx = grad reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"shape {tuple(shape)} is invalid for a tensor of shape {x.shape} "
                f"({x.size} elements)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Permute(Function):
    """out = x with its axes reordered;  d/dx = grad with the inverse order."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.axes)), None


def _has_array(index) -> bool:
    return any(isinstance(i, np.ndarray) for i in (index if isinstance(index, tuple) else (index,)))


def _is_int(item) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def split_index(index):
    """PyTorch's order for an index mixing integers and arrays: (integers, arrays), else None.

    PyTorch selects at the integers first, then applies the arrays to what is left, so
    x[0, :, [1, 2]] of a (2, 3, 4) tensor is (3, 2); NumPy indexes once and, the integer
    counting as an array there, puts the array dims first: (2, 3). Applying the first
    index (basic: a view) and then the second gives PyTorch's result with NumPy.
    """
    items = index if isinstance(index, tuple) else (index,)
    if not (any(map(_is_int, items)) and _has_array(items)):
        return None  # NumPy's single pass agrees with PyTorch
    first, second = [], []
    for item in items:
        if isinstance(item, np.ndarray):
            first.extend([slice(None)] * (item.ndim if item.dtype.kind == "b" else 1))
            second.append(item)
        elif _is_int(item):
            first.append(item)
        else:  # a slice, None, or `...`, which the second index passes over
            first.append(item)
            second.append(Ellipsis if item is Ellipsis else slice(None))
    return tuple(first), tuple(second)


def index_view(x, index):
    """x[index] with PyTorch's order (see split_index): a view for a basic index."""
    split = split_index(index)
    if split is not None:
        return x[split[0]][split[1]]
    out = x[index]
    if type(out) is not np.ndarray:  # one element: NumPy copies it out, PyTorch views it
        out = x[(*index, Ellipsis) if isinstance(index, tuple) else (index, Ellipsis)]
    return out


def _put(out, index, value):
    """out[index] = value with PyTorch's order (see split_index)."""
    value = dtypes.cast(value, out.dtype)
    split = split_index(index)
    if split is None:
        out[index] = value
    else:
        out[split[0]][split[1]] = value  # the first index gives a view: writes reach out


class Index(Function):
    """out = x[index];  d/dx = grad scattered back into zeros, *adding* at repeated indices."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        if _has_array(index):
            ctx.save_for_backward(index)  # index arrays are freed after backward
        else:
            ctx.index = index  # a slice saves nothing, so backward may run twice (PyTorch)
        return index_view(x, index)

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, grad.dtype)
        if ctx.saved:
            index = ctx.saved[0]
            split = split_index(index)
            if split is None:
                np.add.at(out, index, grad)  # repeated indices add up
            else:
                np.add.at(out[split[0]], split[1], grad)  # into a view of out
        else:
            out[ctx.index] = grad  # basic slicing selects each element at most once
        return out, None


class IndexPut(Function):
    """out = x with out[index] = value;  d/dx = grad off index, d/dvalue = grad[index]."""

    @staticmethod
    def forward(ctx, x, index, value):
        ctx.save_for_backward(index)
        out = x.copy()
        _put(out, index, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        gx = grad.copy()
        _put(gx, index, 0)
        return gx, None, index_view(grad, index)


class Cat(Function):
    """out = the inputs joined along `dim`;  d/dx_i = the matching slice of grad."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        ctx.ends = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.ends, axis=ctx.dim))


class Stack(Function):
    """out = the inputs stacked along a new `dim`;  d/dx_i = grad's i-th slice along dim."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.dim, 0))


class Where(Function):
    """out = x where condition else y;  d/dx = condition, d/dy = not condition."""

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.save_for_backward(condition)
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved
        return None, np.where(condition, grad, 0), np.where(condition, 0, grad)


# ----- shape arithmetic for the view methods (no autograd here) ---------------------


def flat_shape(shape, start_dim, end_dim):
    ndim = len(shape)
    start, end = normalize_dim(start_dim, ndim), normalize_dim(end_dim, ndim)
    if ndim == 0:
        return (1,)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :]


def unsqueezed_shape(shape, dim):
    axis = normalize_dim(dim, len(shape) + 1)
    return shape[:axis] + (1,) + shape[axis:]


def squeezed_shape(shape, dim):
    if dim is None:
        return tuple(n for n in shape if n != 1)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = {normalize_dim(d, len(shape)) for d in dims}
    if len(axes) != len(dims):
        raise RuntimeError(f"squeeze(): dim {tuple(dims)} names a dimension twice")
    return tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))


def swapped_axes(ndim, dim0, dim1):
    axes = list(range(ndim))
    if ndim == 0:
        normalize_dim(dim0, 0), normalize_dim(dim1, 0)
        return ()
    a, b = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return tuple(axes)


def checked_permutation(dims, ndim):
    if len(dims) != ndim:
        raise RuntimeError(
            f"permute(): the number of dims ({len(dims)}) must equal the tensor's ndim ({ndim})"
        )
    axes = tuple(normalize_dim(d, ndim) for d in dims)
    if len(set(axes)) != ndim:
        raise RuntimeError(f"permute(): dims {tuple(dims)} repeat a dimension")
    return axes


def check_index(shape, index):
    """Raise an IndexError in the tensor's terms for an index that NumPy refused."""
    items = index if isinstance(index, tuple) else (index,)
    masks = [i for i in items if isinstance(i, np.ndarray) and i.dtype.kind == "b"]
    scalars = [i for i in items if i is None or isinstance(i, (bool, np.bool_))]
    used = (
        len(items)
        - len(scalars)
        - sum(i is Ellipsis for i in items)
        + sum(m.ndim - 1 for m in masks)
    )
    if used > len(shape):
        raise IndexError(
            f"too many indices for tensor of dimension {len(shape)} (shape {shape}): "
            f"{used} were given"
        )
    dim, arrays = 0, []
    for item in items:
        if item is None or isinstance(item, (bool, np.bool_)):
            continue
        if item is Ellipsis:
            dim += len(shape) - used
        elif isinstance(item, slice):
            dim += 1
        elif isinstance(item, np.ndarray) and item.dtype.kind == "b":
            if item.shape != shape[dim : dim + item.ndim]:
                raise IndexError(
                    f"the shape of the mask {item.shape} at index {dim} does not match the "
                    f"shape of the indexed tensor {shape}"
                )
            arrays.append((int(item.sum()),))
            dim += item.ndim
        else:
            values, size = np.asarray(item), shape[dim]
            bad = (values < -size) | (values >= size)
            if bad.any():
                raise IndexError(
                    f"index {values[bad].flat[0]} is out of bounds for dimension {dim} with "
                    f"size {size}"
                )
            arrays.append(values.shape)
            dim += 1
    try:
        np.broadcast_shapes(*arrays)
    except ValueError:
        raise IndexError(
            "shape mismatch: the index tensors cannot be broadcast together, their shapes "
            f"are {', '.join(map(str, arrays))}"
        ) from None
