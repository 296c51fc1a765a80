"""minigrad.nn.functional against torch.nn.functional: values, gradients, dtypes.

Hypothesis draws shapes, values and option combinations; each case runs through both
libraries in float64 with tight tolerances (and in float32 with realistic ones),
comparing the loss, its dtype, and the gradient of every input that requires grad for a
random upstream gradient (see nncheck.py). NumPy RuntimeWarnings are errors throughout.
Numerics at the extremes are in test_nn_numerics.py, errors in test_nn_errors.py.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812 - PyTorch's convention
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nncheck import check_against_torch, floats

import minigrad
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
# Weights are normal float32 numbers (or 0): a mean divided by a subnormal weight overflows
# to inf, as in torch, and NumPy would rightly warn about that overflow.
WEIGHTS = st.floats(0, 3, width=32, allow_subnormal=False)
SEEDS = st.integers(0, 2**32 - 1)


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
    target_shape = draw(st.just(shape) | hnp.broadcastable_shapes(shape, min_side=0))
    x = draw(hnp.arrays(np.float64, shape, elements=floats(-10, 10)))
    y = draw(hnp.arrays(np.float64, target_shape, elements=floats(-10, 10)))
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


def _cancelling_linear_case():
    """float32 products of ~10 that cancel to -0.0041 in out[1, 1, 2]: minigrad and torch
    come out 1.3e-6 apart, each ~7e-7 from the exact sum (NumPy's and torch's orders)."""
    x, w = np.full((2, 3, 4), 3.10519905), np.full((3, 4), -2.35180603)
    x[1, 1] = [3.10519905, 3.28125, 3.10519905, -2.68678181]
    w[2] = [0.15625, -2.35180603, -1.125, -3.99023438]
    return {"input": (x, True), "weight": (w, True)}, {}, 0


@settings(max_examples=40)
@given(linear_cases())
@example(_cancelling_linear_case())
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
