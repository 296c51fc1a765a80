"""Grad mode: whether new ops are recorded for backward. Thread-local, as in PyTorch."""

import functools
import inspect
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
    `@no_grad`), for a function call, or for each step of a generator function."""

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

    def _fresh(self):
        """A new context for each call of a decorated function (calls may nest or overlap)."""
        return type(self)()

    def __call__(self, func):
        mode = self._fresh
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(mode, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with mode():
                return func(*args, **kwargs)

        return wrapper


def _wrap_generator(mode, func):
    """A decorated generator runs in `mode` each time it resumes, and gives the caller back
    the caller's own grad mode at each `yield`, as PyTorch's decorators do."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gen = func(*args, **kwargs)
        resume, value = gen.send, None
        while True:
            try:
                with mode():
                    response = resume(value)
            except StopIteration as stop:
                return stop.value
            try:
                value, resume = (yield response), gen.send
            except GeneratorExit:
                with mode():  # the generator's `finally` blocks run in its mode too
                    gen.close()
                raise
            except BaseException as error:  # thrown in by the caller: passed on inside
                value, resume = error, gen.throw

    return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Disable recording: results of ops inside do not require grad."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Re-enable recording inside a `no_grad` block."""

    enabled = True


class set_grad_enabled(_GradMode):  # noqa: N801 - PyTorch's name
    """Set grad mode to `mode` at once (called as a function), or for a `with` block or a
    decorated function, restoring the previous mode after it, as PyTorch's."""

    def __new__(cls, mode: bool):  # not _GradMode's, which would take `mode` for a function
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): mode must be a bool, not {type(mode).__name__}")
        self.enabled = mode
        self._previous = is_grad_enabled()
        _set_grad_enabled(mode)

    def __enter__(self):
        _set_grad_enabled(self.enabled)  # the previous mode was taken when it was made
        return self

    def __call__(self, func):
        _set_grad_enabled(self._previous)  # decorating a function changes no mode now
        return super().__call__(func)

    def _fresh(self):
        return set_grad_enabled(self.enabled)
