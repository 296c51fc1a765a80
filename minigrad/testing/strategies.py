"""Hypothesis strategies that draw Tensors, built on `hypothesis.extra.numpy`.

hypothesis is imported inside each function, so `import minigrad.testing` does not
need it; only drawing Tensors does.
"""

import math

import numpy as np

from ..tensor import Tensor


def _grid(dtype, min_value, max_value, positive):
    """Integers lo..hi and a divisor: values lo/step .. hi/step, spaced 1/step apart.

    Integer dtypes use the integers themselves; distinct floats use a grid of step 1/16,
    which keeps them apart so that finite differences of max, min and sort never cross a tie.
    """
    step = 16 if dtype.kind == "f" else 1
    low = max(min_value, 0.1 if dtype.kind == "f" else 1) if positive else min_value
    return int(np.ceil(low * step)), int(np.floor(max_value * step)), step


def _held(bound, dtype, toward):
    """`bound` moved toward `toward` onto a value of `dtype` (hypothesis needs exact bounds)."""
    value = dtype.type(bound)
    if (value < bound and toward > 0) or (value > bound and toward < 0):
        value = np.nextafter(value, dtype.type(toward))
    return float(value)


def _elements(dtype, elements, min_value, max_value, positive, distinct, avoid):
    """Elements in [min_value, max_value], optionally > 0, spaced out, or off kinks."""
    from hypothesis import strategies as st

    if elements is not None:
        return elements
    lo, hi, step = _grid(dtype, min_value, max_value, positive)
    if dtype.kind != "f":
        values = st.integers(lo, hi)
    elif distinct:
        values = st.integers(lo, hi).map(lambda k: k / step)
    else:
        low = max(min_value, 0.1) if positive else min_value
        low, high = _held(low, dtype, np.inf), _held(max_value, dtype, -np.inf)
        values = st.floats(low, high, allow_nan=False, width=8 * dtype.itemsize)
    if avoid:
        values = values.filter(lambda v: all(abs(v - k) > 1e-2 for k in avoid))
    return values


def _tensor(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def tensors(
    shape=None,
    dtype=np.float64,
    elements=None,
    requires_grad: bool = False,
    *,
    min_value: float = -10.0,
    max_value: float = 10.0,
    positive: bool = False,
    distinct: bool = False,
    avoid=(),
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
):
    """A strategy drawing one Tensor.

    Args:
        shape: a fixed shape, a strategy of shapes, or None for any shape with
            `min_dims..max_dims` dimensions of `min_side..max_side` (0 allows empty).
        dtype: a float or integer dtype.
        elements: a hypothesis strategy for the elements (overrides the options below).
        requires_grad: whether the drawn tensor requires grad.
        min_value, max_value: element range.
        positive: elements >= 0.1 (integers >= 1), for log, sqrt and division.
        distinct: elements pairwise at least 1/16 apart (integers: unequal), away from ties
            for max and min; a drawn shape holds no more elements than the range allows.
        avoid: points (kinks such as 0 for relu and abs) to keep elements 0.01 away from.
    """
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    dtype = np.dtype(dtype)
    if dtype.kind not in "iuf" and elements is None:
        raise TypeError(f"tensors(): dtype must be a float or integer dtype, got {dtype.name}")
    room = math.inf
    if distinct and elements is None:
        lo, hi, _ = _grid(dtype, min_value, max_value, positive)
        room = hi - lo + 1 - len(avoid)  # each avoided point rules out at most one value
    if shape is None:
        shape = hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
        ).filter(lambda s: math.prod(s) <= room)
    elif isinstance(shape, tuple) and math.prod(shape) > room:
        raise ValueError(
            f"tensors(): {math.prod(shape)} distinct elements do not fit in "
            f"[{min_value}, {max_value}] ({room} values); widen the range or shrink the shape"
        )
    values = _elements(dtype, elements, min_value, max_value, positive, distinct, avoid)
    arrays = hnp.arrays(dtype, shape, elements=values, unique=distinct)
    return st.builds(_tensor, arrays, st.just(requires_grad))


def broadcastable_tensors(
    n: int = 2,
    dtype=np.float64,
    elements=None,
    requires_grad: bool = False,
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
    **element_options,
):
    """A strategy drawing a tuple of `n` Tensors whose shapes broadcast together.

    Takes `tensors`' element options (`min_value`, `max_value`, `positive`, ...).
    """
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    shapes = hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )

    def draw_all(drawn):
        return st.tuples(
            *(
                tensors(s, dtype, elements, requires_grad, **element_options)
                for s in drawn.input_shapes
            )
        )

    return shapes.flatmap(draw_all)
