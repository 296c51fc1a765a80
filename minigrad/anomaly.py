"""Anomaly mode: stop at the first op whose forward or backward makes a NaN or inf."""

import linecache
import os
import sys
import threading

import numpy as np

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class _State(threading.local):
    enabled = False  # off by default; each thread has its own setting
    check_nan = True  # detect_anomaly(check_nan=False): record where ops were made, only


state = _State()


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Inside this block, an op that produces NaN or inf raises a RuntimeError.

    The error names the op, the direction (forward or backward) and the line of
    your code that created the op. Stricter than PyTorch's, which checks only
    for NaN in backward. Costs a finiteness check per op, so it is off by default.
    With `check_nan=False`, as in PyTorch, nothing raises.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = state.enabled, state.check_nan
        state.enabled, state.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc_info):
        state.enabled, state.check_nan = self._previous
        return False


def user_line() -> str:
    """Where the user's code called into minigrad: the innermost frame outside the package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return "an unknown place"
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    return f'File "{filename}", line {lineno}: {linecache.getline(filename, lineno).strip()}'


def check(array, op_name: str, direction: str, created_at: str, what: str = "its output") -> None:
    """Raise if a floating `array` holds NaN or inf (unless check_nan=False)."""
    if state.check_nan and array.dtype.kind == "f" and not np.isfinite(array).all():
        kind = "NaN" if np.isnan(array).any() else "inf"
        raise RuntimeError(
            f"detect_anomaly: the {direction} of {op_name} produced {kind} in {what}. "
            f"The op was created at {created_at}"
        )


def check_gradient(node, i: int, grad) -> None:
    """Raise if the gradient `node`'s backward returned for input `i` holds NaN or inf."""
    where = getattr(node, "_created_at", "a place not recorded (outside anomaly mode)")
    check(grad, type(node).__name__, "backward", where, f"the gradient of input {i}")
