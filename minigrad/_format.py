"""`repr` of a Tensor in PyTorch's print style: `tensor([0.6590, 0.2424, 0.0986])`."""

import numpy as np

from . import dtypes

_DEFAULT_DTYPES = (dtypes.float32, dtypes.int64, dtypes.bool)


def _float_formatter(values):
    """Pick PyTorch's layout for floats: integer mode, fixed 4 decimals, or scientific."""
    finite = np.abs(values[np.isfinite(values)]).astype(np.float64)
    nonzero = finite[finite != 0]
    if finite.size and np.all(finite == np.ceil(finite)):
        if nonzero.size and nonzero.max() > 1e8:
            return "{:.4e}".format
        return lambda v: f"{v:.0f}." if np.isfinite(v) else f"{v}"
    if nonzero.size and (
        nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4
    ):
        return "{:.4e}".format
    return "{:.4f}".format


def _element_strings(data):
    if data.dtype.kind == "f":
        fmt = _float_formatter(data)
        strs = [fmt(v) if np.isfinite(v) else str(v) for v in data.ravel().tolist()]
    else:
        strs = [str(v) for v in data.ravel().tolist()]
    width = max(map(len, strs), default=0)
    return np.array([s.rjust(width) for s in strs], dtype=object).reshape(data.shape)


def format_tensor(data, suffixes) -> str:
    """Format `data` as PyTorch does, followed by `suffixes` (e.g. "requires_grad=True")."""
    extra = list(suffixes)
    if data.dtype not in _DEFAULT_DTYPES:
        extra.insert(0, f"dtype=minigrad.{data.dtype.name}")
    if data.size == 0:
        body = "[]"
        if data.ndim != 1:
            extra.insert(0, f"size={data.shape}")
    else:
        body = np.array2string(
            _element_strings(data),
            separator=", ",
            prefix="tensor(",
            formatter={"all": str},
            threshold=1000,
            edgeitems=3,
            max_line_width=80,
        )
    return "tensor(" + ", ".join([body, *extra]) + ")"
