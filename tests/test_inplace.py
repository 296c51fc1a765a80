"""In-place ops and views (minigrad/tensor.py `_inplace`, function.py version stamps) vs PyTorch.

Values and gradients of in-place ops as table rows; the leaf rule; the version counter
(a tensor saved for backward and then changed in place makes that backward raise); and
views sharing memory with their base.
"""

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from opcheck import Op, arrays, build, run_table_row

import minigrad as mg
from minigrad.testing import tensors

pytestmark = pytest.mark.filterwarnings("error")
INPLACE_ERROR = "modified by an in-?place operation"  # minigrad's wording and torch's


@st.composite
def target_and_operand(draw, **elements):
    """x, and w whose shape broadcasts to x's (so `x op= w` keeps x's shape)."""
    (x,) = draw(arrays(**elements))
    cut = draw(st.integers(0, x.ndim))
    shape = tuple(draw(st.sampled_from([n, 1])) for n in x.shape[cut:])
    return (x, draw(tensors(shape, **elements)).data)


def _constant(m, array):
    return m.tensor(array)  # a tensor that does not require grad


def _inplace_row(name, fn, inputs=None, options=None):
    return Op(name, fn, build(inputs or target_and_operand(), options))


def _nonzero(x, w):
    return st.fixed_dictionaries({"c": tensors(w.shape, positive=True).map(lambda t: t.data)})


def iadd(m, x, w):
    y = x * 1  # a non-leaf, so in-place ops are recorded
    y += w
    return y


def isub(m, x, w):
    y = x * 1
    y -= w
    return y


def imul_constant(m, x, w, c):
    y = x + w
    y *= _constant(m, c)
    return y


def idiv_constant(m, x, w, c):
    y = x - w
    y /= _constant(m, c)
    return y


def method_chain(m, x, w):
    y = x * 1
    return y.add_(w).mul_(2.5).sub_(1).div_(4.0).add_(w * w)


def zero_then_add(m, x, w):
    y = x * 2
    y.zero_()
    return y + w


def fill_then_mul(m, x, w):
    y = x * 2
    y.fill_(1.5)
    return y * w


def copy_from(m, x, w):
    y = x * 2
    return y.copy_(w * 3)


def iadd_on_a_plain_tensor(m, x, w):
    y = m.zeros(x.shape, dtype=x.dtype)  # no grad yet: becomes part of the graph
    y += x * w
    return y


ROWS = [
    _inplace_row("iadd", iadd),
    _inplace_row("isub", isub),
    _inplace_row("imul_constant", imul_constant, options=_nonzero),
    _inplace_row("idiv_constant", idiv_constant, options=_nonzero),
    _inplace_row("method_chain", method_chain),
    _inplace_row("zero_", zero_then_add),
    _inplace_row("fill_", fill_then_mul),
    _inplace_row("copy_", copy_from),
    _inplace_row("iadd_on_a_plain_tensor", iadd_on_a_plain_tensor),
]


@pytest.mark.parametrize("op", ROWS, ids=str)
def test_inplace_op(op):
    run_table_row(op)


# ----- the leaf rule --------------------------------------------------------------------------

LEAF_CHANGES = {
    "iadd": lambda x: x.__iadd__(1.0),
    "isub": lambda x: x.__isub__(1.0),
    "imul": lambda x: x.__imul__(2.0),
    "idiv": lambda x: x.__itruediv__(2.0),
    "add_": lambda x: x.add_(1.0),
    "sub_": lambda x: x.sub_(1.0),
    "mul_": lambda x: x.mul_(2.0),
    "div_": lambda x: x.div_(2.0),
    "zero_": lambda x: x.zero_(),
    "fill_": lambda x: x.fill_(3.0),
    "copy_": lambda x: x.copy_(x.detach() * 5),
    "setitem": lambda x: x.__setitem__(0, 7.0),
}


@pytest.mark.parametrize("change", LEAF_CHANGES)
def test_inplace_on_a_leaf_that_requires_grad_raises(change):
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            LEAF_CHANGES[change](x)
        assert x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("change", LEAF_CHANGES)
def test_inplace_on_a_leaf_under_no_grad_changes_it_and_keeps_it_a_leaf(change):
    results = []
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            LEAF_CHANGES[change](x)
        assert x.is_leaf and x.requires_grad and x.grad_fn is None
        (x * x).sum().backward()
        results.append((x.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


# ----- the version counter --------------------------------------------------------------------

# Each changes the tensor `c` that `w * c` saved for w's gradient, in place.
SAVED_CHANGES = {
    "add_": lambda lib, c: c.add_(1.0),
    "iadd": lambda lib, c: c.__iadd__(1.0),
    "setitem": lambda lib, c: c.__setitem__((0, 0), 5.0),
    "through_view": lambda lib, c: c.view(-1).mul_(2.0),
    "through_reshape": lambda lib, c: c.reshape(6).zero_(),
    "through_slice": lambda lib, c: c[0:1].fill_(1.0),
    "through_transpose": lambda lib, c: c.T.sub_(1.0),
    "through_row": lambda lib, c: c[1].copy_(lib.ones(3)),
    "through_detach": lambda lib, c: c.detach().div_(3.0),
    "through_unsqueeze": lambda lib, c: c.unsqueeze(0).add_(2.0),
}


@pytest.mark.parametrize("change", SAVED_CHANGES)
def test_changing_a_saved_tensor_makes_backward_raise(change):
    for lib in (mg, torch):
        w = lib.ones(2, 3, requires_grad=True)
        c = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        z = w * c
        SAVED_CHANGES[change](lib, c)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            z.sum().backward()


def test_changing_a_saved_output_makes_backward_raise():
    for lib in (mg, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w.exp()  # exp saves its output
        y.add_(1.0)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            y.sum().backward()


@pytest.mark.parametrize("op", ["exp", "sigmoid", "tanh", "relu", "sqrt"])
def test_changing_a_saved_0d_output_makes_backward_raise(op):
    """Found by fuzzing: for 0-d math NumPy returns a scalar, which the op saved and `apply`
    then wrapped in a new array, so the output went unstamped."""
    for lib in (mg, torch):
        y = getattr(lib.tensor(1.0, requires_grad=True), op)()
        with lib.no_grad():
            y.mul_(2.0)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            y.backward()


def test_changing_a_saved_leaf_under_no_grad_makes_backward_raise():
    for lib in (mg, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w.log()  # log saves its input
        with lib.no_grad():
            w.mul_(2.0)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            y.sum().backward()


def test_the_error_names_the_op_and_the_versions():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    z = w * c
    c.add_(1.0)
    with pytest.raises(RuntimeError, match=r"MulBackward0.*version 1; expected version 0"):
        z.sum().backward()


# What saved nothing, or saved something else, can be changed in place.
HARMLESS = {
    "add": lambda lib, w, c: w + c,
    "sub": lambda lib, w, c: c - w,
    "mul_by_python_scalar": lambda lib, w, c: (w * 3.0) + c,
    "sum": lambda lib, w, c: w.sum() + c,
    "slice": lambda lib, w, c: w[0:1] + c,
    "reshape": lambda lib, w, c: w.reshape(2, 1) + c,
}


@pytest.mark.parametrize("op", HARMLESS)
def test_ops_that_saved_nothing_are_unaffected(op):
    results = []
    for lib in (mg, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        c = lib.tensor([10.0, 20.0])
        z = HARMLESS[op](lib, w, c)
        c.add_(1.0)
        z.sum().backward()
        results.append(w.grad.tolist())
    assert results[0] == results[1]


def test_documented_difference_mul_inplace_by_a_tensor_that_requires_grad():
    # PyTorch keeps a copy of a's old values for `a *= b`; minigrad saved a itself, so the
    # backward that needs them raises a clear error instead of using the new values.
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    a = w * 1
    a *= b
    with pytest.raises(RuntimeError, match=INPLACE_ERROR):
        a.sum().backward()


def test_documented_difference_recording_inplace_on_a_view_raises():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="shares its memory"):
        y[0:2] += mg.tensor([1.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shares its memory"):
        y.view(3).mul_(2.0)


# ----- dtype and shape rules ------------------------------------------------------------------


def _f64(lib, values):
    return lib.tensor(values, dtype=lib.float64)


DTYPE_CASES = {
    "int_plus_float_scalar": ("int64", lambda lib, x: x.add_(1.5)),
    "int_plus_float_tensor": ("int64", lambda lib, x: x.add_(lib.tensor([1.5, 2.5]))),
    "int_true_divide": ("int64", lambda lib, x: x.div_(2)),
    "int_times_int": ("int64", lambda lib, x: x.mul_(3)),
    "bool_plus_int": ("bool", lambda lib, x: x.add_(1)),
    "float32_plus_float64": ("float32", lambda lib, x: x.add_(_f64(lib, [0.1]))),
    "float32_times_float64_scalar": ("float32", lambda lib, x: x.mul_(np.float64(0.1))),
    "int32_plus_int64": ("int32", lambda lib, x: x.add_(lib.tensor([1, 2]))),
    "broadcast_into_bigger": ("float32", lambda lib, x: x.add_(lib.ones(3, 2))),
    "broadcast_smaller": ("float32", lambda lib, x: x.add_(lib.tensor(2.0))),
    "fill_float_into_int": ("int64", lambda lib, x: x.fill_(2.7)),
    "copy_float64_into_float32": ("float32", lambda lib, x: x.copy_(_f64(lib, 1 / 3))),
    "copy_broadcast": ("float32", lambda lib, x: x.copy_(lib.tensor(5.0))),
}  # fmt: skip


@pytest.mark.parametrize("case", DTYPE_CASES)
def test_inplace_dtype_and_shape_rules_match_torch(case):
    dtype, change = DTYPE_CASES[case]
    outcomes = []
    for lib in (mg, torch):
        x = lib.tensor([1, 0], dtype=getattr(lib, dtype))
        try:
            out = change(lib, x)
        except RuntimeError:
            outcomes.append(("raises", x.tolist()))
            continue
        assert out is x
        outcomes.append((str(x.dtype).split(".")[-1], x.tolist()))
    assert outcomes[0] == outcomes[1]


# ----- views share memory ---------------------------------------------------------------------

VIEWS = {
    "view": (lambda b: b.view(3, 2), True),
    "reshape": (lambda b: b.reshape(-1), True),
    "flatten": (lambda b: b.flatten(), True),
    "row": (lambda b: b[0], True),
    "column": (lambda b: b[:, 1], True),
    "strided": (lambda b: b[:, ::2], True),
    "ellipsis": (lambda b: b[...], True),
    "transpose": (lambda b: b.transpose(0, 1), True),
    "T": (lambda b: b.T, True),
    "permute": (lambda b: b.permute(1, 0), True),
    "unsqueeze": (lambda b: b.unsqueeze(1), True),
    "squeeze": (lambda b: b.unsqueeze(0).squeeze(0), True),
    "detach": (lambda b: b.detach(), True),
    "int_array_index": (lambda b: b[[0, 1]], False),
    "mask": (lambda b: b[b > 2], False),
    "clone": (lambda b: b.clone(), False),
    "reshape_of_transpose": (lambda b: b.T.reshape(-1), False),
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_with_their_base_as_in_torch(name):
    make, shares = VIEWS[name]
    seen = []
    for lib in (mg, torch):
        base = lib.arange(6.0).reshape(2, 3)
        view = make(base)
        base.add_(10.0)
        after_base_change = view.tolist()
        view.mul_(-1.0)
        seen.append((after_base_change, base.tolist()))
    assert seen[0] == seen[1]
    assert (seen[0][0] != make(mg.arange(6.0).reshape(2, 3)).tolist()) == shares


def test_view_of_a_non_contiguous_tensor_raises_as_in_torch():
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match="view"):
            lib.zeros(2, 3).T.view(-1)


def test_an_index_changed_after_indexing_cannot_change_the_gradient():
    """Found in audit: x[i] saved i's own array, so i[0] = 2 after the forward moved the
    gradient ([2, 0, 1] instead of [3, 0, 0]), and a changed mask made NumPy raise. minigrad
    copies an index tensor when it indexes (PyTorch raises at backward instead: README)."""
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    i, mask = mg.tensor([0, 0]), mg.tensor([True, False, True])
    y = (x[i] * mg.tensor([1.0, 2.0])).sum() + x[mask].sum()
    i[0] = 2
    mask.fill_(True)
    y.backward()
    assert x.grad.tolist() == [4.0, 0.0, 1.0]


def test_a_changed_view_of_an_input_that_an_op_saved_makes_backward_raise():
    """Found in audit: cross-entropy saved its (1, 3) probability target as a (3, 1) view,
    which the stamps did not recognise: t.mul_(2) after the forward changed the gradient."""
    for lib in (mg, torch):
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        target = lib.tensor([[0.2, 0.3, 0.5]])
        loss = lib.nn.functional.cross_entropy(x, target)
        target.mul_(2)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            loss.backward()


def test_a_saved_output_that_views_an_input_changed_before_the_forward_is_fine():
    """Found in review: an op that saves its output, a view of its input, was stamped with
    version 0 although it shares the input's counter, so an edit made before the forward
    made backward raise. An edit after the forward must still raise."""

    class Flatten(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.reshape(-1)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved
            return (grad * out).reshape(2, 2)

    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    base = x * 1.0
    base.add_(1.0)
    Flatten.apply(base).sum().backward()
    assert x.grad.tolist() == [[2.0, 3.0], [4.0, 5.0]]
    y = Flatten.apply(x * 1.0)
    with mg.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match=INPLACE_ERROR):
        y.sum().backward()


@pytest.mark.parametrize("index", [1, (0, 1)])
def test_an_element_picked_by_integers_is_a_view_as_in_torch(index):
    """Found in audit: NumPy copies out a single element, so x[0, 1].add_(5) changed
    nothing; in PyTorch (and now minigrad) it is a view that writes through."""
    results = []
    for lib in (mg, torch):
        x = lib.zeros(2, 2) if isinstance(index, tuple) else lib.zeros(3)
        element = x[index]
        element.add_(5)
        x[index].mul_(2)
        results.append((x.tolist(), element.item()))
    assert results[0] == results[1]
