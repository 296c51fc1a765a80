"""Derivatives live next to the code: every op's docstring states its forward and derivative.

The convention checked here (STYLE.md, "Naming, docstrings, comments"):

- An op class (a `Function` subclass in `minigrad.ops`) has a docstring whose first
  line states the forward formula as `out = ...` and, after a `;`, the derivative of
  the output with respect to an input as `d/d<input> = ...`, e.g.
  `out = exp(x);  d/dx = out, so the output is saved, not the input.`
- A public op function (each function `minigrad` re-exports from `minigrad.functions`,
  such as `minigrad.exp`, and each public function of `minigrad.nn.functional`) has a
  docstring that mentions its derivative: it contains `d/d`, `derivative` or `gradient`
  (the last also covers "not differentiable; no gradient" for `argmax` and `one_hot`).
"""

import inspect
import re

import pytest

import minigrad
import minigrad.functions
import minigrad.nn.functional
import minigrad.ops
from minigrad.autograd import Function

OP_LINE = re.compile(r"\bout = .+;\s+d/d\w+ = ")
MENTIONS_DERIVATIVE = re.compile(r"d/d|derivative|gradient", re.IGNORECASE)


def _all_subclasses(cls) -> list:
    found, stack = [], [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                stack.append(sub)
    return found


def _exported_ops() -> list:
    names = minigrad.ops.__all__
    return [
        getattr(minigrad.ops, n)
        for n in names
        if inspect.isclass(getattr(minigrad.ops, n))
        and issubclass(getattr(minigrad.ops, n), Function)
    ]


def _public_functions(module, owner) -> list:
    """`(qualified name, function)` for the public functions that `module` defines."""
    return [
        (f"{owner}.{name}", fn)
        for name, fn in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(fn)
        and fn.__module__ == module.__name__
        and (owner != "minigrad" or getattr(minigrad, name, None) is fn)
    ]


OPS = _exported_ops()
FUNCTIONS = _public_functions(minigrad.functions, "minigrad") + _public_functions(
    minigrad.nn.functional, "minigrad.nn.functional"
)


def test_the_walks_find_the_ops_and_functions():
    names = {op.__name__ for op in OPS}
    assert {"Add", "Mul", "Exp", "MatMul", "Linear", "LogSoftmax", "Sum"} <= names
    qualified = {name for name, _ in FUNCTIONS}
    assert {"minigrad.exp", "minigrad.sigmoid", "minigrad.cat", "minigrad.where"} <= qualified
    assert {"minigrad.nn.functional.relu", "minigrad.nn.functional.cross_entropy"} <= qualified


def test_every_built_in_op_is_exported_from_minigrad_ops():
    # An op defined in minigrad but missing from `ops.__all__` would escape the checks below,
    # and STYLE.md puts every primitive in the ops (never in nn).
    built_in = [c for c in _all_subclasses(Function) if c.__module__.startswith("minigrad.")]
    missing = [f"{c.__module__}.{c.__qualname__}" for c in built_in if c not in OPS]
    assert not missing, f"Function subclasses not exported from minigrad.ops: {missing}"


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
def test_op_docstring_states_forward_and_derivative(op):
    doc = op.__doc__  # a class's own docstring; None if only its base has one
    assert doc, f"{op.__name__} has no docstring"
    first = doc.splitlines()[0]
    assert OP_LINE.search(first), (
        f"{op.__name__}: the docstring's first line should read 'out = <forward>;  "
        f"d/d<input> = <derivative>', got {first!r}"
    )


@pytest.mark.parametrize("name,fn", FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_public_function_docstring_states_derivative(name, fn):
    doc = inspect.getdoc(fn)
    assert doc, f"{name} has no docstring"
    assert MENTIONS_DERIVATIVE.search(doc), (
        f"{name}: the docstring should state the derivative ('d/dx = ...', 'derivative' or "
        f"'gradient'), got {doc!r}"
    )


def test_the_checks_reject_what_they_should():
    assert OP_LINE.search("out = exp(x);  d/dx = out")
    assert not OP_LINE.search("Exponential of x.")
    assert not OP_LINE.search("out = exp(x).")
    assert MENTIONS_DERIVATIVE.search("Sigmoid; d/dx = s * (1 - s).")
    assert not MENTIONS_DERIVATIVE.search("Elementwise sigmoid.")
