"""Grad mode: whether new ops are recorded for backward. Thread-local, as in PyTorch."""

import functools
import threading


class _State(threading.local):
    enabled = True  # each new thread starts with grad mode on, as in PyTorch


state = _State()  # read as `state.enabled` on the hot path (cheaper than a call)


def is_grad_enabled() -> bool:
    """Return True when ops run now are recorded for backward (the default)."""
    return state.enabled


def _set_grad_enabled(mode: bool) -> None:
    state.enabled = mode


class _GradMode:
    """Sets grad mode for a `with` block or, used as a decorator (`@no_grad()` or
    `@no_grad`), for a function call."""

    enabled = True

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)  # `@no_grad` without parentheses, as PyTorch allows

    def __enter__(self):
        self._previous = is_grad_enabled()
        _set_grad_enabled(self.enabled)
        return self

    def __exit__(self, *exc_info):
        _set_grad_enabled(self._previous)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Disable recording: results of ops inside do not require grad."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Re-enable recording inside a `no_grad` block."""

    enabled = True
