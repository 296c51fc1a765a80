"""Functions that make new tensors: `tensor`, `zeros`, `rand`, `arange`, ..."""

import numpy as np

from . import dtypes
from .random import generator
from .tensor import _NOT_GIVEN, Tensor, _size_args, _wrap


def tensor(data, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (Python numbers, lists, arrays or a Tensor).

    Python floats become float32, Python ints int64, bools bool; arrays keep their dtype.
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def _new(array, requires_grad) -> Tensor:
    t = _wrap(array)
    t.requires_grad = requires_grad
    return t


def _shape(sizes, what: str, size=_NOT_GIVEN) -> tuple:
    """The shape given as `f(2, 3)`, `f((2, 3))` or `f(size=(2, 3))`, as PyTorch takes it."""
    if size is not _NOT_GIVEN:
        if sizes:
            raise TypeError(f"{what}() got multiple values for argument 'size'")
        if not isinstance(size, (tuple, list)):
            raise TypeError(
                f"{what}(): argument 'size' must be a tuple of ints, not {type(size).__name__}"
            )
        sizes = (size,)
    shape = _size_args(sizes, what)
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"sizes must be ints, got {type(n).__name__} in {shape}")
        if n < 0:
            raise RuntimeError(f"sizes must be non-negative, got {tuple(shape)}")
    return tuple(int(n) for n in shape)


def _dtype(dtype, default=dtypes.default_float) -> np.dtype:
    return default if dtype is None else np.dtype(dtype)


def zeros(*sizes, size=_NOT_GIVEN, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_shape(sizes, "zeros", size), _dtype(dtype)), requires_grad)


def ones(*sizes, size=_NOT_GIVEN, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_shape(sizes, "ones", size), _dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `fill_value`; its dtype follows the value's kind unless given."""
    if isinstance(fill_value, np.generic) and fill_value.dtype.kind in "biuf":
        fill_value = fill_value.item()
    if isinstance(fill_value, Tensor) or not isinstance(fill_value, (bool, int, float)):
        raise TypeError(f"full(): fill_value must be a number, got {type(fill_value).__name__}")
    dtype = _dtype(dtype, dtypes.result_type(fill_value))
    dtypes.check_fits(fill_value, dtype, "full()")
    return _new(np.full(_shape((), "full", size), fill_value, dtype), requires_grad)


def zeros_like(input: Tensor, *, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(input.shape, _dtype(dtype, input.dtype)), requires_grad)


def ones_like(input: Tensor, *, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(input.shape, _dtype(dtype, input.dtype)), requires_grad)


def _random_dtype(dtype, what) -> np.dtype:
    dtype = _dtype(dtype)
    if dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"{what}() makes float32 or float64 tensors, not {dtype.name}")
    return dtype


def rand(*sizes, size=_NOT_GIVEN, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1), drawn from the generator `manual_seed` sets."""
    shape = _shape(sizes, "rand", size)
    return _new(generator().random(shape, dtype=_random_dtype(dtype, "rand")), requires_grad)


def randn(*sizes, size=_NOT_GIVEN, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples, drawn from the generator `manual_seed` sets."""
    shape, dtype = _shape(sizes, "randn", size), _random_dtype(dtype, "randn")
    return _new(generator().standard_normal(shape, dtype=dtype), requires_grad)


def arange(
    start=_NOT_GIVEN, end=_NOT_GIVEN, step=_NOT_GIVEN, *, dtype=None, requires_grad: bool = False
) -> Tensor:
    """start, start + step, ... up to (not including) end; int64 unless a bound is a float.

    Called as PyTorch's: `arange(end)`, `arange(start, end)` or `arange(start, end, step)`,
    by position or keyword (`arange(end=5)`); a step needs both start and end.

    Integer dtypes follow PyTorch's two code paths: int64 truncates start, end and step
    first (arange(0, 5, 1.5, dtype=int64) is 0, 1, 2, 3, 4); the other integer dtypes
    count from the values as given and then truncate start and step (0, 1, 2, 3 for int32).
    """
    if end is _NOT_GIVEN:
        if start is _NOT_GIVEN or step is not _NOT_GIVEN:
            raise TypeError("arange() missing 1 required positional argument: 'end'")
        start, end = 0, start
    elif start is _NOT_GIVEN:
        if step is not _NOT_GIVEN:
            raise TypeError("arange(): a step needs a start too: arange(start, end, step)")
        start = 0
    if step is _NOT_GIVEN:
        step = 1
    for name, v in (("start", start), ("end", end), ("step", step)):
        if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool):
            raise TypeError(f"arange(): {name} must be a number, got {type(v).__name__}")
    dtype = _dtype(dtype, dtypes.result_type(start, end, step))
    if dtype == dtypes.bool:
        raise NotImplementedError("arange(): bool tensors are not supported (nor in PyTorch)")
    if not all(np.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"arange(): unsupported range {start} -> {end} with step {step}")
    if dtype.kind != "f" and step != 0 and int(step) == 0:
        raise ValueError(f"arange(): step {step} truncates to 0 for dtype {dtype.name}")
    if (end - start) * step < 0:  # the bounds as given, before int64 truncates them (PyTorch's)
        raise RuntimeError(
            f"arange(): the range {start} -> {end} goes against the sign of step {step}"
        )
    if dtype == dtypes.int64:
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    count = int(np.ceil((end - start) / step))
    if dtype.kind != "f":
        start, step = int(start), int(step)
    try:
        values = np.empty(count, dtype)
    except (MemoryError, ValueError):  # a tiny step: PyTorch's allocator raises a RuntimeError
        # (NumPy raises ValueError past its largest array size, MemoryError below it)
        raise RuntimeError(
            f"arange(): {count} values from {start} to {end} with step {step} do not fit in memory"
        ) from None
    # Each value is start + i * step in float64 (int64), as PyTorch computes it, rounded to
    # dtype; in chunks, so that a long range needs no more memory than its result.
    work = np.float64 if dtype.kind == "f" else np.int64
    for i in range(0, count, _ARANGE_CHUNK):
        j = min(i + _ARANGE_CHUNK, count)
        values[i:j] = start + np.arange(i, j, dtype=work) * step
    return _new(values, requires_grad)


_ARANGE_CHUNK = 1 << 16


def eye(n: int, m: int = _NOT_GIVEN, *, dtype=None, requires_grad: bool = False) -> Tensor:
    shape = _shape((n,) if m is _NOT_GIVEN else (n, m), "eye")
    return _new(np.eye(*shape, dtype=_dtype(dtype)), requires_grad)
