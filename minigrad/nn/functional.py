"""`minigrad.nn.functional` (import as `F`): PyTorch's functional layers, activations and losses.

Each function checks its arguments in the user's terms, then calls one op from
`minigrad.ops`, whose docstring holds the formula and its derivative side by side.
Arguments, defaults and semantics are PyTorch's (`torch.nn.functional`).
"""

import warnings

import numpy as np

from .. import dtypes, ops
from ..tensor import Tensor, _wrap, normalize_dim
from . import _checks


# ----- layers and activations ---------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight^T + bias, for weight of shape (out_features, in_features).

    Gradients: d/dx = grad @ weight, d/dweight = grad^T @ x, d/dbias = grad summed over
    the leading dims; one fused `ops.Linear` node.
    """
    # One cheap test that suffices on the happy path; the full checks name what is wrong.
    # (On the arrays: each Tensor property is one more Python call.)
    if not (
        isinstance(input, Tensor)
        and isinstance(weight, Tensor)
        and weight.data.ndim == 2
        and input.data.dtype == weight.data.dtype
        and (
            bias is None
            or (
                isinstance(bias, Tensor)
                and bias.data.shape == weight.data.shape[:1]
                and bias.data.dtype == weight.data.dtype
            )
        )
    ):
        _checks.linear_args(input, weight, bias)
    return ops.Linear.apply(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; derivative 1 where x > 0, else 0 (0 at the kink, as PyTorch)."""
    if not isinstance(input, Tensor) or input.data.dtype == dtypes.bool:
        _checks.tensor_arg(input, "input", "relu")
        raise RuntimeError("Boolean inputs not supported for relu")
    out = ops.ReLU.apply(input)
    return input.copy_(out) if inplace else out


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise; derivative d/dx = sigmoid(x) * (1 - sigmoid(x))."""
    _checks.tensor_arg(input, "input", "sigmoid")
    return ops.Sigmoid.apply(input if input.dtype.kind == "f" else input.float())


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise; derivative d/dx = 1 - tanh(x)**2."""
    _checks.tensor_arg(input, "input", "tanh")
    return ops.Tanh.apply(input if input.dtype.kind == "f" else input.float())


def _softmax_args(input, dim, dtype, name: str, stacklevel: int):
    _checks.tensor_arg(input, "input", name)
    if dim is None:  # PyTorch's deprecated implicit choice
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            stacklevel=stacklevel,
        )
        dim = 0 if input.ndim in (0, 1, 3) else 1
    x = input if dtype is None else input.to(dtype)
    return _checks.floating(x, name), normalize_dim(dim, input.ndim)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, computed stably (shifted by the max).

    Derivative: d/dx = s * (grad - sum(grad * s)) with s = softmax(x). `dtype` casts the
    input first.
    """
    x, axis = _softmax_args(input, dim, dtype, "softmax", _stacklevel)
    return ops.Softmax.apply(x, axis)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along `dim`, computed stably (shifted by the max).

    Derivative: d/dx = grad - softmax(x) * sum(grad). `dtype` casts the input first.
    """
    x, axis = _softmax_args(input, dim, dtype, "log_softmax", _stacklevel)
    return ops.LogSoftmax.apply(x, axis)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (if training).

    Derivative: d/dx = mask / (1 - p), the same random mask. The mask is drawn from the
    generator `minigrad.manual_seed` sets. Not training (or p = 0), the input itself.
    """
    _checks.tensor_arg(input, "input", "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    out = ops.Dropout.apply(_checks.floating(input, "dropout"), float(p))
    return input.copy_(out) if inplace else out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes): 1 at each index, 0 elsewhere.

    num_classes=-1 takes the largest index + 1. Not differentiable (no gradient): the
    result is an integer tensor.
    """
    _checks.tensor_arg(tensor, "tensor", "one_hot")
    if tensor.dtype != dtypes.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type int64 (LongTensor), got dtype "
            f"{tensor.dtype.name}"
        )
    values = tensor.numpy()
    if values.size == 0 and num_classes <= 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if values.size and num_classes == -1:
        num_classes = int(values.max()) + 1
    elif values.size and values.max() >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes ({num_classes}), got {values.max()}"
        )
    if values.size and values.min() < 0:
        raise RuntimeError(f"Class values must be non-negative, got {values.min()}")
    shape = (*values.shape, num_classes)
    try:
        out = np.zeros(shape, np.int64)
    except (MemoryError, ValueError):  # PyTorch's allocator raises a RuntimeError
        raise RuntimeError(
            f"one_hot(): a result of shape {shape} does not fit in memory (the largest class "
            "index sets the number of classes when num_classes=-1)"
        ) from None
    np.put_along_axis(out, values[..., None], 1, axis=-1)
    return _wrap(out)


# ----- losses ---------------------------------------------------------------------------------
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error: (x - y)**2 per element, times `weight` if given, then reduced.

    Derivative: d/dx = 2 * (x - y) * w * grad / n for 'mean', where n is the number of
    elements, or sum(w) with a weight; d/dy = -d/dx. Shapes that differ are broadcast
    with a warning, as in PyTorch.
    """
    reduction = _checks.reduction_mode(size_average, reduce, reduction)
    _checks.tensor_args("mse_loss", input=input, target=target)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(
                f"mse_loss(): input of shape {input.shape} and target of shape {target.shape} "
                "cannot be broadcast together"
            ) from None
    if weight is not None and _checks.tensor_arg(weight, "weight", "mse_loss").shape != input.shape:
        raise ValueError(
            f"Weights and input must have the same size: weight {weight.shape}, input {input.shape}"
        )
    # PyTorch broadcasts input and target to one shape first, so neither counts as 0-d in
    # the type promotion. The squares keep that dtype and the weight its own; a 0-d weight
    # widens the result only in the mean's division.
    dtype = dtypes.promote_types(input.dtype, target.dtype)
    x, y = (_checks.floating(t.to(dtype), "mse_loss") for t in (input, target))
    squares_ndim = len(np.broadcast_shapes(input.shape, target.shape))
    if weight is not None and (reduction == "mean" or weight.ndim or not squares_ndim):
        dtype = dtypes.promote_types(dtype, weight.dtype)
    return ops.MSE.apply(x, y, weight, reduction=reduction).to(dtype)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """-w * (y * log(x) + (1 - y) * log(1 - x)) on probabilities x in [0, 1], reduced.

    Each log is clamped at -100, as in PyTorch. Gradient (PyTorch's formula, not the
    clamp's derivative): d/dx = w * (x - y) / max(x * (1 - x), 1e-12) * grad, divided by
    the number of elements for 'mean'. Inputs outside [0, 1] raise RuntimeError.
    """
    reduction = _checks.reduction_mode(size_average, reduce, reduction)
    # One cheap test that suffices on the happy path; the full checks name what is wrong.
    if not (
        isinstance(input, Tensor)
        and isinstance(target, Tensor)
        and input.data.dtype.kind == "f"
        and target.data.shape == input.data.shape
        and target.data.dtype == input.data.dtype
    ):
        _checks.tensor_args("binary_cross_entropy", input=input, target=target)
        _checks.floating(input, "binary_cross_entropy")
        if target.shape != input.shape:
            raise ValueError(  # ValueError, as PyTorch
                f"binary_cross_entropy(): target of shape {target.shape} must have the input's "
                f"shape {input.shape}"
            )
        if target.dtype != input.dtype:
            raise RuntimeError(
                f"binary_cross_entropy(): target has dtype {target.dtype.name} but input has "
                f"{input.dtype.name}; convert the target with .to(input.dtype)"
            )
    w = _checks.constant(weight, "weight", "binary_cross_entropy", shape=input.shape)
    return ops.BCE.apply(input, target, w, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(x) against y, computed stably from the logits x.

    Per element: w * ((1 - y) * x + (1 + (pw - 1) * y) * log(1 + exp(-x))), pw the
    pos_weight (broadcast along the last dims, as PyTorch). Derivative:
    d/dx = w * ((1 + (pw - 1) * y) * sigmoid(x) - pw * y) * grad, which is
    w * (sigmoid(x) - y) * grad without pos_weight; divided by the element count for 'mean'.
    """
    fn = "binary_cross_entropy_with_logits"
    reduction = _checks.reduction_mode(size_average, reduce, reduction)
    _checks.tensor_args(fn, input=input, target=target)
    _checks.floating(input, fn)
    if target.shape != input.shape:
        raise ValueError(  # ValueError, as PyTorch
            f"{fn}(): target of shape {target.shape} must have the input's shape {input.shape}"
        )
    if target.dtype.kind != "f":
        raise RuntimeError(
            f"{fn}(): target must be floating point (0/1 labels or probabilities), got dtype "
            f"{target.dtype.name}; convert it with .float()"
        )
    dtype = dtypes.promote_types(input.dtype, target.dtype)
    # The weights keep their own dtype, as in PyTorch's arithmetic (a float64 pos_weight
    # makes the inner products float64); the loss then takes the target's dtype.
    w = _checks.constant(weight, "weight", fn, shape=input.shape)
    pw = _checks.constant(pos_weight, "pos_weight", fn, shape=input.shape)
    out = ops.BCEWithLogits.apply(input.to(dtype), target.to(dtype), w, pw, reduction=reduction)
    return out.to(target.dtype)  # PyTorch's in-place arithmetic


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood: -w[t] * input[t] for each sample's target class t.

    `input` holds log-probabilities, shape (C,), (N, C) or (N, C, d1, ...). 'mean' divides
    by the summed weight of the targets that are not ignore_index (NaN when there are
    none). Gradient: d/dinput = -w[t] * grad at the target class, 0 elsewhere.
    """
    reduction = _checks.reduction_mode(size_average, reduce, reduction)
    _checks.tensor_args("nll_loss", input=input, target=target)
    _checks.class_input(input, "nll_loss")
    target = _checks.class_target(input, target, "nll_loss")
    w = _checks.class_weight(weight, input, "nll_loss")
    return ops.NLLLoss.apply(input, target, w, ignore_index=ignore_index, reduction=reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of raw logits against class indices or class probabilities.

    Per sample: -sum_c q_c * log_softmax(x)_c, where q is the one-hot target (or the
    target probabilities, same shape as the input) smoothed to
    (1 - label_smoothing) * q + label_smoothing / C and scaled by the class weights.
    Gradient: d/dx = (softmax(x) * sum_c q_c - q) * grad, i.e. softmax - target, from one
    fused op. 'mean' divides by the summed weight of the non-ignored class-index targets,
    or by the number of samples for probability targets.

    Args:
        input: logits of shape (C,), (N, C) or (N, C, d1, ...).
        target: int64 class indices of shape (), (N,) or (N, d1, ...), or floating class
            probabilities of the input's shape.
        weight: a rescaling weight for each class, shape (C,).
        ignore_index: a class-index target that contributes nothing.
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: in [0, 1], mixes the target with the uniform distribution.

    Returns:
        The loss: a scalar, or one value per sample for reduction='none'.
    """
    reduction = _checks.reduction_mode(size_average, reduce, reduction)
    # One cheap test that suffices on the commonest path, (N, C) logits and int64 class
    # indices (N,) without weights; the full checks below name what is wrong.
    if (
        weight is None
        and isinstance(input, Tensor)
        and isinstance(target, Tensor)
        and input.data.ndim == 2
        and input.data.dtype.kind == "f"
        and target.data.dtype == dtypes.int64
        and target.data.shape == input.data.shape[:1]
        and 0.0 <= label_smoothing <= 1.0
    ):
        options = dict(label_smoothing=float(label_smoothing), reduction=reduction)
        return ops.CrossEntropy.apply(input, target, None, ignore_index=ignore_index, **options)
    _checks.tensor_args("cross_entropy", input=input, target=target)
    _checks.class_input(input, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    options = dict(label_smoothing=float(label_smoothing), reduction=reduction)
    if target.shape == input.shape:  # class probabilities (PyTorch's rule)
        if target.dtype.kind != "f":
            raise RuntimeError(
                "cross_entropy(): a target of the input's shape holds class probabilities "
                f"and must be floating point, got dtype {target.dtype.name}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        w = _checks.class_weight(weight, input, "cross_entropy", probabilities=True)
        dtype = dtypes.result_type(*(t.data for t in (input, target, w) if t is not None))
        w = None if w is None else w.to(dtype)
        return ops.CrossEntropy.apply(input.to(dtype), target.to(dtype), w, **options)
    target = _checks.class_target(input, target, "cross_entropy")
    w = _checks.class_weight(weight, input, "cross_entropy")
    return ops.CrossEntropy.apply(input, target, w, ignore_index=ignore_index, **options)
