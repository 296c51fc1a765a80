"""`Function`: the one way to define a differentiable op, built-in or your own.

An op is a subclass with two static methods on NumPy arrays:

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            out = np.exp(x)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved
            return grad * out

and is called as `Exp.apply(tensor)`. `apply` does all the bookkeeping so that
ops are pure math: it unwraps Tensors, decides whether to record, builds the
graph node, and stamps saved arrays against later in-place changes. The `ctx`
object that `forward` fills in *is* the graph node that `backward` receives. It
keeps anything you store on it (`ctx.factor = 3`) except under the names the graph
uses: `needs_input_grad`, `saved`, `edges` (filled in after `forward`), the methods
of `Function`, and private names that start with `_`.
"""

import itertools
import weakref

import numpy as np

from . import anomaly, grad_mode
from .tensor import Tensor

_new = object.__new__
_grad_mode, _anomaly_mode = grad_mode.state, anomaly.state  # thread-local flags
# Recorded nodes are numbered counting down; the engine runs the smallest number first.
_next_sequence = itertools.count(0, -1).__next__


class Function:
    """Base class of every differentiable op; see the module docstring."""

    __slots__ = (
        "needs_input_grad",
        "saved",
        "edges",
        "_sequence",
        "_retained",
        "_versions",
        "__dict__",
    )
    is_leaf_edge = False  # the engine sends gradients to nodes and leaves alike

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays for `backward` (read back as `ctx.saved`); freed after backward."""
        self.saved = arrays

    @classmethod
    def name(cls) -> str:
        return cls.__name__ + "Backward0"

    def __repr__(self) -> str:
        return f"<{type(self).name()}>"

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        """Run `forward` on the arrays inside `args`; record the op if an input needs grad."""
        ctx = _new(cls)
        ctx.saved = ()
        inputs = []
        tensors = []
        needs = []
        edges = []  # per input: None, or (its node, or itself if a leaf; shape; dtype)
        for a in args:
            if isinstance(a, Tensor):
                data = a.data
                inputs.append(data)
                tensors.append(a)
                if a._requires_grad:
                    needs.append(True)
                    edges.append((a.grad_fn or a, data.shape, data.dtype))
                    continue
            else:
                inputs.append(a)
            needs.append(False)
            edges.append(None)
        record = True in needs and _grad_mode.enabled
        ctx.needs_input_grad = tuple(needs)  # under no_grad too, as in PyTorch
        out = returned = cls.forward(ctx, *inputs, **kwargs)
        if type(out) is not np.ndarray:
            if isinstance(out, (tuple, list)):
                raise TypeError(
                    f"{cls.__name__}.forward returned a {type(out).__name__}: a Function has "
                    "one output, a single array"
                )
            out = np.asarray(out)  # NumPy reductions and 0-d math return scalars
        if _anomaly_mode.enabled:
            ctx._created_at = anomaly.user_line()
            anomaly.check(out, cls.__name__, "forward", ctx._created_at)
        result = _new(Tensor)
        result.data = out
        result.grad = None
        result.grad_fn = None
        result._requires_grad = False
        result._version = [0, False]
        if out.base is not None or _returns_input(out, inputs):
            _share_version(result, args)
        if record and out.dtype.kind == "f":
            ctx.edges = edges
            ctx._sequence = _next_sequence()
            ctx._retained = None
            ctx._versions = _stamps(ctx.saved, tensors, result, returned) if ctx.saved else ()
            result._requires_grad = True
            result.grad_fn = ctx
        return result

    # ----- errors the engine raises around `backward` -----------------------------------------
    def freed_error(self) -> RuntimeError:
        return RuntimeError(
            f"Trying to backward through {type(self).name()} a second time, but the arrays it "
            "saved were freed by the first backward. Pass retain_graph=True to the first "
            "backward() if you need to call it twice."
        )

    def version_error(self, stamp) -> RuntimeError:
        counter, version, shape, what = stamp
        return RuntimeError(
            "one of the arrays needed for gradient computation has been modified by "
            f"an in-place operation: {what} of shape {shape} saved by {type(self).name()} is "
            f"at version {counter[0]}; expected version {version} instead."
        )

    def arity_error(self, grads) -> RuntimeError:
        return RuntimeError(
            f"{type(self).name()}: backward returned {len(grads)} gradients, but forward took "
            f"{len(self.edges)} positional arguments (return None for those with no gradient)"
        )


def _returns_input(out, inputs) -> bool:
    for x in inputs:
        if x is out:
            return True
    return False


def _stamps(saved, tensors, result, returned):
    """Version stamps `(counter, version, shape, what)` of the tensors whose arrays were
    saved, or views of them: backward refuses to run if one has changed in place since.
    The output counts as saved if forward saved what it returned (a NumPy scalar, for 0-d
    math, which `apply` then wrapped in an array)."""
    stamps = []
    for s in saved:
        if s is None:
            continue
        for t in tensors:  # most ops save their input arrays themselves
            if s is t.data:
                stamps.append((t._version, t._version[0], s.shape, "an input"))
                break
        else:
            if s is result.data or s is returned:
                stamps.append(
                    (result._version, result._version[0], result.data.shape, "its output")
                )
                continue
            for t in tensors:
                if _views(s, t.data):
                    stamps.append((t._version, t._version[0], s.shape, "an input"))
                    break
    return stamps


def _views(s, data) -> bool:
    """Whether the saved `s` is a view of `data` or of the array `data` itself views."""
    base = getattr(s, "base", None)  # saved values may be tuples or numbers
    return base is not None and (base is data or base is data.base)


def _share_version(result, args) -> None:
    """An output sharing memory with an input shares its version counter, as in PyTorch."""
    owner = result.data if result.data.base is None else result.data.base
    for a in args:
        if isinstance(a, Tensor) and (a.data is owner or a.data.base is owner):
            result._version = a._version
            a._version[1] = True
            return


def retain(node, tensor) -> None:
    """Make the engine hand `node`'s incoming gradient to `tensor.grad` (weakly held)."""
    node._retained = weakref.ref(tensor)
