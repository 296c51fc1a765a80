"""minigrad.nn.functional against torch.nn.functional: values, gradients, dtypes, warnings.

Hypothesis draws shapes, values and option combinations; each case runs through both
libraries in float64 with tight tolerances (and in float32 with realistic ones),
comparing the loss, its dtype, and the gradient of every input that requires grad for a
random upstream gradient. minigrad must also stay silent: NumPy warnings are errors.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812 - PyTorch's convention
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention

TOLERANCES = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
# Weights are normal float32 numbers (or 0): a mean divided by a subnormal weight overflows
# to inf, as in torch, and NumPy would rightly warn about that overflow.
WEIGHTS = st.floats(0, 3, width=32, allow_subnormal=False)
SEEDS = st.integers(0, 2**32 - 1)


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def check_against_torch(name, inputs, options, seed, dtype=np.float64):
    """Run `F.<name>(**inputs, **options)` in minigrad and torch and compare everything.

    `inputs` maps argument names to `(array, requires_grad)`; float arrays become `dtype`.
    """

    def cast(a):
        return a.astype(dtype) if a.dtype.kind == "f" else a

    ours = {k: minigrad.tensor(cast(a), requires_grad=r) for k, (a, r) in inputs.items()}
    theirs = {k: torch.tensor(cast(a), requires_grad=r) for k, (a, r) in inputs.items()}
    expected = getattr(TF, name)(**theirs, **options)
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    upstream = upstream.astype(expected.detach().numpy().dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, name)(**ours, **options)
        assert out.dtype == expected.detach().numpy().dtype
        assert out.requires_grad == expected.requires_grad
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), **TOLERANCES[dtype])
        if expected.requires_grad:
            expected.backward(torch.tensor(upstream))
            out.backward(upstream)
    for key, ours_t in ours.items():
        theirs_t = theirs[key]
        if not theirs_t.requires_grad:
            continue
        assert ours_t.grad.dtype == ours_t.dtype, key
        np.testing.assert_allclose(
            ours_t.grad.numpy(), theirs_t.grad.numpy(), **TOLERANCES[dtype], err_msg=key
        )


# ----- strategies --------------------------------------------------------------------------
@st.composite
def class_logits(draw, lo=-30.0, hi=30.0):
    """Logits of shape (C,), (N, C) or (N, C, d1[, d2]), and the class-index target shape."""
    c = draw(st.integers(1, 5))
    layout = draw(st.sampled_from(["unbatched", "batch", "spatial"]))
    if layout == "unbatched":
        shape = (c,)
    elif layout == "batch":
        shape = (draw(st.integers(0, 5)), c)
    else:
        extra = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
        shape = (draw(st.integers(1, 3)), c, *extra)
    x = draw(hnp.arrays(np.float64, shape, elements=floats(lo, hi)))
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    return x, c, target_shape


@st.composite
def class_indices(draw, c, target_shape):
    """Class-index targets, some replaced by an ignore_index drawn in or out of [0, C)."""
    ignore_index = draw(st.sampled_from([-100, -1]) | st.integers(0, c - 1))
    target = draw(hnp.arrays(np.int64, target_shape, elements=st.integers(0, c - 1)))
    ignored = draw(hnp.arrays(np.bool_, target_shape, elements=st.booleans()))
    return np.where(ignored, ignore_index, target), ignore_index


def class_weights(c):
    return st.none() | hnp.arrays(np.float64, (c,), elements=WEIGHTS)


SMOOTHING = st.sampled_from([0.0, 1.0]) | floats(0, 1)


@st.composite
def cross_entropy_cases(draw):
    x, c, target_shape = draw(class_logits())
    weight = draw(class_weights(c))
    options = dict(reduction=draw(REDUCTIONS), label_smoothing=draw(SMOOTHING))
    inputs = dict(input=(x, True))
    if draw(st.booleans()):  # class probabilities, differentiable like the weight
        target = draw(hnp.arrays(np.float64, x.shape, elements=floats(0, 1)))
        inputs["target"] = (target, draw(st.booleans()))
        if weight is not None:
            inputs["weight"] = (weight, draw(st.booleans()))
    else:
        target, options["ignore_index"] = draw(class_indices(c, target_shape))
        inputs["target"] = (target, False)
        if weight is not None:
            inputs["weight"] = (weight, False)
    return inputs, options, draw(SEEDS)


@st.composite
def nll_cases(draw):
    x, c, target_shape = draw(class_logits(-10.0, 10.0))
    target, ignore_index = draw(class_indices(c, target_shape))
    inputs = dict(input=(x, True), target=(target, False))
    weight = draw(class_weights(c))
    if weight is not None:
        inputs["weight"] = (weight, False)
    options = dict(ignore_index=ignore_index, reduction=draw(REDUCTIONS))
    return inputs, options, draw(SEEDS)


def broadcasts_to(shape):
    """None, or a shape that broadcasts to `shape` (PyTorch expands weights to the input)."""
    shapes = hnp.broadcastable_shapes(shape, min_side=0, max_dims=len(shape))
    return st.none() | shapes.filter(lambda s: np.broadcast_shapes(s, shape) == shape)


@st.composite
def shape_and_broadcast(draw):
    """A shape and, or None, a shape that broadcasts to it (for weight and pos_weight)."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    return shape, draw(broadcasts_to(shape))


@st.composite
def bce_cases(draw):
    shape, weight_shape = draw(shape_and_broadcast())
    edges = st.sampled_from([0.0, 1.0, 1e-13, 1 - 1e-13, 0.5])
    x = draw(hnp.arrays(np.float64, shape, elements=floats(0, 1) | edges))
    y = draw(hnp.arrays(np.float64, shape, elements=floats(0, 1) | st.sampled_from([0.0, 1.0])))
    inputs = dict(input=(x, True), target=(y, draw(st.booleans())))
    if weight_shape is not None:
        inputs["weight"] = (draw(hnp.arrays(np.float64, weight_shape, elements=WEIGHTS)), False)
    return inputs, dict(reduction=draw(REDUCTIONS)), draw(SEEDS)


@st.composite
def bce_with_logits_cases(draw):
    shape, weight_shape = draw(shape_and_broadcast())
    pos_weight_shape = draw(broadcasts_to(shape))
    logits = floats(-50, 50) | st.sampled_from([-1e4, 1e4, 0.0])
    x = draw(hnp.arrays(np.float64, shape, elements=logits))
    y = draw(hnp.arrays(np.float64, shape, elements=floats(0, 1)))
    inputs = dict(input=(x, True), target=(y, draw(st.booleans())))
    for name, wshape in (("weight", weight_shape), ("pos_weight", pos_weight_shape)):
        if wshape is not None:
            inputs[name] = (draw(hnp.arrays(np.float64, wshape, elements=WEIGHTS)), False)
    return inputs, dict(reduction=draw(REDUCTIONS)), draw(SEEDS)


@st.composite
def mse_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    x, y = (draw(hnp.arrays(np.float64, shape, elements=floats(-10, 10))) for _ in "xy")
    inputs = dict(input=(x, True), target=(y, draw(st.booleans())))
    if draw(st.booleans()):
        weight = draw(hnp.arrays(np.float64, shape, elements=WEIGHTS))
        inputs["weight"] = (weight, draw(st.booleans()))
    return inputs, dict(reduction=draw(REDUCTIONS)), draw(SEEDS)


# ----- losses against torch -------------------------------------------------------------------
CASES = {
    "cross_entropy": cross_entropy_cases(),
    "nll_loss": nll_cases(),
    "binary_cross_entropy": bce_cases(),
    "binary_cross_entropy_with_logits": bce_with_logits_cases(),
    "mse_loss": mse_cases(),
}


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=250)
@given(data=st.data())
def test_loss_matches_torch_in_float64(name, data):
    check_against_torch(name, *data.draw(CASES[name]))


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=60)
@given(data=st.data())
def test_loss_matches_torch_in_float32(name, data):
    check_against_torch(name, *data.draw(CASES[name]), dtype=np.float32)


@given(cross_entropy_cases())
@settings(max_examples=30)
@example(  # every target ignored: NaN mean, zero gradient
    (
        dict(input=(np.zeros((2, 3)), True), target=(np.array([-100, -100]), False)),
        dict(reduction="mean", label_smoothing=0.2, ignore_index=-100),
        0,
    )
)
@example(  # every target weighs 0: NaN mean and NaN gradient rows
    (
        dict(
            input=(np.arange(6.0).reshape(2, 3), True),
            target=(np.array([0, 1]), False),
            weight=(np.array([0.0, 0.0, 1.0]), False),
        ),
        dict(reduction="mean", label_smoothing=0.3),
        0,
    )
)
def test_cross_entropy_degenerate_means_match_torch(case):
    check_against_torch("cross_entropy", *case)


def test_cross_entropy_weighted_mean_divides_by_the_target_weights():
    x = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
    w = minigrad.tensor([1.0, 2.0, 4.0], dtype=minigrad.float64)
    loss = F.cross_entropy(minigrad.tensor(x), minigrad.tensor([0, 2]), weight=w)
    expected = (1 * -np.log(0.5) + 4 * -np.log(0.8)) / (1 + 4)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-14)


def test_cross_entropy_label_smoothing_spreads_over_classes_by_weight():
    x = np.array([[1.0, 2.0, 3.0]])
    logp = x - np.log(np.exp(x).sum())
    w = np.array([1.0, 2.0, 3.0])
    loss = F.cross_entropy(
        minigrad.tensor(x),
        minigrad.tensor([1]),
        weight=minigrad.tensor(w),
        label_smoothing=0.3,
    )
    expected = (0.7 * -w[1] * logp[0, 1] + 0.1 * -(w * logp[0]).sum()) / w[1]
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-14)


def test_cross_entropy_is_one_fused_node_with_softmax_minus_target_gradient():
    x = minigrad.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
    loss = F.cross_entropy(x, minigrad.tensor([0]))
    assert loss.grad_fn.name() == "CrossEntropyBackward0"
    assert all(edge[0] is x for edge in loss.grad_fn.edges if edge is not None)
    loss.backward()
    softmax = np.exp(x.numpy()) / np.exp(x.numpy()).sum()
    np.testing.assert_allclose(x.grad.numpy(), softmax - [[1, 0, 0]], rtol=1e-6)


# ----- the tutorial's numbers and exact extremes ----------------------------------------------
def test_tutorial_bce_of_sigmoid_outputs():
    probs = F.sigmoid(minigrad.tensor([2.0, -1.0, 0.5]))
    loss = F.binary_cross_entropy(probs, minigrad.tensor([1.0, 0.0, 1.0]))
    assert loss.dtype == minigrad.float32
    assert abs(loss.item() - 0.3047556) < 5e-8


def test_tutorial_cross_entropy_of_the_3x4_logits():
    logits = minigrad.tensor([[2.0, 1.0, 0.1, 0.5], [0.3, 2.2, 0.5, 1.1], [1.2, 0.7, 1.5, 0.3]])
    loss = F.cross_entropy(logits, minigrad.tensor([0, 1, 2]))
    assert loss.dtype == minigrad.float32
    assert abs(loss.item() - 0.6589792) < 5e-8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_are_exact_at_extremes(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = F.softmax(minigrad.tensor(np.array([1000.0, 0.0], dtype)), dim=0)
        ls = F.log_softmax(minigrad.tensor(np.array([-1e4, 1e4], dtype)), dim=0)
    assert s.tolist() == [1.0, 0.0] and s.dtype == dtype
    assert ls.tolist() == [-2e4, 0.0] and ls.dtype == dtype


def _extreme_cases():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]])
    probs = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    labels = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0]])
    index = np.array([1, 0, 2])
    tiny = np.array(1e-5)
    ce = "cross_entropy"
    bcel = "binary_cross_entropy_with_logits"
    return [
        (ce, dict(input=(x, True), target=(index, False)), {}),
        (ce, dict(input=(x, True), target=(index, False)), dict(label_smoothing=0.1)),
        (ce, dict(input=(x, True), target=(probs, True)), dict(label_smoothing=0.1)),
        (ce, dict(input=(x[0], True), target=(np.array(1), False)), dict(reduction="none")),
        (bcel, dict(input=(x, True), target=(labels, True)), {}),
        (bcel, dict(input=(x, True), target=(labels, True), pos_weight=(probs[0] * 3, False)), {}),
        (  # a tiny pos_weight: the target's gradient must not cancel (PyTorch's arrangement)
            bcel,
            dict(input=(x[1, :2], True), target=(np.zeros(2), True), pos_weight=(tiny, False)),
            {},
        ),
        ("nll_loss", dict(input=(x - 2e4, True), target=(index, False)), {}),
        ("mse_loss", dict(input=(x, True), target=(-x, True)), {}),
        ("softmax", dict(input=(x, True)), dict(dim=1)),
        ("log_softmax", dict(input=(x, True)), dict(dim=0)),
        ("sigmoid", dict(input=(x, True)), {}),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,inputs,options", _extreme_cases())
def test_logits_of_1e4_stay_finite_silent_and_equal_to_torch(name, inputs, options, dtype):
    check_against_torch(name, inputs, options, seed=1, dtype=dtype)
    tensors = {
        k: minigrad.tensor(a.astype(dtype) if a.dtype.kind == "f" else a, requires_grad=r)
        for k, (a, r) in inputs.items()
    }
    out = getattr(F, name)(**tensors, **options)
    out.backward(np.ones(out.shape, dtype))
    assert np.isfinite(out.numpy()).all()
    assert all(np.isfinite(t.grad.numpy()).all() for t in tensors.values() if t.requires_grad)


def test_bce_gradient_is_pytorchs_formula_near_0_and_1():
    x = np.array([0.0, 1e-15, 1e-7, 0.5, 1 - 1e-7, 1 - 1e-15, 1.0])
    y = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    xt = minigrad.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy(xt, minigrad.tensor(y), reduction="sum")
        loss.backward()
    # PyTorch's epsilon is a C float: 1e-12 rounded to float32, even for float64 inputs.
    epsilon = float(np.float32(1e-12))
    np.testing.assert_array_equal(xt.grad.numpy(), (x - y) / np.maximum((1 - x) * x, epsilon))
    assert np.isfinite(loss.item()) and np.isfinite(xt.grad.numpy()).all()
    # Each log is clamped at -100: x = 0 against y = 1 costs exactly 100.
    assert F.binary_cross_entropy(minigrad.tensor([0.0]), minigrad.tensor([1.0])).item() == 100
    check_against_torch("binary_cross_entropy", dict(input=(x, True), target=(y, True)), {}, seed=3)


# ----- activations, linear, one_hot, dropout ---------------------------------------------------
@st.composite
def activation_cases(draw):
    name = draw(st.sampled_from(["relu", "sigmoid", "tanh", "softmax", "log_softmax"]))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = draw(hnp.arrays(np.float64, shape, elements=floats(-20, 20).filter(lambda v: v != 0)))
    options = {}
    if name in ("softmax", "log_softmax"):
        options["dim"] = draw(st.integers(-len(shape), len(shape) - 1))
    return name, dict(input=(x, True)), options, draw(SEEDS)


@settings(max_examples=60)
@given(activation_cases())
def test_activations_match_torch(case):
    name, *rest = case
    check_against_torch(name, *rest)


@st.composite
def linear_cases(draw):
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    inputs = dict(
        input=(draw(hnp.arrays(np.float64, (*lead, n_in), elements=floats(-5, 5))), True),
        weight=(draw(hnp.arrays(np.float64, (n_out, n_in), elements=floats(-5, 5))), True),
    )
    if draw(st.booleans()):
        inputs["bias"] = (draw(hnp.arrays(np.float64, (n_out,), elements=floats(-5, 5))), True)
    return inputs, {}, draw(SEEDS)


@settings(max_examples=40)
@given(linear_cases())
def test_linear_matches_torch(case):
    check_against_torch("linear", *case)
    check_against_torch("linear", *case, dtype=np.float32)


def test_softmax_with_dtype_and_implicit_dim_as_torch():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    out = F.softmax(minigrad.tensor(x), dim=1, dtype=minigrad.float64)
    assert out.dtype == np.float64
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        implicit = F.log_softmax(minigrad.tensor(x))
    with pytest.warns(UserWarning):
        expected = TF.log_softmax(torch.tensor(x))
    np.testing.assert_allclose(implicit.numpy(), expected.numpy(), rtol=1e-6)


@settings(max_examples=30)
@given(
    hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3), elements=st.integers(0, 5)),
    st.sampled_from([-1, 6, 8]),
)
def test_one_hot_matches_torch(values, num_classes):
    out = F.one_hot(minigrad.tensor(values), num_classes)
    expected = TF.one_hot(torch.tensor(values), num_classes)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_mask_is_seeded_scaled_and_saved_for_backward(p, dtype):
    x = minigrad.tensor(np.linspace(1, 2, 20000).astype(dtype), requires_grad=True)
    minigrad.manual_seed(7)
    out = F.dropout(x, p)
    minigrad.manual_seed(7)
    again = F.dropout(x, p)
    np.testing.assert_array_equal(out.numpy(), again.numpy())
    assert out.dtype == dtype
    kept = out.numpy() != 0
    scale = np.ones((), dtype) / np.asarray(1 - p, dtype)  # computed in the input's dtype
    np.testing.assert_array_equal(out.numpy(), np.where(kept, x.numpy() * scale, 0))
    assert abs((~kept).mean() - p) < 0.02  # 20000 Bernoulli draws: ~4 standard errors
    upstream = np.random.default_rng(0).standard_normal(20000).astype(dtype)
    out.backward(upstream)
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.numpy(), upstream * np.where(kept, scale, 0))


def test_dropout_edge_probabilities_and_eval():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.7, training=False) is x
    out = F.dropout(x, 1.0)
    assert out.tolist() == [0.0, 0.0, 0.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_relu_and_dropout_in_place_write_into_the_input_and_keep_gradients():
    leaf = minigrad.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    h = leaf * 1.0
    out = F.relu(h, inplace=True)
    assert out is h and h.tolist() == [0.0, 2.0, 0.0, 4.0]
    out.sum().backward()
    assert leaf.grad.tolist() == [0.0, 1.0, 0.0, 1.0]
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(leaf, inplace=True)


# ----- errors: type and message, the type checked against torch's ------------------------------
def _errors():
    x, t = "zeros(3, 4)", "tensor([0, 1, 2])"
    return [
        # (call on `lib` and `F`, exception, message part, torch raises the same type)
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1]))", ValueError, "(2,)", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1, 5]))", IndexError, "Target 5", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1, -1]))", IndexError, "Target -1", True),
        (f"F.nll_loss(lib.{x}, lib.tensor([4, 1, 0]))", IndexError, "4 classes", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0., 1., 2.]))", RuntimeError, "int64", True),
        (f"F.cross_entropy(lib.{x}, lib.zeros(3, 4).long())", RuntimeError, "floating", True),
        (
            "F.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5).long())",
            RuntimeError,
            "(2, 4)",
            True,
        ),
        (f"F.cross_entropy(lib.{x}, lib.{t}, reduction='avg')", ValueError, "avg", True),
        (f"F.mse_loss(lib.{x}, lib.{x}, reduction='elementwise')", ValueError, "reduction", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(3))", RuntimeError, "4 classes", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, label_smoothing=1.5)", RuntimeError, "1.5", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, label_smoothing=-0.1)", RuntimeError, "-0.1", False),
        (f"F.cross_entropy(lib.{x}, lib.rand(3, 4), ignore_index=1)", RuntimeError, "ignore", True),
        (
            f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(4, requires_grad=True))",
            RuntimeError,
            "weight",
            True,
        ),
        (
            f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(4).double())",
            RuntimeError,
            "float64",
            True,
        ),
        (f"F.cross_entropy(lib.{x}.long(), lib.{t})", NotImplementedError, "int64", True),
        (f"F.cross_entropy([[0.0]], lib.{t})", TypeError, "list", True),
        (
            "F.binary_cross_entropy(lib.tensor([1.5, .2]), lib.ones(2))",
            RuntimeError,
            "between 0 and 1",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.tensor([float('nan')]), lib.ones(1))",
            RuntimeError,
            "between 0 and 1",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.ones(2), lib.tensor([1.0, 2.0]))",
            RuntimeError,
            "target",
            True,
        ),
        ("F.binary_cross_entropy(lib.ones(3), lib.ones(3, 1))", ValueError, "(3, 1)", True),
        (
            "F.binary_cross_entropy(lib.ones(3), lib.ones(3).double())",
            RuntimeError,
            "float64",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.ones(3), lib.ones(3), weight=lib.ones(2))",
            RuntimeError,
            "(2,)",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3, 1))",
            ValueError,
            "(3,)",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3).long())",
            RuntimeError,
            "floating",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3), pos_weight=lib.ones(2))",
            RuntimeError,
            "pos_weight",
            True,
        ),
        ("F.mse_loss(lib.ones(3, 4), lib.ones(3), weight=None)", RuntimeError, "(3,)", True),
        ("F.mse_loss(lib.ones(3), lib.ones(3), weight=lib.ones(1))", ValueError, "same size", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 5))", RuntimeError, "(4, 5)", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 3).double())", RuntimeError, "float64", True),
        ("F.one_hot(lib.tensor([0, 3]), 2)", RuntimeError, "smaller than num_classes", True),
        ("F.one_hot(lib.tensor([0, -1]))", RuntimeError, "non-negative", True),
        ("F.one_hot(lib.tensor([0., 1.]))", RuntimeError, "int64", True),
        ("F.one_hot(lib.tensor([]).long())", RuntimeError, "empty", True),
        ("F.one_hot(lib.tensor([]).long(), 0)", RuntimeError, "empty", True),
        ("F.one_hot(lib.tensor([5, -1]), 3)", RuntimeError, "smaller than num_classes", True),
        ("F.dropout(lib.ones(3), 1.5)", ValueError, "1.5", True),
        ("F.relu(lib.tensor([True, False]))", RuntimeError, "Boolean", True),
    ]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("call,error,message,torch_too", _errors(), ids=lambda v: str(v)[:60])
def test_errors_name_the_problem_with_torchs_exception_type(call, error, message, torch_too):
    with pytest.raises(error) as info:
        eval(call, {"lib": minigrad, "F": F})
    assert message in str(info.value)
    if torch_too:
        with pytest.raises(Exception) as theirs:
            eval(call, {"lib": torch, "F": TF})
        assert isinstance(info.value, type(theirs.value))


def test_bce_with_logits_takes_the_targets_dtype_as_torch():
    for x_dtype, y_dtype in [(np.float64, np.float32), (np.float32, np.float64)]:
        x, y = np.array([0.5, -2.0], x_dtype), np.array([1.0, 0.0], y_dtype)
        out = F.binary_cross_entropy_with_logits(
            minigrad.tensor(x, requires_grad=True), minigrad.tensor(y)
        )
        expected = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y))
        assert out.dtype == y_dtype == expected.detach().numpy().dtype
        np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)


def test_mse_loss_broadcasts_with_torchs_warning():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(minigrad.ones(3, 4), minigrad.zeros(4))
    assert out.item() == 1.0


def test_deprecated_size_average_and_reduce_pick_the_reduction_as_torch():
    x, y = minigrad.tensor([1.0, 2.0]), minigrad.tensor([0.0, 0.0])
    for size_average, reduce, expected in [(False, None, 5.0), (None, False, [1.0, 4.0])]:
        with pytest.warns(UserWarning, match="reduction="):
            out = F.mse_loss(x, y, size_average=size_average, reduce=reduce)
        assert out.tolist() == expected


def _float32_op_cases():
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    p = np.random.default_rng(1).random((4, 3)).astype(np.float32)
    w = np.array([0.5, 1.0, 2.0], np.float32)
    labels = np.array([0, 2, -100, 1])
    t = minigrad.tensor
    return [
        ("cross_entropy", (t(x),), dict(target=t(labels), label_smoothing=0.1, weight=t(w))),
        ("cross_entropy", (t(x),), dict(target=t(p, requires_grad=True), label_smoothing=0.1)),
        ("cross_entropy", (t(x),), dict(target=t(labels), reduction="none", label_smoothing=0.2)),
        ("nll_loss", (t(x),), dict(target=t(labels), weight=t(w))),
        ("binary_cross_entropy", (t(p),), dict(target=t(p[::-1].copy(), requires_grad=True))),
        ("binary_cross_entropy_with_logits", (t(x),), dict(target=t(p), pos_weight=t(w))),
        ("mse_loss", (t(x),), dict(target=t(p), weight=t(p, requires_grad=True))),
        ("dropout", (t(x),), dict(p=0.3)),
    ]


@pytest.mark.parametrize("name,args,options", _float32_op_cases())
def test_float32_ops_return_float32_gradients_themselves(name, args, options):
    # The engine casts every gradient to its input's dtype anyway; this checks that the op
    # itself stays in float32 rather than taking a float64 detour (NumPy 2 promotion).
    x = args[0].requires_grad_()
    out = getattr(F, name)(x, **options)
    assert out.dtype == np.float32
    node = out.grad_fn
    grads = node.backward(node, np.ones(out.shape, np.float32))
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g is None or g.dtype == np.float32
