"""The machinery behind the op tables: one row per op, checked against torch and finite differences.

A row names the op once as `fn(lib, *inputs, **options)`, written against the shared
PyTorch/minigrad API so the same line runs with `lib=torch` and `lib=minigrad`, plus a
hypothesis strategy of `Case`s (float64 inputs that require grad, options, and a seed for
the upstream gradient). `check` runs a case in float64 with tight tolerances and in
float32 with realistic ones, comparing values, dtypes, `requires_grad` and the gradients
of a random upstream gradient against torch; then `gradcheck` on float64.
`run_table_row` makes a row a hypothesis property with its pinned cases as `@example`s.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import broadcastable_tensors, gradcheck, tensors

# rtol, and atol per unit of the largest expected magnitude: a sum that cancels (a matmul
# gradient summed over batches) is exact only relative to its largest terms, not to itself.
TOLERANCES = {np.float64: (1e-10, 1e-12), np.float32: (1e-5, 1e-6)}


@dataclass
class Case:
    arrays: tuple  # float64 arrays; each becomes an input that requires grad
    options: dict = field(default_factory=dict)  # passed to `fn` unchanged
    seed: int = 0  # draws the upstream gradient
    kink: bool = False  # on a kink or tie: torch decides the gradient, finite differences can't


@dataclass
class Op:
    name: str
    fn: Callable  # fn(lib, *inputs, **options) for lib in (torch, minigrad)
    cases: st.SearchStrategy
    torch_fn: Callable | None = None  # only where torch spells the op differently
    examples: tuple = ()  # pinned cases (hypothesis finds, kinks, ties)
    max_examples: int = 80
    gradcheck: bool = True  # False where the op rounds to float32 (no finite differences)

    def __str__(self) -> str:
        return self.name


def build(inputs, options=None) -> st.SearchStrategy:
    """Cases from a strategy of input tuples and `options(*arrays)`, a strategy of dicts."""
    options = options or (lambda *arrays: st.just({}))
    seeds = st.integers(0, 2**32 - 1)
    return inputs.flatmap(lambda arrays: st.builds(Case, st.just(arrays), options(*arrays), seeds))


def arrays(n: int = 1, *, empty: bool = True, **elements) -> st.SearchStrategy:
    """Tuples of `n` mutually broadcastable float64 arrays (sizes 0..4 when `empty`)."""
    sides = {"min_side": 0 if empty else 1, "max_side": 4}
    if n == 1:
        return tensors(**sides, **elements).map(lambda t: (t.data,))
    return broadcastable_tensors(n, **sides, **elements).map(lambda ts: tuple(t.data for t in ts))


def dims(ndim: int) -> st.SearchStrategy:
    """A valid dim, negative ones included; a 0-d tensor takes -1 and 0 as PyTorch allows."""
    size = max(ndim, 1)
    return st.integers(-size, size - 1)


def _inputs(lib, arrays_, dtype):
    return [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays_]


def _outputs(out) -> tuple:
    return tuple(out) if isinstance(out, tuple) else (out,)


def _np_dtype(t: torch.Tensor) -> np.dtype:
    return t.detach().numpy().dtype


def _compare(actual, expected, dtype, what: str) -> None:
    if expected.dtype.kind == "f":
        rtol, atol = TOLERANCES[dtype]
        finite = np.abs(expected[np.isfinite(expected)])
        atol *= max(1.0, float(finite.max(initial=0.0)))
        np.testing.assert_allclose(
            actual, expected, rtol, atol, equal_nan=True, err_msg=what, strict=True
        )
    else:
        np.testing.assert_array_equal(actual, expected, strict=True, err_msg=what)


def run(op: Op, case: Case, dtype) -> None:
    """Compare minigrad with torch on one case in one floating dtype."""
    mine, theirs = _inputs(mg, case.arrays, dtype), _inputs(torch, case.arrays, dtype)
    mine_out = _outputs(op.fn(mg, *mine, **case.options))
    theirs_out = _outputs((op.torch_fn or op.fn)(torch, *theirs, **case.options))
    assert len(mine_out) == len(theirs_out)
    rng = np.random.default_rng(case.seed)
    seeds = []
    for k, (m, t) in enumerate(zip(mine_out, theirs_out)):
        assert isinstance(m, mg.Tensor), f"output {k} is a {type(m).__name__}"
        _compare(m.numpy(), t.detach().numpy(), dtype, f"{op.name} output {k} ({dtype.__name__})")
        assert m.requires_grad == t.requires_grad, f"{op.name} output {k} requires_grad"
        if t.requires_grad:
            seeds.append((m, t, rng.standard_normal(t.shape).astype(_np_dtype(t))))
    if not seeds:
        return
    assert len(seeds) == 1, "a row has at most one differentiable output"
    ((m, t, upstream),) = seeds
    m.backward(mg.tensor(upstream))
    t.backward(torch.from_numpy(upstream))
    for i, (x, y) in enumerate(zip(mine, theirs)):
        assert (x.grad is None) == (y.grad is None), f"{op.name}: grad of input {i}"
        if y.grad is not None:
            what = f"{op.name} grad of input {i} ({dtype.__name__})"
            _compare(x.grad.numpy(), y.grad.numpy(), dtype, what)


def check(op: Op, case: Case) -> None:
    """The whole check of one case: torch in float64 and float32, then finite differences."""
    run(op, case, np.float64)
    run(op, case, np.float32)
    inputs = tuple(mg.tensor(a, requires_grad=True) for a in case.arrays)
    if (
        op.gradcheck
        and not case.kink
        and _outputs(op.fn(mg, *inputs, **case.options))[0].requires_grad
    ):
        assert gradcheck(lambda *xs: _outputs(op.fn(mg, *xs, **case.options))[0], inputs)


def run_table_row(op: Op) -> int:
    """Run `check` as a hypothesis property over the row's cases, its pinned examples first;
    return how many cases it checked (each one asserts values, dtypes and gradients)."""
    checked = []

    def checks(case):
        check(op, case)
        checked.append(case)

    prop = given(case=op.cases)(checks)
    for case in op.examples:
        prop = example(case=case)(prop)
    settings(max_examples=op.max_examples)(prop)()
    return len(checked)
