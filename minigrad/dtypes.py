"""Dtypes (each a NumPy dtype) and PyTorch's type-promotion rules."""

import builtins
import math

import numpy as np

bool = np.dtype(np.bool_)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)

# PyTorch's aliases.
half = float16
float = float32
double = float64
short = int16
int = int32
long = int64

default_float = float32


def cast(values, dtype: np.dtype) -> np.ndarray:
    """`values` as an array of `dtype`, converted as PyTorch converts. Past a narrower float
    dtype's range a value becomes inf silently (NumPy would warn; only such casts pay for
    np.errstate). A float64 reaches uint8 through int64, so past 255 it wraps around modulo
    256 (C leaves an out-of-range double-to-uint8 conversion undefined: PyTorch's gives 1
    for 2147483649.0, NumPy's direct one 0). Not a copy when `values` already is such an
    array."""
    values = np.asarray(values)
    if dtype == uint8 and values.dtype == float64:
        values = values.astype(int64)
    if dtype.kind == "f" and (dtype.itemsize < values.dtype.itemsize or dtype == float16):
        with np.errstate(over="ignore"):  # float64 -> float32, int32 -> float16, ...
            return values.astype(dtype, copy=False)
    return values.astype(dtype, copy=False)


def is_floating(dtype: np.dtype) -> builtins.bool:
    return dtype.kind == "f"


def category(dtype: np.dtype) -> builtins.int:
    """0 for bool, 1 for integers, 2 for floats: a value never moves to a lower category."""
    return {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promote_types: like NumPy's, except that int with float gives the float."""
    if a == b:
        return a
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return np.promote_types(a, b)


def check_fits(value, dtype: np.dtype, what: str) -> None:
    """Raise RuntimeError unless the number `value` converts to `dtype` without overflow.

    PyTorch's rule for `fill_` and `full`: an integer dtype takes finite values within
    its range (before truncation, so -0.5 does not fit uint8); a float dtype takes
    inf and NaN but no finite value beyond its largest; bool takes anything.
    """
    if dtype.kind == "b":
        return
    if dtype.kind == "f":
        special = isinstance(value, builtins.float) and not math.isfinite(value)
        fits = special or abs(value) <= np.finfo(dtype).max
    else:
        info = np.iinfo(dtype)
        finite = isinstance(value, builtins.int) or math.isfinite(value)
        fits = finite and info.min <= value <= info.max
    if not fits:
        raise RuntimeError(
            f"{what}: value {value!r} cannot be converted to type {dtype.name} without overflow"
        )


def _scalar_dtype(value) -> np.dtype:
    # A number, Python's or a NumPy scalar, takes PyTorch's default dtype of its kind.
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool
    return int64 if isinstance(value, (builtins.int, np.integer)) else default_float


def _combine(higher, lower):
    """Let a lower-priority group's dtype count only when it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher == bool or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> np.dtype:
    """PyTorch's result type for arrays (as in Tensors) and Python scalars.

    Operands form three groups by priority: arrays with dimensions, 0-d arrays, and
    Python scalars. A lower group changes the result only when it is of a higher
    category (bool < integer < floating), so float32 * 2.5 stays float32 and
    float32 * float64-0-d stays float32, while int64 * 2.5 gives float32.
    """
    groups = [None, None, None]
    for v in operands:
        if isinstance(v, np.ndarray):
            g, dtype = (0 if v.ndim else 1), v.dtype
        else:
            g, dtype = 2, _scalar_dtype(v)
        groups[g] = dtype if groups[g] is None else promote_types(groups[g], dtype)
    return _combine(groups[0], _combine(groups[1], groups[2]))
