"""Shape and indexing ops (minigrad/ops/shape.py) against PyTorch: one table row per op."""

import math

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import Case, Op, arrays, build, dims, run_table_row

from minigrad.testing import tensors

pytestmark = pytest.mark.filterwarnings("error")  # minigrad warns where torch is silent: a bug


def _options(**strategies):
    return st.fixed_dictionaries(strategies)


@st.composite
def new_shape(draw, shape):
    """A shape with as many elements: the dims reordered, 1s inserted, maybe one -1."""
    dims_ = list(draw(st.permutations(shape)))
    for _ in range(draw(st.integers(0, 2))):
        dims_.insert(draw(st.integers(0, len(dims_))), 1)
    if dims_ and math.prod(shape) and draw(st.booleans()):
        dims_[draw(st.integers(0, len(dims_) - 1))] = -1
    return tuple(dims_)


def squeeze_dims(ndim):
    some = (
        st.lists(dims(ndim), max_size=2)
        .map(tuple)
        .filter(lambda ds: len({d % max(ndim, 1) for d in ds}) == len(ds))
    )
    return st.one_of(st.none(), dims(ndim), some)


@st.composite
def flatten_dims(draw, ndim):
    size = max(ndim, 1)
    start, end = sorted(draw(st.lists(st.integers(0, size - 1), min_size=2, max_size=2)))
    return {
        "start_dim": draw(st.sampled_from([start, start - size])),
        "end_dim": draw(st.sampled_from([end, end - size])),
    }


# ----- indexing ----------------------------------------------------------------------------


def _positive_steps(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(i, slice) or i.step is None or i.step > 0 for i in items)


def basic_index(x, negative_steps: bool):
    """Ints, slices, `...` and None; with `negative_steps` at least one slice runs backwards."""
    shape = x.shape
    if not shape:
        return st.sampled_from([(), Ellipsis, None, (None, Ellipsis)])
    indices = hnp.basic_indices(shape, allow_newaxis=True)
    return indices.filter(lambda i: _positive_steps(i) != negative_steps)


def _as_index(lib, value, form):
    """An index array passed as a Tensor, a NumPy array or a (nested) list."""
    if form == "tensor":
        return lib.tensor(value)
    return value if form == "numpy" else value.tolist()


@st.composite
def int_array_index(draw, x, count):
    """`count` integer arrays (repeats, negatives) on consecutive or separated dims."""
    dims_ = sorted(
        draw(st.lists(st.integers(0, x.ndim - 1), min_size=count, max_size=count, unique=True))
    )
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=3))
    if not all(x.shape[d] for d in dims_):
        shape = (0,)  # no integer indexes an empty dim
    index = [slice(None)] * (dims_[-1] + 1)
    for d in dims_:
        n = x.shape[d]
        values = st.integers(-n, n - 1) if n else st.nothing()
        index[d] = draw(hnp.arrays(np.int64, shape, elements=values))
    return {"index": tuple(index), "form": draw(st.sampled_from(["tensor", "numpy", "list"]))}


@st.composite
def mask_index(draw, x):
    """A bool mask over k consecutive dims, after `lead` full slices."""
    lead = draw(st.integers(0, x.ndim - 1))
    k = draw(st.integers(1, x.ndim - lead))
    mask = draw(hnp.arrays(np.bool_, x.shape[lead : lead + k]))
    index = (slice(None),) * lead + (mask,)
    return {"index": index, "form": draw(st.sampled_from(["tensor", "numpy"]))}


def getitem_advanced(m, x, index, form):
    return x[tuple(_as_index(m, i, form) if isinstance(i, np.ndarray) else i for i in index)]


def getitem_reference(m, x, index):
    """torch refuses negative steps, so gather the flat positions NumPy's slicing picks."""
    positions = np.arange(x.numel()).reshape(tuple(x.shape))[index]
    return x.reshape(-1)[torch.from_numpy(positions.copy())]


@st.composite
def setitem_case(draw):
    """x, an index (basic, unique ints or a mask) and a value broadcastable to x[index]."""
    (x,) = draw(arrays(min_dims=1))
    kind = draw(st.sampled_from(["basic", "ints", "mask"]))
    if kind == "basic":
        index = draw(basic_index(x, negative_steps=False))
    elif kind == "ints":
        d = draw(st.integers(0, x.ndim - 1))
        picks = draw(st.permutations(range(x.shape[d])))[: draw(st.integers(0, x.shape[d]))]
        index = (slice(None),) * d + (np.array(picks, dtype=np.int64),)
    else:
        index = draw(mask_index(x))["index"]
    target = x[index].shape
    value_shape = tuple(
        draw(st.sampled_from([n, 1])) for n in target[draw(st.integers(0, len(target))) :]
    )
    seed = draw(st.integers(0, 99))
    if draw(st.booleans()):
        return Case((x,), {"index": index, "value": draw(st.sampled_from([2.5, -1, 0]))}, seed)
    return Case((x, draw(tensors(value_shape)).data), {"index": index}, seed)


def setitem(m, x, value=None, *, index):
    """`y[index] = value` on a copy, so that both x and value get gradients."""
    out = x * 1
    index = index if isinstance(index, tuple) else (index,)
    out[tuple(m.tensor(i) if isinstance(i, np.ndarray) else i for i in index)] = value
    return out


# ----- joining -------------------------------------------------------------------------------


@st.composite
def cat_arrays(draw):
    ndim = draw(st.integers(1, 3))
    shape = list(draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=3)))
    dim = draw(dims(ndim))
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        shape[dim] = draw(st.integers(0, 3))
        parts.append(draw(tensors(tuple(shape))).data)
    return tuple(parts), {"dim": dim}


def _from_pair(pair_strategy):
    seeds = st.integers(0, 2**32 - 1)
    return st.tuples(pair_strategy, seeds).map(lambda p: Case(p[0][0], p[0][1], p[1]))


@st.composite
def where_case(draw):
    shapes = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0, max_side=3)
    )
    condition = draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    x, y = (draw(tensors(s)).data for s in shapes.input_shapes[1:])
    return Case((x, y), {"condition": condition}, draw(st.integers(0, 99)))


ROWS = [
    Op(
        "reshape",
        lambda m, x, shape: x.reshape(shape),
        build(arrays(), lambda x: _options(shape=new_shape(x.shape))),
    ),
    Op(
        "reshape_varargs",
        lambda m, x, shape: m.reshape(x, shape) if len(shape) != 1 else x.reshape(*shape),
        build(arrays(), lambda x: _options(shape=new_shape(x.shape))),
    ),
    Op(
        "view",
        lambda m, x, shape: x.view(*shape) if shape else x.view(shape),
        build(arrays(), lambda x: _options(shape=new_shape(x.shape))),
    ),
    Op(
        "transpose",
        lambda m, x, d0, d1: x.transpose(d0, d1),
        build(arrays(), lambda x: _options(d0=dims(x.ndim), d1=dims(x.ndim))),
    ),
    Op(
        "permute",
        lambda m, x, order: x.permute(*order) if order else x.permute(order),
        build(
            arrays(),
            lambda x: _options(
                order=st.permutations(range(x.ndim)).flatmap(
                    lambda p: st.tuples(*(st.sampled_from([d, d - x.ndim]) for d in p))
                )
            ),
        ),
    ),
    Op(
        "unsqueeze",
        lambda m, x, dim: m.unsqueeze(x, dim),
        build(arrays(), lambda x: _options(dim=st.integers(-x.ndim - 1, x.ndim))),
    ),
    Op(
        "squeeze",
        lambda m, x, dim: x.squeeze() if dim is None else x.squeeze(dim),
        build(arrays(), lambda x: _options(dim=squeeze_dims(x.ndim))),
    ),
    Op(
        "flatten",
        lambda m, x, **kw: x.flatten(**kw),
        build(arrays(), lambda x: flatten_dims(x.ndim)),
    ),
    # torch deprecates .T on other than 2-D; test_tensor checks that minigrad reverses all dims.
    Op("T", lambda m, x: x.T, build(arrays(min_dims=2, max_dims=2))),
    Op(
        "getitem_basic",
        lambda m, x, index: x[index],
        build(arrays(), lambda x: _options(index=basic_index(x, negative_steps=False))),
    ),
    Op(
        "getitem_negative_step",
        lambda m, x, index: x[index],
        build(arrays(min_dims=1), lambda x: _options(index=basic_index(x, negative_steps=True))),
        torch_fn=getitem_reference,
        examples=(Case((np.arange(5.0),), {"index": slice(None, None, -1)}),),
    ),
    Op(
        "getitem_int_array",
        getitem_advanced,
        build(arrays(min_dims=1), lambda x: int_array_index(x, 1)),
        # Repeated indices add their gradients up.
        examples=(Case((np.arange(4.0),), {"index": (np.array([1, 1, -3, 0]),), "form": "list"}),),
    ),
    Op(
        "getitem_two_int_arrays",
        getitem_advanced,
        build(arrays(min_dims=2), lambda x: int_array_index(x, 2)),
        # Found: an empty list index was read as float64.
        examples=(
            Case(
                (np.zeros((0, 0)),), {"index": (np.zeros(0, int), np.zeros(0, int)), "form": "list"}
            ),
        ),
    ),
    Op("getitem_bool_mask", getitem_advanced, build(arrays(min_dims=1), mask_index)),
    Op("setitem", setitem, setitem_case()),
    Op("cat", lambda m, *xs, dim: m.cat(xs, dim), _from_pair(cat_arrays())),
    Op(
        "stack",
        lambda m, *xs, dim: m.stack(list(xs), dim=dim),
        build(
            arrays()
            .flatmap(lambda a: st.lists(tensors(a[0].shape), min_size=1, max_size=3))
            .map(lambda ts: tuple(t.data for t in ts)),
            lambda *xs: _options(dim=st.integers(-xs[0].ndim - 1, xs[0].ndim)),
        ),
    ),
    Op("where", lambda m, x, y, condition: m.where(m.tensor(condition), x, y), where_case()),
    Op(
        "where_scalar",
        lambda m, x, condition: m.where(m.tensor(condition), x, 0.5),
        build(arrays(), lambda x: _options(condition=hnp.arrays(np.bool_, x.shape))),
    ),
]


@pytest.mark.parametrize("op", ROWS, ids=str)
def test_op(op):
    assert run_table_row(op) >= len(op.examples) + 1  # the row's checks really ran
