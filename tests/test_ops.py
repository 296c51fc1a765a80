"""Every op against PyTorch and finite differences: one table row per op (see opcheck.py).

Rows for minigrad/ops/{arith,unary,reduce,linalg}.py and conversions; the shape and
indexing ops are in test_ops_shape.py, in-place ops in test_inplace.py. Each row is one
hypothesis property run by `test_op`; its `examples` (hypothesis finds, kinks, ties) are
that property's `@example`s.
"""

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import Case, Op, arrays, build, dims, run_table_row

from minigrad.testing import tensors

pytestmark = pytest.mark.filterwarnings("error")  # minigrad warns where torch is silent: a bug

NONZERO = st.one_of(st.floats(0.5, 10), st.floats(-10, -0.5))
BOUNDS = (-1.5, 0.5, 2.0)  # clamp bounds; inputs keep 0.01 away from each


def each(shapes, *options) -> st.SearchStrategy:
    """Arrays of the drawn broadcastable shapes, each with its own element options."""
    return shapes.flatmap(
        lambda s: st.tuples(
            *(
                tensors(shape, **opt).map(lambda t: t.data)
                for shape, opt in zip(s.input_shapes, options)
            )
        )
    )


def two_shapes():
    """Two broadcastable shapes, empty and size-1 dims included."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=0, max_side=4)


def reduce_dims(ndim: int) -> st.SearchStrategy:
    """None, one dim, or a tuple of distinct dims (negative ones too), as reductions take."""
    several = st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=ndim).flatmap(
        lambda ds: st.tuples(*(st.sampled_from([d, d - ndim]) for d in ds))
    )
    return st.one_of(st.none(), dims(ndim), several)


def reduce_options(x):
    return st.fixed_dictionaries({"dim": reduce_dims(x.ndim), "keepdim": st.booleans()})


def nonempty_dim(x):
    """A dim along which x is not empty (any dim of a 0-d tensor)."""
    valid = [d for d in range(-max(x.ndim, 1), max(x.ndim, 1)) if x.ndim == 0 or x.shape[d]]
    return st.fixed_dictionaries({"dim": st.sampled_from(valid), "keepdim": st.booleans()})


def has_nonempty_dim(arrays_):
    (x,) = arrays_
    return x.ndim == 0 or any(x.shape)


@st.composite
def matmul_arrays(draw, x_ndim, y_ndim):
    """x @ y operands: x (*b1, n, k) or (k,), y (*b2, k, m) or (k,), b1 and b2 broadcastable."""
    n, k, m = draw(st.integers(0, 3)), draw(st.integers(0, 3)), draw(st.integers(0, 3))
    batch = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, min_side=0, max_side=3)
    )
    x_shape = (k,) if x_ndim == 1 else (batch.input_shapes[0] if x_ndim > 2 else ()) + (n, k)
    y_shape = (k,) if y_ndim == 1 else (batch.input_shapes[1] if y_ndim > 2 else ()) + (k, m)
    return tuple(draw(tensors(s)).data for s in (x_shape, y_shape))


def matmul_row(name, x_ndim, y_ndim, examples=()):
    return Op(name, lambda m, x, y: x @ y, build(matmul_arrays(x_ndim, y_ndim)), examples=examples)


def conversion(name, fn, options=None, **kwargs):
    return Op(name, fn, build(arrays(), options), **kwargs)


def apart(arrays_):
    """x and y never within 0.01 of each other (off the ties of maximum and minimum)."""
    x, y = arrays_
    return bool(np.all(np.abs(x - y) > 1e-2))


def _tie(values):
    return Case((np.array(values, dtype=np.float64),), {}, kink=True)


_BATCHED = np.full((3, 1, 3, 3), -10.0)
_BATCHED[0, 0, :, 0] = [0.0, -5.75, 3.75]

ROWS = [
    # ----- arith ---------------------------------------------------------------------
    Op("add", lambda m, x, y: x + y, build(arrays(2))),
    Op("add_scalar", lambda m, x: 2.5 + x + 1, build(arrays())),
    Op("sub", lambda m, x, y: x - y, build(arrays(2))),
    Op("rsub_scalar", lambda m, x: 2.5 - x, build(arrays())),
    Op("mul", lambda m, x, y: x * y, build(arrays(2))),
    Op("mul_numpy_float64_scalar", lambda m, x: x * np.float64(2.5), build(arrays())),
    Op("rmul_numpy_float64_scalar", lambda m, x: np.float64(2.5) * x, build(arrays())),
    Op("div", lambda m, x, y: x / y, build(each(two_shapes(), {}, {"elements": NONZERO}))),
    Op("rdiv_scalar", lambda m, x: 2.5 / x, build(arrays(elements=NONZERO))),
    Op("neg", lambda m, x: -x, build(arrays())),
    Op(
        "pow_tensor_tensor",
        lambda m, x, y: x**y,
        build(
            each(
                two_shapes(), {"min_value": 0.5, "max_value": 4}, {"min_value": -3, "max_value": 3}
            )
        ),
    ),
    Op(
        "pow_scalar_exponent",
        lambda m, x, p: x**p,
        build(
            arrays(min_value=0.1, max_value=4),
            lambda x: st.fixed_dictionaries({"p": st.sampled_from([2, 3, 0.5, -1.5, 0, 1, 2.5])}),
        ),
    ),
    Op(
        "pow_integer_exponent_negative_base",
        lambda m, x, p: x.pow(p),
        build(
            arrays(avoid=(0,)),
            lambda x: st.fixed_dictionaries({"p": st.sampled_from([2, 3, -1, 0])}),
        ),
    ),
    Op(
        "pow_scalar_base",
        lambda m, x, b: b**x,
        build(
            arrays(min_value=-3, max_value=3),
            lambda x: st.fixed_dictionaries({"b": st.sampled_from([2.5, 0.5, 2])}),
        ),
    ),
    matmul_row(
        "matmul_1d_1d",
        1,
        1,
        # Found: backward of vector @ vector expanded a 0-d gradient at axis -2.
        examples=(
            Case((np.array([1.0, 2.0]), np.array([3.0, -1.0]))),
            Case((np.zeros(0), np.zeros(0))),
        ),
    ),
    matmul_row("matmul_1d_2d", 1, 2),
    matmul_row("matmul_2d_1d", 2, 1),
    matmul_row("matmul_2d_2d", 2, 2),
    matmul_row("matmul_batched", 3, 3),
    matmul_row("matmul_batched_1d", 3, 1),
    matmul_row("matmul_1d_batched", 1, 3),
    Op(
        "matmul_function",
        lambda m, x, y: m.matmul(x, y),
        build(matmul_arrays(3, 2)),
        # Found: y's float32 gradient sums over batches with cancellation (tolerance scale).
        examples=(Case((_BATCHED, np.zeros((3, 3))), seed=3),),
    ),
    # ----- unary ---------------------------------------------------------------------
    Op("exp", lambda m, x: m.exp(x), build(arrays())),
    Op("exp_method", lambda m, x: x.exp(), build(arrays())),
    Op("log", lambda m, x: m.log(x), build(arrays(positive=True))),
    Op("sqrt", lambda m, x: x.sqrt(), build(arrays(positive=True))),
    Op("abs", lambda m, x: m.abs(x), build(arrays(avoid=(0,)))),
    Op(
        "clamp",
        lambda m, x, lo, hi: m.clamp(x, lo, hi),
        build(
            arrays(min_value=-4, max_value=4, avoid=BOUNDS),
            lambda x: st.fixed_dictionaries(
                {"lo": st.sampled_from(BOUNDS), "hi": st.sampled_from(BOUNDS)}
            ),
        ),
        # A value exactly on a bound gets gradient 1, as in PyTorch.
        examples=(
            Case((np.array([-1.5, 0.5, 2.0, 3.0, -3.0]),), {"lo": -1.5, "hi": 2.0}, kink=True),
        ),
    ),
    Op(
        "clamp_min",
        lambda m, x, lo: x.clamp(min=lo),
        build(
            arrays(avoid=BOUNDS), lambda x: st.fixed_dictionaries({"lo": st.sampled_from(BOUNDS)})
        ),
        examples=(Case((np.array([0.5, 0.4, 0.6]),), {"lo": 0.5}, kink=True),),
    ),
    Op(
        "clamp_max",
        lambda m, x, hi: x.clamp(max=hi),
        build(
            arrays(avoid=BOUNDS), lambda x: st.fixed_dictionaries({"hi": st.sampled_from(BOUNDS)})
        ),
        examples=(Case((np.array([2.0, 1.9, 2.1]),), {"hi": 2.0}, kink=True),),
    ),
    Op(
        "relu",
        lambda m, x: m.relu(x),
        build(arrays(avoid=(0,))),
        # Gradient 0 at the kink; found: torch passes the gradient of a NaN through.
        examples=(Case((np.array([0.0, -0.0, 1.0, -1.0, np.nan]),), kink=True),),
    ),
    Op("sigmoid", lambda m, x: m.sigmoid(x), build(arrays(min_value=-30, max_value=30))),
    Op("tanh", lambda m, x: x.tanh(), build(arrays())),
    Op(
        "softmax",
        lambda m, x, dim: m.softmax(x, dim),
        build(arrays(), lambda x: st.fixed_dictionaries({"dim": dims(x.ndim)})),
    ),
    Op(
        "log_softmax",
        lambda m, x, dim: x.log_softmax(dim),
        build(arrays(), lambda x: st.fixed_dictionaries({"dim": dims(x.ndim)})),
        examples=(Case((np.zeros((0, 2)),), {"dim": 0}),),  # found: warned about log(0)
    ),
    # ----- reduce --------------------------------------------------------------------
    Op("sum_all", lambda m, x: m.sum(x), build(arrays())),
    Op(
        "sum",
        lambda m, x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim),
        build(arrays(), reduce_options),
        # Found: dim=() reduces over every dim in PyTorch.
        examples=(
            Case((np.zeros(0),), {"dim": (), "keepdim": False}),
            Case((np.arange(6.0).reshape(2, 3),), {"dim": (), "keepdim": True}),
        ),
    ),
    Op("mean_all", lambda m, x: x.mean(), build(arrays(empty=False))),
    Op(
        "mean",
        lambda m, x, dim, keepdim: m.mean(x, dim=dim, keepdim=keepdim),
        build(arrays(), reduce_options),
        examples=(
            Case((np.arange(6.0).reshape(2, 3),), {"dim": [], "keepdim": False}),  # found: dim=[]
            Case((np.zeros((0, 3)),), {"dim": None, "keepdim": False}),  # found: NaN warned
        ),
    ),
    Op(
        "max_all",
        lambda m, x: x.max(),
        build(arrays(empty=False, distinct=True)),
        # Ties split the gradient evenly, as PyTorch's full reductions do.
        examples=(
            _tie([1.0, 3.0, 3.0, -2.0]),
            _tie([[2.0, 2.0], [2.0, 2.0]]),
            _tie([1.0, np.nan, 3.0, np.nan]),  # found: a NaN result's gradient goes to the NaNs
        ),
    ),
    Op(
        "min_all",
        lambda m, x: m.min(x),
        build(arrays(empty=False, distinct=True)),
        examples=(_tie([1.0, -3.0, 0.5, -3.0, -3.0]), _tie([np.nan, 1.0])),
    ),
    Op(
        "max_dim",
        lambda m, x, dim, keepdim: m.max(x, dim, keepdim),
        build(arrays(distinct=True).filter(has_nonempty_dim), nonempty_dim),
    ),
    Op(
        "min_dim",
        lambda m, x, dim, keepdim: x.min(dim=dim, keepdim=keepdim),
        build(arrays(distinct=True).filter(has_nonempty_dim), nonempty_dim),
    ),
    Op(
        "maximum",
        lambda m, x, y: m.maximum(x, y),
        build(arrays(2).filter(apart)),
        # Ties split the gradient evenly; a NaN on either side passes all of it to both.
        examples=(
            Case((np.array([1.0, 2.0, np.nan, 0.5]), np.array([2.0, 2.0, 1.0, np.nan])), kink=True),
            Case((np.array([[1.0, 3.0], [3.0, 0.0]]), np.array(3.0)), kink=True),
        ),
    ),
    Op(
        "minimum",
        lambda m, x, y: x.minimum(y),
        build(arrays(2).filter(apart)),
        examples=(
            Case((np.array([1.0, 2.0, np.nan, 0.5]), np.array([2.0, 2.0, 1.0, np.nan])), kink=True),
        ),
    ),
    Op(
        "max_of_two_tensors",
        lambda m, x, y: m.max(x, y),
        build(arrays(2).filter(apart)),
        examples=(Case((np.array([-1.0, 4.0]), np.array([[-1.0], [5.0]])), kink=True),),
    ),
    Op(
        "min_of_two_tensors",
        lambda m, x, y: x.min(y),
        build(arrays(2).filter(apart)),
        examples=(Case((np.array([-1.0, 4.0]), np.array([[-1.0], [5.0]])), kink=True),),
    ),
    Op("max_other_keyword", lambda m, x, y: m.max(x, other=y), build(arrays(2).filter(apart))),
    Op("min_other_keyword", lambda m, x, y: x.min(other=y), build(arrays(2).filter(apart))),
    Op("argmax_all", lambda m, x: x.argmax(), build(arrays(empty=False, distinct=True))),
    Op(
        "argmax",
        lambda m, x, dim, keepdim: m.argmax(x, dim=dim, keepdim=keepdim),
        build(arrays(distinct=True).filter(has_nonempty_dim), nonempty_dim),
    ),
    Op(
        "argmin",
        lambda m, x, dim, keepdim: x.argmin(dim, keepdim),
        build(arrays(distinct=True).filter(has_nonempty_dim), nonempty_dim),
    ),
    # ----- conversions (torch's Cast is differentiable between floats) ---------------
    conversion("float", lambda m, x: x.float() * 1.5, gradcheck=False),
    conversion("double", lambda m, x: x.double() * 1.5),
    conversion(
        "to_dtype",
        lambda m, x, dtype: x.to(getattr(m, dtype)) * 1.5,
        lambda x: st.fixed_dictionaries({"dtype": st.sampled_from(["float32", "float64"])}),
        gradcheck=False,
    ),
    conversion("long", lambda m, x: x.long()),
    conversion("int", lambda m, x: x.int()),
    conversion("bool", lambda m, x: x.bool()),
]


@pytest.mark.parametrize("op", ROWS, ids=str)
def test_op(op):
    assert run_table_row(op) >= len(op.examples) + 1  # the row's checks really ran
