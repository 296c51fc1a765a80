"""`repr` of a Tensor in PyTorch's print style: `tensor([0.6590, 0.2424, 0.0986])`.

The layout follows PyTorch's `torch/_tensor_str.py` with its default print options:
4 digits, lines of 80 characters, and tensors over 1000 elements summarized to their
first and last 3 entries along each dimension.
"""

import numpy as np

from . import dtypes

PRECISION = 4
LINE_WIDTH = 80
THRESHOLD = 1000
EDGE_ITEMS = 3
_DEFAULT_DTYPES = (dtypes.float32, dtypes.int64, dtypes.bool)


class _Formatter:
    """One style and one width for every element shown, chosen as PyTorch chooses them.

    Floats print as integers (`3.`) when every value is one, in scientific notation when
    the nonzero magnitudes span more than 1000x or pass 1e8 (or, if not integers, fall
    below 1e-4), else with 4 decimals. Only finite nonzero values set the style and width.
    """

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode = True, False
        if not self.floating:
            shown = values.tolist()
        else:
            shown = values[np.isfinite(values) & (values != 0)].astype(np.float64)
            if shown.size:
                magnitude = np.abs(shown)
                low, high = magnitude.min(), magnitude.max()
                self.int_mode = bool(np.all(shown == np.ceil(shown)))
                self.sci_mode = bool(
                    high / low > 1000 or high > 1e8 or (not self.int_mode and low < 1e-4)
                )
            shown = shown.tolist()
        self.width = max((len(self._plain(v)) for v in shown), default=1)

    def _plain(self, value) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{PRECISION}e}"
        if self.int_mode:
            return f"{value:.0f}" + ("." if np.isfinite(value) else "")
        return f"{value:.{PRECISION}f}"

    def format(self, value) -> str:
        return self._plain(value).rjust(self.width)


def _summarized(data: np.ndarray) -> np.ndarray:
    """The entries a summarized print shows: the first and last 3 along each long dim."""
    keep = [
        np.r_[0:EDGE_ITEMS, n - EDGE_ITEMS : n] if n > 2 * EDGE_ITEMS else np.arange(n)
        for n in data.shape
    ]
    return data[np.ix_(*keep)]


def _vector(values: list, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if summarize and len(values) > 2 * EDGE_ITEMS:
        items = [fmt.format(v) for v in values[:EDGE_ITEMS]] + [" ..."]
        items += [fmt.format(v) for v in values[-EDGE_ITEMS:]]
    else:
        items = [fmt.format(v) for v in values]
    per_line = max(1, (LINE_WIDTH - indent) // (fmt.width + 2))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data.tolist(), indent, summarize, fmt)
    n = len(data)
    if summarize and n > 2 * EDGE_ITEMS:
        rows = [*range(EDGE_ITEMS), None, *range(n - EDGE_ITEMS, n)]
    else:
        rows = range(n)
    parts = ["..." if i is None else _nested(data[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append `, suffix` for each, starting a new line where the line would pass 80."""
    line = len(text) - text.rfind("\n") + 1  # PyTorch's count, kept for identical wrapping
    for suffix in suffixes:
        # Measured as PyTorch's "dtype=torch.float64", so that lines break where PyTorch's do.
        width = len(suffix.replace("minigrad.", "torch."))
        if line + width + 2 > LINE_WIDTH:
            text += ",\n" + " " * indent + suffix
            line = indent + width
        else:
            text += ", " + suffix
            line += width + 2
    return text + ")"


def format_tensor(data: np.ndarray, suffixes) -> str:
    """Format `data` as PyTorch does, followed by `suffixes` (e.g. "requires_grad=True")."""
    prefix = "tensor("
    dtype = f"dtype=minigrad.{data.dtype.name}"
    if data.size == 0:
        body = "[]"
        # As PyTorch: an empty tensor has no values to tell its dtype, so all but float32 say it.
        extra = [f"size={data.shape}"] if data.ndim != 1 else []
        extra += [dtype] if data.dtype != dtypes.default_float else []
    else:
        extra = [dtype] if data.dtype not in _DEFAULT_DTYPES else []
        summarize = data.size > THRESHOLD
        fmt = _Formatter((_summarized(data) if summarize else data).ravel())
        body = _nested(data, len(prefix), summarize, fmt)
    return _with_suffixes(prefix + body, [*extra, *suffixes], len(prefix))
