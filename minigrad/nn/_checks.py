"""Argument checks for `nn.functional`, raising in the user's terms with PyTorch's types."""

import warnings

from .. import dtypes
from ..tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def reduction_mode(size_average, reduce, reduction) -> str:
    """`reduction`, or the one that PyTorch's deprecated `size_average` and `reduce` imply."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            stacklevel=3,
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction: use 'mean', 'sum' or 'none'"
        )
    return reduction


def tensor_arg(value, name: str, fn: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be a Tensor, not {type(value).__name__}")
    return value


def tensor_args(fn: str, **arguments) -> None:
    """Raise TypeError unless every named argument is a Tensor."""
    for name, value in arguments.items():
        if not isinstance(value, Tensor):
            tensor_arg(value, name, fn)


def linear_args(input, weight, bias) -> None:
    """Raise, in the user's terms, the first thing `linear()` cannot take."""
    tensor_args("linear", input=input, weight=weight)
    if weight.ndim != 2:
        raise RuntimeError(
            f"linear(): weight must be 2-D (out_features, in_features), got shape {weight.shape}"
        )
    tensors = [input, weight] + ([tensor_arg(bias, "bias", "linear")] if bias is not None else [])
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError(
            "linear(): input, weight and bias must have the same dtype, got "
            + ", ".join(t.dtype.name for t in tensors)
        )
    if bias is not None and bias.shape not in ((), (1,), (weight.shape[0],)):
        raise RuntimeError(
            f"linear(): bias of shape {bias.shape} does not fit weight of shape {weight.shape}: "
            f"expected shape ({weight.shape[0]},)"
        )


def floating(x: Tensor, fn: str) -> Tensor:
    # NotImplementedError, as PyTorch; it is a RuntimeError too.
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"{fn}() needs a floating point input, got dtype {x.dtype.name}; convert it "
            "first with .float()"
        )
    return x


def constant(weight, name: str, fn: str, dtype=None, shape=None):
    """A weight that gets no gradient (PyTorch refuses one that requires grad), as `dtype`.

    With `shape`, the weight must broadcast to it (PyTorch expands it to the input's shape).
    """
    if weight is None:
        return None
    tensor_arg(weight, name, fn)
    if weight.requires_grad:
        raise RuntimeError(
            f"{fn}() is not differentiable with respect to argument '{name}'; this input "
            "cannot have requires_grad=True (detach() it)"
        )
    if shape is not None and not broadcasts_to(weight.shape, shape):
        raise RuntimeError(
            f"{fn}(): {name} of shape {weight.shape} does not broadcast to the input's shape "
            f"{shape}"
        )
    return weight if dtype is None else weight.to(dtype)


def broadcasts_to(shape: tuple, target: tuple) -> bool:
    if len(shape) > len(target):
        return False
    return all(n in (1, m) for n, m in zip(shape[::-1], target[::-1]))


def class_weight(weight, input: Tensor, fn: str, probabilities: bool = False):
    """Check a per-class `weight`: shape (C,); with class indices, no gradient, input's dtype."""
    if weight is None:
        return None
    n_classes = input.shape[1 if input.ndim > 1 else 0]
    if tensor_arg(weight, "weight", fn).shape != (n_classes,):
        raise RuntimeError(
            f"{fn}(): weight should be defined either for all {n_classes} classes or no "
            f"classes, but got weight of shape {weight.shape}"
        )
    if probabilities:  # there PyTorch's loss is built from differentiable ops
        return weight
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"{fn}(): weight has dtype {weight.dtype.name} but input has {input.dtype.name}"
        )
    return constant(weight, "weight", fn)


def class_target(input: Tensor, target: Tensor, fn: str) -> Tensor:
    """Check class-index targets against the input; return them as int64 of the loss's shape."""
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(
            f"{fn}(): class-index targets must be int64 (or uint8), got dtype "
            f"{target.dtype.name}; class probabilities need a float target of the input's "
            f"shape {input.shape}"
        )
    if target.dtype == dtypes.uint8 and input.ndim > 2:  # PyTorch's spatial kernel
        raise RuntimeError(
            f"{fn}(): targets for an input of shape {input.shape} must be int64, got uint8"
        )
    expected = () if input.ndim == 1 else (input.shape[0], *input.shape[2:])
    if input.ndim == 1 and target.shape == (1,):  # PyTorch takes this for an unbatched input
        return target.reshape(()).long()
    if target.shape != expected:
        # PyTorch raises ValueError for a batch-size mismatch, RuntimeError for the rest.
        batch = target.ndim == 1 if input.ndim == 1 else target.shape[:1] != input.shape[:1]
        raise (ValueError if batch else RuntimeError)(
            f"{fn}(): target of shape {target.shape} does not fit input of shape "
            f"{input.shape}: expected a target of shape {expected} (the input's shape "
            "without the class dim 1)"
        )
    if input.ndim > 2 and input.ndim != 4 and input.shape[1] == 0 and target.numel():
        # PyTorch reshapes such an input to 4-D for its kernel, which fails with no classes.
        raise RuntimeError(
            f"{fn}(): an input of shape {input.shape} has no classes for the targets of shape "
            f"{target.shape} (PyTorch refuses this too)"
        )
    return target.long()


def class_input(input: Tensor, fn: str) -> Tensor:
    floating(input, fn)
    if input.ndim == 0:
        raise RuntimeError(
            f"{fn}(): input must have a class dim: shape (C,), (N, C) or (N, C, d1, ...), "
            "got a 0-d tensor"
        )
    return input
