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
graph node, and guards saved arrays against in-place changes. The `ctx` object
that `forward` fills in *is* the graph node that `backward` later receives.
"""

import weakref

import numpy as np

from .grad_mode import is_grad_enabled
from .tensor import Tensor, _wrap

_new = object.__new__


class Function:
    """Base class of every differentiable op; see the module docstring."""

    __slots__ = ("__dict__", "_versions", "edges", "needs_input_grad", "retained", "saved")
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
        return f"<{self.name()}>"

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        """Run `forward` on the arrays inside `args` and record the op if any input needs grad."""
        ctx = _new(cls)
        ctx.saved = ()
        inputs = [a.data if isinstance(a, Tensor) else a for a in args]
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = True in needs and is_grad_enabled()
        ctx.needs_input_grad = needs if record else (False,) * len(args)
        out = cls.forward(ctx, *inputs, **kwargs)
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # NumPy reductions and 0-d math return scalars
        result = _wrap(out)
        if out.base is not None or any(out is x for x in inputs):
            _mark_view(result, args)
        if record and out.dtype.kind == "f":
            ctx.edges = tuple(
                (a.grad_fn or a, a.data.shape, a.data.dtype) if need else None
                for a, need in zip(args, needs)
            )
            ctx.retained = None
            ctx._versions = _versions(ctx.saved, args, result) if ctx.saved else ()
            result._requires_grad = True
            result.grad_fn = ctx
        return result

    def run_backward(self, grad, retain_graph: bool) -> tuple:
        """Called by the engine: check the saved arrays, run `backward`, free what it saved."""
        if self.saved is None:
            raise RuntimeError(
                f"Trying to backward through {self.name()} a second time, but the arrays it "
                "saved were freed by the first backward. Pass retain_graph=True to the first "
                "backward() if you need to call it twice."
            )
        for counter, version, what, shape in self._versions:
            if counter[0] != version:
                raise RuntimeError(
                    f"one of the arrays needed for gradient computation has been modified by "
                    f"an in-place operation: {what} of shape {shape} saved by {self.name()} is "
                    f"at version {counter[0]}; expected version {version} instead."
                )
        grads = self.backward(self, grad)
        if not retain_graph and self.saved:
            self.saved = None
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(self.edges):
            raise RuntimeError(
                f"{self.name()}: backward returned {len(grads)} gradients, but forward took "
                f"{len(self.edges)} positional arguments (return None for those with no gradient)"
            )
        return grads


def _versions(saved, args, result):
    """Version stamps of the tensors whose arrays were saved, to catch later in-place edits."""
    stamps = []
    for what, t in [
        *(("an input", a) for a in args if isinstance(a, Tensor)),
        ("its output", result),
    ]:
        if any(s is t.data for s in saved):
            stamps.append((t._version, t._version[0], what, t.data.shape))
    return tuple(stamps)


def _mark_view(result, args):
    """An output sharing memory with an input shares its version counter, as in PyTorch."""
    owner = result.data if result.data.base is None else result.data.base
    for a in args:
        if isinstance(a, Tensor) and (a.data is owner or a.data.base is owner):
            result._version = a._version
            result._is_view = True
            return


def retain(node, tensor) -> None:
    """Make the engine hand `node`'s incoming gradient to `tensor.grad` (weakly held)."""
    node.retained = weakref.ref(tensor)
