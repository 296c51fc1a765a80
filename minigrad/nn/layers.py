"""Layers: `Linear`, the activations, `Dropout`, `Flatten`, `Identity` (PyTorch's)."""

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import functional as F  # noqa: N812 - PyTorch's convention
from . import init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x @ weight^T + bias, with weight (out_features, in_features) and bias (out_features,).

    Both start as U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's default, drawn
    from the generator `minigrad.manual_seed` sets. `dtype` defaults to float32.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        if not all(isinstance(n, (int, np.integer)) for n in (in_features, out_features)):
            raise TypeError(
                "Linear: in_features and out_features must be ints, got "
                f"{in_features!r} ({type(in_features).__name__}) and {out_features!r} "
                f"({type(out_features).__name__})"
            )
        if in_features < 0 or out_features < 0:
            raise RuntimeError(
                f"Linear: in_features and out_features must be >= 0, got {in_features} and "
                f"{out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtypes.default_float if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights exactly as PyTorch does (kaiming_uniform_ with a = sqrt(5))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class ReLU(Module):
    """max(x, 0) elementwise; `inplace=True` overwrites the input."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `dim`."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - logsumexp(x) along `dim`."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Dropout(Module):
    """While training, zero each element with probability p and scale the rest by 1/(1-p).

    In eval mode (`model.eval()`) it returns its input unchanged.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
