"""nn.functional numerics: the tutorial's numbers, exact extremes, logits of +-1e4, the BCE
gradient near 0 and 1, and dtypes (float32 kept inside each op, mixed dtypes as torch)."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812 - PyTorch's convention
from nncheck import check_against_torch

import minigrad
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention


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


@pytest.mark.parametrize(
    "dtype,xs", [(np.float32, [-95.0, -88.8, -88.5, -20.0]), (np.float64, [-720.0, -709.0])]
)
def test_sigmoid_is_0_where_exp_overflows_and_bce_on_top_clamps_as_torch(dtype, xs):
    """PyTorch's sigmoid is 1 / (1 + exp(-x)): exactly 0 once exp(-x) overflows, where a
    formula through exp(x) would give subnormals and a BCE of 94.9 instead of the clamp's
    100 at x = -95. Its gradient is grad * (1 - out) * out, in that order."""
    x = np.array(xs, dtype)
    target = np.ones_like(x)
    results = []
    for lib, functional in ((minigrad, F), (torch, TF)):
        xt = lib.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            probs = functional.sigmoid(xt)
            loss = functional.binary_cross_entropy(probs, lib.tensor(target), reduction="sum")
            loss.backward()
        results.append((probs.detach().numpy(), loss.item(), xt.grad.numpy()))
    (probs, loss, grad), (t_probs, t_loss, t_grad) = results
    assert probs[0] == 0.0 == t_probs[0]
    tolerance = 4 * float(np.finfo(dtype).eps)
    np.testing.assert_allclose(probs, t_probs, rtol=tolerance, atol=0)
    assert loss == pytest.approx(t_loss, rel=tolerance)
    np.testing.assert_allclose(grad, t_grad, rtol=tolerance, atol=0)


@pytest.mark.parametrize("op,spread,agree", [("sigmoid", 5, 0.8), ("tanh", 2, 0.5)])
def test_gradient_is_torchs_bit_for_bit_where_the_outputs_agree(op, spread, agree):
    """Found in review: sigmoid's gradient now takes PyTorch's order, grad * (1 - out) * out
    (65% of float32 gradients matched before), and tanh's 1 - out * out is rounded once, as
    PyTorch's fused multiply-add (31% matched before)."""
    x = np.random.default_rng(0).standard_normal(4096).astype(np.float32) * spread
    upstream = np.random.default_rng(1).standard_normal(4096).astype(np.float32)
    results = []
    for lib in (minigrad, torch):
        xt = lib.tensor(x, requires_grad=True)
        out = getattr(xt, op)()
        out.backward(lib.tensor(upstream))
        results.append((out.detach().numpy(), xt.grad.numpy()))
    (out, grad), (t_out, t_grad) = results
    if op == "sigmoid":
        np.testing.assert_array_equal(grad, upstream * (1 - out) * out)  # PyTorch's order
    same = out == t_out  # (their exp and tanh and NumPy's differ in the last bit now and then)
    assert same.mean() > agree
    np.testing.assert_array_equal(grad[same], t_grad[same])


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


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("fn,reference", [("nll_loss", "float16"), ("cross_entropy", "float64")])
def test_class_losses_are_silent_when_sums_pass_float16s_range(fn, reference, reduction):
    """Finite float16 losses and class weights whose sums pass 65504: inf or NaN where the
    sums are float16's, silently (NLLLoss once summed outside np.errstate). nll_loss sums in
    float16 as torch; cross_entropy in float32, so its mean stays finite (the float64
    answer, where torch's float16 sum of the weights overflows to a NaN mean)."""
    x = np.array([[-6e4, 0.0], [-6e4, 0.0], [0.0, -1.0]], np.float16)
    target, weight = np.array([0, 0, 1]), np.array([6e4, 1.0], np.float16)
    results = []
    for lib, functional, dtype in ((minigrad, F, "float16"), (torch, TF, reference)):
        xt = lib.tensor(x.astype(dtype), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = getattr(functional, fn)(
                xt, lib.tensor(target), weight=lib.tensor(weight.astype(dtype)), reduction=reduction
            )
            loss.backward()
        results.append((loss.detach().numpy(), xt.grad.numpy()))
    (loss, grad), expected = results
    with np.errstate(over="ignore"):  # the float64 sum is past float16's range
        expected_loss, expected_grad = (a.astype(np.float16) for a in expected)
    np.testing.assert_array_equal(loss, expected_loss)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-3)


def test_bce_with_logits_takes_the_targets_dtype_as_torch():
    for x_dtype, y_dtype in [(np.float64, np.float32), (np.float32, np.float64)]:
        x, y = np.array([0.5, -2.0], x_dtype), np.array([1.0, 0.0], y_dtype)
        out = F.binary_cross_entropy_with_logits(
            minigrad.tensor(x, requires_grad=True), minigrad.tensor(y)
        )
        expected = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y))
        assert out.dtype == y_dtype == expected.detach().numpy().dtype
        np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)


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


def _mixed_dtype_cases():
    f32, f64 = np.float32, np.float64
    x32, y32 = np.array([0.3, -1.2, 2.0], f32), np.array([0.5, 0.0, 1.0], f32)
    return [
        # mse: input and target are broadcast first, so a 0-d float64 input widens
        ("mse_loss", dict(input=np.array(0.5, f64), target=y32), dict(reduction="mean")),
        ("mse_loss", dict(input=x32, target=y32, weight=np.arange(1.0, 4.0)), {}),
        ("mse_loss", dict(input=x32, target=np.array([1, 0, 2])), dict(reduction="none")),
        # a 0-d float64 weight widens only the mean's division
        ("mse_loss", dict(input=np.array(0.5, f32), target=y32, weight=np.array(2.0)), {}),
        (
            "mse_loss",
            dict(input=np.array(0.5, f32), target=y32, weight=np.array(2.0)),
            dict(reduction="sum"),
        ),
        # bce: the weight keeps its dtype inside, the loss takes the input's
        ("binary_cross_entropy", dict(input=y32 * 0.5, target=y32, weight=np.ones(3)), {}),
        # bce with logits: the loss takes the target's dtype
        ("binary_cross_entropy_with_logits", dict(input=x32.astype(f64), target=y32), {}),
        ("binary_cross_entropy_with_logits", dict(input=x32, target=y32.astype(f64)), {}),
        (
            "binary_cross_entropy_with_logits",
            dict(input=x32, target=y32, pos_weight=np.array([2.0, 0.5, 1.0])),
            {},
        ),
        ("cross_entropy", dict(input=x32, target=np.array([0.2, 0.3, 0.5])), {}),
    ]


@pytest.mark.parametrize("name,arrays,options", _mixed_dtype_cases())
def test_mixed_dtypes_promote_as_torch(name, arrays, options):
    def make(lib, key, a):
        constant = key in ("weight", "pos_weight") and name.startswith("binary")
        return lib.tensor(a, requires_grad=a.dtype.kind == "f" and not constant)

    ours = {k: make(minigrad, k, a) for k, a in arrays.items()}
    theirs = {k: make(torch, k, a) for k, a in arrays.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss's broadcasting warning
        out = getattr(F, name)(**ours, **options)
        expected = getattr(TF, name)(**theirs, **options)
    assert out.dtype == expected.detach().numpy().dtype
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    for key, t in ours.items():
        if t.requires_grad:
            assert t.grad.dtype == t.dtype
            np.testing.assert_allclose(t.grad.numpy(), theirs[key].grad.numpy(), rtol=1e-6)
