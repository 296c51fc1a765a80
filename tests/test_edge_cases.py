"""Numerical edge cases against PyTorch: float16, all targets ignored, empty batches.

float16 (the decision): every op, layer and loss takes float16 and returns float16 with
the accuracy PyTorch has on the CPU, where each op computes in float32 and rounds once.
Single NumPy ufuncs (exp, log, +, ...), reductions and matmul already do that; formulas
of several steps (sigmoid, tanh's derivative, softmax, log_softmax, the losses) compute
in float32 inside the op and round at the end. Only the random factories (`rand`,
`randn`) refuse float16, with a TypeError naming the dtypes they make.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812

import minigrad as mg
import minigrad.nn.functional as F  # noqa: N812

EPS16 = float(np.finfo(np.float16).eps)  # 2**-10


def side(lib):
    return (torch, TF) if lib == "torch" else (mg, F)


def make(lib, array, requires_grad):
    if lib == "torch":
        t = torch.from_numpy(array.copy())
    else:
        t = mg.tensor(array.copy())
    return t.requires_grad_(True) if requires_grad else t


def run(fn, arrays, lib, upstream_seed=0):
    """fn's output and the gradients of its float inputs, as float64 arrays (no warnings)."""
    inputs = [make(lib, a, a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(*side(lib), *inputs)
        values = out.detach().numpy() if lib == "torch" else out.numpy()
        upstream = np.random.default_rng(upstream_seed).standard_normal(values.shape)
        upstream = upstream.astype(values.dtype)
        out.backward(torch.from_numpy(upstream) if lib == "torch" else mg.tensor(upstream))
    grads = [t.grad for t in inputs if t.requires_grad]
    grads = [g.numpy() if lib == "torch" else g.data for g in grads]
    return values, grads


# ----- float16 ---------------------------------------------------------------------------------
def uniform(low, high, shape, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def classes(n, c, seed=1):
    return np.random.default_rng(seed).integers(0, c, n)


FLOAT16 = {
    # elementwise
    "exp": (lambda lib, nnf, x: lib.exp(x), [uniform(-4, 4, 64)]),
    "log": (lambda lib, nnf, x: lib.log(x), [uniform(0.05, 4, 64)]),
    "sqrt": (lambda lib, nnf, x: lib.sqrt(x), [uniform(0.05, 4, 64)]),
    "tanh": (lambda lib, nnf, x: lib.tanh(x), [uniform(-3, 3, 64)]),
    "sigmoid": (lambda lib, nnf, x: lib.sigmoid(x), [uniform(-6, 6, 64)]),
    "relu": (lambda lib, nnf, x: lib.relu(x), [uniform(-3, 3, 64)]),
    "clamp": (lambda lib, nnf, x: lib.clamp(x, -1.0, 1.5), [uniform(-3, 3, 64)]),
    "mul_div": (lambda lib, nnf, x, y: x * y / (y + 4.0), [uniform(-3, 3, 64), uniform(0, 3, 64)]),
    "pow": (lambda lib, nnf, x: x**2.5, [uniform(0.1, 3, 64)]),
    # reductions and products
    "sum": (lambda lib, nnf, x: x.sum(1), [uniform(0, 1, (4, 2048))]),
    "mean": (lambda lib, nnf, x: x.mean(), [uniform(0, 1, 4096)]),
    "max": (lambda lib, nnf, x: x.max(1)[0], [uniform(0, 1, (8, 64))]),
    "matmul": (lambda lib, nnf, x, y: x @ y, [uniform(0, 1, (16, 256)), uniform(-1, 1, (256, 8))]),
    "linear": (
        lambda lib, nnf, x, w, b: nnf.linear(x, w, b),
        [uniform(-1, 1, (16, 256)), uniform(-0.1, 0.1, (8, 256)), uniform(-1, 1, 8)],
    ),
    # softmax family
    "softmax": (lambda lib, nnf, x: lib.softmax(x, 1), [uniform(-4, 4, (4, 512))]),
    "log_softmax": (lambda lib, nnf, x: lib.log_softmax(x, 1), [uniform(-4, 4, (4, 512))]),
    # losses
    "mse_loss": (
        lambda lib, nnf, x, y: nnf.mse_loss(x, y),
        [uniform(0, 1, 4096), uniform(0, 1, 4096)],
    ),
    "binary_cross_entropy": (
        lambda lib, nnf, x, y: nnf.binary_cross_entropy(x, y),
        [uniform(0.01, 0.99, 4096), uniform(0, 1, 4096)],
    ),
    "binary_cross_entropy_with_logits": (
        lambda lib, nnf, x, y: nnf.binary_cross_entropy_with_logits(x, y),
        [uniform(-4, 4, 4096), uniform(0, 1, 4096)],
    ),
    "nll_loss": (
        lambda lib, nnf, x, t: nnf.nll_loss(x, t),
        [uniform(-4, 0, (512, 10)), classes(512, 10)],
    ),
    "cross_entropy": (
        lambda lib, nnf, x, t: nnf.cross_entropy(x, t, label_smoothing=0.1),
        [uniform(-4, 4, (512, 10)), classes(512, 10)],
    ),
    "cross_entropy_probabilities": (
        lambda lib, nnf, x, p: nnf.cross_entropy(x, p),
        [uniform(-4, 4, (64, 10)), uniform(0, 0.2, (64, 10))],
    ),
}


def error(got, reference):
    """The largest error relative to the largest reference magnitude (norm-wise)."""
    got, reference = np.asarray(got, np.float64), np.asarray(reference, np.float64)
    scale = max(float(np.abs(reference).max(initial=0.0)), 1e-30)
    return float(np.abs(got - reference).max(initial=0.0)) / scale


@pytest.mark.parametrize("name", FLOAT16)
def test_float16_works_with_torchs_accuracy(name):
    fn, arrays = FLOAT16[name]
    halves = [a.astype(np.float16) if a.dtype.kind == "f" else a for a in arrays]
    exact = [h.astype(np.float64) if h.dtype.kind == "f" else h for h in halves]
    reference, reference_grads = run(fn, exact, "torch")
    theirs, their_grads = run(fn, halves, "torch")
    ours, our_grads = run(fn, halves, "minigrad")
    assert ours.dtype == theirs.dtype == np.float16
    assert all(g.dtype == np.float16 for g in our_grads)
    # As accurate as PyTorch, give or take one float16 rounding.
    assert error(ours, reference) <= error(theirs, reference) + EPS16, "value"
    for i, (g, t, r) in enumerate(zip(our_grads, their_grads, reference_grads)):
        assert error(g, r) <= error(t, r) + EPS16, f"gradient of input {i}"


@pytest.mark.parametrize("factory", [mg.rand, mg.randn])
def test_random_factories_refuse_float16_clearly(factory):
    with pytest.raises(TypeError, match="float16"):
        factory(3, dtype=mg.float16)


def test_float16_sums_add_up_in_float32_as_torch():
    """Found in review: NumPy adds float16 rows one by one in float16, where 2048 + 1 is
    2048 again, so a sum or mean over 4096 rows of ones, and a bias's gradient over 4096
    rows (the engine's sum_to, Linear's own row sum), came out 2048 and 0.5."""
    ones = np.ones((4096, 2), np.float16)
    results = []
    for lib in ("minigrad", "torch"):
        nnf = side(lib)[1]
        x = make(lib, ones, False)
        b = make(lib, np.zeros(2, np.float16), True)
        w = make(lib, np.zeros((2, 2), np.float16), True)
        (x + b).sum().backward()
        nnf.linear(x, w, b).sum().backward()
        results.append([a.detach().numpy() for a in (x.sum(0), x.mean(0), x.sum(), b.grad, w.grad)])
    for ours, theirs in zip(*results):
        assert ours.dtype == np.float16
        np.testing.assert_array_equal(ours, theirs)
    assert results[0][0].tolist() == [4096.0, 4096.0] and results[0][3].tolist() == [8192, 8192]


def test_float16_sigmoid_gradient_takes_torchs_float16_steps():
    """Found in review: PyTorch's float16 sigmoid backward rounds after each float16 step
    from the rounded output; minigrad computed it in float32 (5,817 of 42,000 differed)."""
    x = uniform(-12, 12, 4096).astype(np.float16)
    upstream = np.random.default_rng(1).standard_normal(4096).astype(np.float16)
    grads = []
    for lib in ("minigrad", "torch"):
        xt = make(lib, x, True)
        out = xt.sigmoid()
        out.backward(make(lib, upstream, False))
        grads.append((out.detach().numpy(), xt.grad.numpy()))
    (out, grad), (t_out, t_grad) = grads
    np.testing.assert_array_equal(out, t_out)
    np.testing.assert_array_equal(grad, t_grad)


def test_float16_linear_adds_the_bias_before_its_one_rounding():
    """Found in review: x @ w.T was rounded to float16, then the bias added and rounded
    again (-3.016 where torch and the float64 answer give -3.014)."""
    x = uniform(-2, 2, (64, 33)).astype(np.float16)
    w = uniform(-1, 1, (17, 33), seed=1).astype(np.float16)
    b = uniform(-1, 1, 17, seed=2).astype(np.float16)
    ours = F.linear(mg.tensor(x), mg.tensor(w), mg.tensor(b)).numpy()
    theirs = TF.linear(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)).numpy()
    assert ours.dtype == np.float16
    np.testing.assert_array_equal(ours, theirs)


def test_float16_log_softmax_gradient_sums_in_float32():
    """Found in review: the backward summed a float16 gradient over a 4096-long axis in
    float16 (0.5 where the exact gradient is 0; torch 0.0025)."""
    xt = mg.tensor(np.zeros((4096, 2), np.float16), requires_grad=True)
    F.log_softmax(xt, dim=0).backward(mg.tensor(np.ones((4096, 2), np.float16)))
    assert xt.grad.dtype == mg.float16
    assert np.abs(xt.grad.numpy()).max() <= 0.0025  # torch's error; the exact answer is 0


def test_float16_results_past_the_range_are_inf_silently():
    """Found in review: the final cast to float16 warned where torch is silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ls = F.log_softmax(mg.tensor([[65504.0, -65504.0]], dtype=mg.float16), dim=1)
        total = mg.tensor(np.array([[65504.0], [65504.0]], np.float16)).sum(0)
    assert ls.tolist() == [[0.0, -np.inf]] and total.tolist() == [np.inf]


# ----- every target ignored ----------------------------------------------------------------------
def compare(fn, arrays):
    """Same values (NaN where torch has NaN), dtypes and gradients as torch, and no warnings."""
    theirs, their_grads = run(fn, arrays, "torch")
    ours, our_grads = run(fn, arrays, "minigrad")
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7, equal_nan=True)
    assert len(our_grads) == len(their_grads)
    for g, t in zip(our_grads, their_grads):
        assert g.dtype == t.dtype and g.shape == t.shape
        np.testing.assert_allclose(g, t, rtol=1e-6, atol=1e-7, equal_nan=True)
    return ours


IGNORED = {
    "nll_loss": lambda nnf, x, t, **kw: nnf.nll_loss(nnf.log_softmax(x, 1), t, **kw),
    "cross_entropy": lambda nnf, x, t, **kw: nnf.cross_entropy(x, t, **kw),
    "cross_entropy_smoothed": lambda nnf, x, t, **kw: nnf.cross_entropy(
        x, t, label_smoothing=0.2, **kw
    ),
}


@pytest.mark.parametrize("loss", IGNORED)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_all_targets_ignored_behaves_as_torch(loss, reduction, weighted, ignore_index):
    x = uniform(-3, 3, (4, 3)).astype(np.float32)
    t = np.full(4, ignore_index)
    w = uniform(0.5, 2, 3).astype(np.float32)

    def fn(lib, nnf, x, t):
        weight = None
        if weighted:
            weight = torch.from_numpy(w) if lib is torch else mg.tensor(w)
        return IGNORED[loss](
            nnf, x, t, weight=weight, reduction=reduction, ignore_index=ignore_index
        )

    out = compare(fn, [x, t])
    if reduction == "mean":
        assert np.isnan(out)  # a mean over no target, as PyTorch
    elif reduction == "sum":
        assert out == 0


# ----- empty batches ------------------------------------------------------------------------------
EMPTY = {
    "linear": (
        lambda lib, nnf, x, w, b: nnf.linear(x, w, b),
        [np.zeros((0, 5), np.float32), uniform(-1, 1, (3, 5)), uniform(-1, 1, 3)],
    ),
    "linear_3d": (
        lambda lib, nnf, x, w, b: nnf.linear(x, w, b),
        [np.zeros((2, 0, 5), np.float32), uniform(-1, 1, (3, 5)), uniform(-1, 1, 3)],
    ),
    "softmax_classes": (lambda lib, nnf, x: lib.softmax(x, 1), [np.zeros((0, 4), np.float32)]),
    "softmax_batch": (lambda lib, nnf, x: lib.softmax(x, 0), [np.zeros((0, 4), np.float32)]),
    "log_softmax": (lambda lib, nnf, x: lib.log_softmax(x, 1), [np.zeros((0, 4), np.float32)]),
    "sigmoid": (lambda lib, nnf, x: lib.sigmoid(x), [np.zeros((0, 4), np.float32)]),
}
EMPTY_LOSSES = {
    "mse_loss": (
        lambda nnf, x, y, r: nnf.mse_loss(x, y, reduction=r),
        [np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32)],
    ),
    "binary_cross_entropy": (
        lambda nnf, x, y, r: nnf.binary_cross_entropy(x, y, reduction=r),
        [np.zeros(0, np.float32), np.zeros(0, np.float32)],
    ),
    "binary_cross_entropy_with_logits": (
        lambda nnf, x, y, r: nnf.binary_cross_entropy_with_logits(x, y, reduction=r),
        [np.zeros(0, np.float32), np.zeros(0, np.float32)],
    ),
    "nll_loss": (
        lambda nnf, x, t, r: nnf.nll_loss(x, t, reduction=r),
        [np.zeros((0, 4), np.float32), np.zeros(0, np.int64)],
    ),
    "cross_entropy": (
        lambda nnf, x, t, r: nnf.cross_entropy(x, t, reduction=r),
        [np.zeros((0, 4), np.float32), np.zeros(0, np.int64)],
    ),
    "cross_entropy_2d": (
        lambda nnf, x, t, r: nnf.cross_entropy(x, t, reduction=r),
        [np.zeros((0, 4, 2), np.float32), np.zeros((0, 2), np.int64)],
    ),
    "cross_entropy_probabilities": (
        lambda nnf, x, p, r: nnf.cross_entropy(x, p, reduction=r),
        [np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32)],
    ),
}


@pytest.mark.parametrize("name", EMPTY)
def test_empty_batches_as_torch(name):
    fn, arrays = EMPTY[name]
    compare(fn, [a.astype(np.float32) for a in arrays])


@pytest.mark.parametrize("name", EMPTY_LOSSES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_of_an_empty_batch_as_torch(name, reduction):
    loss, arrays = EMPTY_LOSSES[name]
    out = compare(lambda lib, nnf, *inputs: loss(nnf, *inputs, reduction), arrays)
    if reduction == "mean":
        assert np.isnan(out)
    elif reduction == "sum":
        assert out == 0
    else:
        assert out.size == 0


def test_an_empty_batch_trains_a_layer_without_changing_it():
    """An empty batch gives zero gradients (not NaN) to the weights under reduction='sum'."""
    mg.manual_seed(0)
    layer = mg.nn.Linear(5, 3)
    before = layer.state_dict()
    loss = F.cross_entropy(layer(mg.zeros(0, 5)), mg.zeros(0, dtype=mg.int64), reduction="sum")
    loss.backward()
    mg.optim.SGD(layer.parameters(), lr=0.1).step()
    assert all(np.array_equal(v, before[k]) for k, v in layer.state_dict().items())
    assert all((p.grad.numpy() == 0).all() for p in layer.parameters())
