"""Every built-in op, each a `Function` subclass (see `minigrad.function`)."""

from .arith import Add, Cast, Clone, Copy, Div, Fill, Maximum, Minimum, Mul, Neg, Pow, Sub
from .linalg import Linear, MatMul
from .loss import BCE, MSE, BCEWithLogits, CrossEntropy, Dropout, NLLLoss
from .reduce import Extremum, Mean, Sum, TakeAlongDim, arg_extremum, extremum
from .shape import (
    Cat,
    Index,
    IndexPut,
    Permute,
    Reshape,
    Stack,
    Where,
    check_index,
    checked_permutation,
    flat_shape,
    index_view,
    squeezed_shape,
    swapped_axes,
    unsqueezed_shape,
)
from .unary import (
    Abs,
    Clamp,
    Exp,
    Log,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Sqrt,
    Tanh,
    clamp_bounds,
)

__all__ = [
    "Abs", "Add", "BCE", "BCEWithLogits", "Cast", "Cat", "Clamp", "Clone", "Copy",
    "CrossEntropy", "Div", "Dropout", "Exp", "Extremum", "Fill", "Index", "IndexPut", "Linear",
    "Log", "LogSoftmax", "MSE", "MatMul", "Maximum", "Mean", "Minimum", "Mul", "NLLLoss", "Neg",
    "Permute", "Pow", "ReLU", "Reshape", "Sigmoid", "Softmax", "Sqrt", "Stack", "Sub", "Sum",
    "TakeAlongDim", "Tanh", "Where", "arg_extremum", "check_index", "checked_permutation",
    "clamp_bounds", "extremum", "flat_shape", "index_view", "squeezed_shape", "swapped_axes",
    "unsqueezed_shape",
]  # fmt: skip
