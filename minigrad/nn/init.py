"""`minigrad.nn.init`: fill a tensor in place, as `torch.nn.init` does.

Each function writes under `no_grad()` (so it works on parameters) and returns the
tensor. Random ones draw from the global generator that `minigrad.manual_seed` sets,
unless given their own NumPy `generator`.
"""

import math
import warnings

import numpy as np

from ..grad_mode import no_grad
from ..random import generator as _global_generator
from ..tensor import Tensor

_LINEAR_GAIN_1 = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def _fill(tensor: Tensor, values) -> Tensor:
    with no_grad():
        return tensor.copy_(values)  # casts to the tensor's dtype


def _check(tensor, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}() takes a Tensor, got {type(tensor).__name__}")
    return tensor


def _require_floating(tensor: Tensor, fn: str) -> None:
    """Random samples fit floating point tensors only: PyTorch refuses the others too
    (truncating them to integers would leave mostly zeros)."""
    if tensor.dtype.kind != "f":
        raise NotImplementedError(
            f"{fn}() fills floating point tensors only, got dtype {tensor.dtype.name}"
        )


def _rng(generator) -> np.random.Generator:
    if generator is None:
        return _global_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a numpy.random.Generator or None, got {type(generator).__name__}"
        )
    return generator


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table): e.g. 'relu' gives sqrt(2).

    `param` is leaky_relu's negative slope (default 0.01).
    """
    if nonlinearity in _LINEAR_GAIN_1:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (size(1), size(0)) times the receptive field, prod(shape[2:])."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from U(a, b)."""
    _require_floating(_check(tensor, "uniform_"), "uniform_")
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}"
        )
    return _fill(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    _check(tensor, "normal_")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    _require_floating(tensor, "normal_")
    return _fill(tensor, _rng(generator).normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`."""
    return _fill(_check(tensor, "constant_"), val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(_check(tensor, "zeros_"), 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(_check(tensor, "ones_"), 1)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:  # fmt: skip
    """He initialisation: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    Args:
        a: the negative slope of the leaky_relu that follows (only for 'leaky_relu').
        mode: 'fan_in' keeps the forward pass's variance, 'fan_out' the backward pass's.
        nonlinearity: the name `calculate_gain` takes.
    """
    _check(tensor, "kaiming_uniform_")
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    bound = math.sqrt(3.0) * std  # the uniform distribution with that standard deviation
    return uniform_(tensor, -bound, bound, generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # the uniform distribution with that standard deviation
    return uniform_(tensor, -a, a, generator)
