"""minigrad: reverse-mode autograd on NumPy with PyTorch's API."""

from .tensor import Tensor  # first: tensor.py closes the Tensor <-> ops import cycle

# isort: split
from . import autograd, data, dtypes, nn, optim, viz
from .dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .functions import (
    abs,
    argmax,
    argmin,
    cat,
    clamp,
    exp,
    flatten,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import manual_seed
from .serialization import load, save

__version__ = "0.1.0"
