"""Engine semantics (minigrad/engine.py, function.py, grad_mode.py) against PyTorch.

Accumulation, retain_graph and freed saved arrays, retain_grad, detach, grad mode (also
across threads), non-differentiable dtypes, a deep chain, custom Functions, and that leaf
gradients never alias one another or the caller's arrays.
"""

import gc
import threading
import weakref

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.autograd import Function

pytestmark = pytest.mark.filterwarnings("error")


def _leaf(lib, values=(0.5, 1.0, 2.0)):
    return lib.tensor(list(values), requires_grad=True)


# ----- accumulation and retain_graph ----------------------------------------------------------


def test_leaf_gradients_accumulate_across_backward_calls():
    grads = []
    for lib in (mg, torch):
        x = _leaf(lib)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        x.exp().sum().backward(retain_graph=True)
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


# Each op's graph, run backward twice without retain_graph: torch decides whether the
# second run raises (an op saved arrays that the first run freed) or works (it saved none).
SECOND_BACKWARD = {
    "add": lambda m, x: x + 1,
    "add_tensor": lambda m, x: x + m.ones(3),
    "rsub": lambda m, x: 1 - x,
    "neg": lambda m, x: -x,
    "mul_scalar": lambda m, x: x * 2,
    "mul_tensor": lambda m, x: x * m.ones(3),
    "mul_self": lambda m, x: x * x,
    "div_scalar": lambda m, x: x / 2,
    "rdiv": lambda m, x: 2 / x,
    "pow": lambda m, x: x**2,
    "exp": lambda m, x: x.exp(),
    "log": lambda m, x: x.log(),
    "sqrt": lambda m, x: x.sqrt(),
    "abs": lambda m, x: x.abs(),
    "clamp": lambda m, x: x.clamp(0, 1),
    "relu": lambda m, x: x.relu(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "tanh": lambda m, x: x.tanh(),
    "softmax": lambda m, x: x.softmax(0),
    "log_softmax": lambda m, x: x.log_softmax(0),
    "sum": lambda m, x: x.sum(),
    "mean": lambda m, x: x.mean(),
    "max": lambda m, x: x.max(),
    "max_dim": lambda m, x: x.max(0).values,
    "reshape": lambda m, x: x.reshape(3, 1),
    "view": lambda m, x: x.view(3, 1),
    "transpose": lambda m, x: x.reshape(3, 1).transpose(0, 1),
    "permute": lambda m, x: x.reshape(3, 1).permute(1, 0),
    "unsqueeze_squeeze": lambda m, x: x.unsqueeze(0).squeeze(0),
    "flatten": lambda m, x: x.reshape(3, 1).flatten(),
    "slice": lambda m, x: x[1:],
    "int_index": lambda m, x: x[1],
    "int_array_index": lambda m, x: x[m.tensor([0, 2])],
    "mask": lambda m, x: x[m.tensor([True, False, True])],
    "cat": lambda m, x: m.cat([x, x]),
    "stack": lambda m, x: m.stack([x, x]),
    "where": lambda m, x: m.where(m.tensor([True, False, True]), x, 0.0),
    "matmul": lambda m, x: x @ m.ones(3),
    "double": lambda m, x: x.double(),
    "clone": lambda m, x: x.clone(),
}


@pytest.mark.parametrize("op", SECOND_BACKWARD)
def test_second_backward_raises_exactly_when_torch_does(op):
    outcomes = []
    for lib in (mg, torch):
        x = _leaf(lib)
        loss = SECOND_BACKWARD[op](lib, x).sum()
        loss.backward()
        try:
            loss.backward()
            outcomes.append(("runs", x.grad.tolist()))
        except RuntimeError as e:
            assert "retain_graph=True" in str(e)
            outcomes.append(("raises", None))
    assert outcomes[0][0] == outcomes[1][0]
    if outcomes[0][1] is not None:
        np.testing.assert_allclose(outcomes[0][1], outcomes[1][1], rtol=1e-6)


def test_second_backward_error_names_the_op():
    x = _leaf(mg)
    loss = x.exp().sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"ExpBackward0 a second time.*retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_repeated_backward_and_accumulates():
    grads = []
    for lib in (mg, torch):
        x = _leaf(lib)
        loss = (x.exp() * x).sum()
        loss.backward(retain_graph=True)
        loss.backward(retain_graph=True)
        loss.backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_backward_frees_the_saved_arrays_unless_retained():
    for retain in (False, True):
        x = _leaf(mg)
        hidden = (x * 3).exp()  # ExpBackward0 saves this output array
        loss = hidden.sum()
        saved = weakref.ref(hidden.data)
        del hidden
        loss.backward(retain_graph=retain)
        gc.collect()
        assert (saved() is None) == (not retain)


# ----- retain_grad and detach -----------------------------------------------------------------


def test_retain_grad_keeps_a_non_leaf_gradient():
    results = []
    for lib in (mg, torch):
        x = _leaf(lib)
        y = x * 2
        y.retain_grad()
        z = y * y
        z.retain_grad()
        w = y.exp()
        (z.sum() + w.sum()).backward()
        results.append((y.grad.tolist(), z.grad.tolist(), x.grad.tolist()))
    np.testing.assert_allclose(np.array(results[0], dtype=object).tolist(), results[1], rtol=1e-6)
    y = _leaf(mg) * 2
    y.sum().backward()
    assert y.grad is None  # not retained


def test_retain_grad_accumulates_and_raises_without_grad():
    x = _leaf(mg)
    y = x * 2
    y.retain_grad()
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]
    x.retain_grad()  # a no-op on a leaf, as in torch
    with pytest.raises(RuntimeError, match="retain_grad"):
        mg.tensor([1.0]).retain_grad()


def test_retain_grad_then_inplace_keeps_the_gradient_of_the_new_values():
    results = []
    for lib in (mg, torch):
        x = _leaf(lib)
        y = x * 2
        y.retain_grad()
        y.mul_(3)  # found: minigrad kept the gradient of y's old values
        (y * y).sum().backward()
        results.append((y.grad.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


def test_detach_stops_the_gradient():
    grads = []
    for lib in (mg, torch):
        x = _leaf(lib)
        (x.detach() * x + (x * 2).detach()).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [0.5, 1.0, 2.0]


# ----- grad mode ------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_as_context_managers():
    x = _leaf(mg)
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            z = x * 2
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.grad_fn is not None


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), mg.no_grad():
        raise ValueError
    assert mg.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    x = _leaf(mg)

    @mg.no_grad()
    def frozen(t):
        assert not mg.is_grad_enabled()
        return t * 2

    @mg.enable_grad()
    def recorded(t):
        return t * 2

    assert frozen.__name__ == "frozen"
    assert not frozen(x).requires_grad
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert recorded(x).requires_grad
        assert not mg.is_grad_enabled()
    from minigrad import autograd

    assert autograd.no_grad is mg.no_grad and autograd.is_grad_enabled is mg.is_grad_enabled


def _generator_grad_modes(lib, decorator):
    """What a decorated generator sees at each resume (next, send, throw, close, return)
    and what its caller sees in between; the same list for minigrad and torch."""
    seen = []

    @decorator(lib)
    def steps():
        try:
            sent = yield lib.is_grad_enabled()
            seen.append(("sent", sent, lib.is_grad_enabled()))
            try:
                yield lib.is_grad_enabled()
            except KeyError:
                seen.append(("caught", lib.is_grad_enabled()))
            yield (lib.tensor([1.0], requires_grad=True) * 2).requires_grad
            yield lib.is_grad_enabled()
        finally:
            seen.append(("finally", lib.is_grad_enabled()))

    @decorator(lib)
    def returns():
        yield lib.is_grad_enabled()
        return "done"

    gen = steps()
    seen.append(("first", next(gen), lib.is_grad_enabled()))
    seen.append(("send", gen.send(7), lib.is_grad_enabled()))
    with lib.no_grad():  # the caller's mode changes between resumes: the body's does not
        seen.append(("throw", gen.throw(KeyError), lib.is_grad_enabled()))
    seen.append(("next", next(gen), lib.is_grad_enabled()))
    gen.close()
    seen.append(("closed", lib.is_grad_enabled()))
    seen.append(("yield from", list(_delegate(returns)), lib.is_grad_enabled()))
    seen.append(steps.__name__)
    return seen


def _delegate(generator_function):
    result = yield from generator_function()
    yield result


@pytest.mark.parametrize(
    "decorator",
    [
        lambda lib: lib.no_grad(),
        lambda lib: lib.no_grad,
        lambda lib: lib.enable_grad(),
        lambda lib: lib.set_grad_enabled(False),
    ],
    ids=["no_grad()", "no_grad", "enable_grad()", "set_grad_enabled(False)"],
)
@pytest.mark.parametrize("outside", [True, False], ids=["grad-on", "grad-off"])
def test_grad_mode_decorators_cover_each_resume_of_a_generator_as_torch(decorator, outside):
    """Found in audit: a decorated generator function ran its body in the caller's mode."""
    results = []
    for lib in (mg, torch):
        with lib.set_grad_enabled(outside):
            results.append(_generator_grad_modes(lib, decorator))
    assert results[0] == results[1]
    assert mg.is_grad_enabled()


def test_set_grad_enabled_as_a_function_a_context_and_a_decorator_as_torch():
    """Found in audit: minigrad had no set_grad_enabled, a common training-loop idiom."""
    results = []
    for lib in (mg, torch):
        seen = []
        lib.set_grad_enabled(False)  # as a function: at once, until changed back
        seen.append(lib.is_grad_enabled())
        with lib.set_grad_enabled(True):
            seen.append(lib.is_grad_enabled())
        seen.append(lib.is_grad_enabled())
        lib.set_grad_enabled(True)

        @lib.set_grad_enabled(False)
        def frozen(lib=lib):
            return lib.is_grad_enabled(), (lib.ones(1, requires_grad=True) * 2).requires_grad

        seen += [lib.is_grad_enabled(), frozen(), lib.is_grad_enabled()]
        with lib.no_grad():
            seen += [frozen(), lib.is_grad_enabled()]
        with pytest.raises(TypeError, match="bool"):
            lib.set_grad_enabled(1)
        seen.append(lib.is_grad_enabled())
        results.append(seen)
    assert results[0] == results[1]
    assert results[0][:3] == [False, True, False]
    from minigrad import autograd

    assert autograd.set_grad_enabled is mg.set_grad_enabled


def test_no_grad_in_one_thread_does_not_affect_another():
    barrier = threading.Barrier(2, timeout=10)
    seen = {}

    def frozen_thread():
        with mg.no_grad():
            barrier.wait()  # the other thread checks while this one is inside no_grad
            barrier.wait()
            seen["frozen"] = (mg.is_grad_enabled(), (_leaf(mg) * 2).requires_grad)

    def normal_thread():
        barrier.wait()
        seen["normal"] = (mg.is_grad_enabled(), (_leaf(mg) * 2).requires_grad)
        barrier.wait()

    threads = [threading.Thread(target=f) for f in (frozen_thread, normal_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"frozen": (False, False), "normal": (True, True)}


def test_a_new_thread_starts_with_grad_enabled():
    seen = []
    with mg.no_grad():
        t = threading.Thread(target=lambda: seen.append(mg.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ----- integer and bool results never require grad --------------------------------------------

NON_DIFFERENTIABLE = {
    "argmax": lambda m, x: x.argmax(),
    "argmin_dim": lambda m, x: m.argmin(x, dim=0),
    "max_indices": lambda m, x: x.max(0).indices,
    "min_indices": lambda m, x: m.min(x, 0)[1],
    "eq": lambda m, x: x == 1.0,
    "ne": lambda m, x: x != x,
    "lt": lambda m, x: x < 1.0,
    "ge": lambda m, x: x >= m.ones(3),
    "long": lambda m, x: x.long(),
    "int": lambda m, x: x.int(),
    "bool": lambda m, x: x.bool(),
    "to_int64": lambda m, x: x.to(m.int64),
    "long_arith": lambda m, x: x.long() * 2 + 1,
    "long_sum": lambda m, x: x.long().sum(),
    "long_index": lambda m, x: x.long()[0:2],
}


@pytest.mark.parametrize("op", NON_DIFFERENTIABLE)
def test_integer_and_bool_results_do_not_require_grad(op):
    for lib in (mg, torch):
        out = NON_DIFFERENTIABLE[op](lib, _leaf(lib))
        assert not out.requires_grad and out.grad_fn is None and out.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        NON_DIFFERENTIABLE[op](mg, _leaf(mg)).sum().backward()


# ----- a deep graph ---------------------------------------------------------------------------


class Counted(Function):
    """out = x;  d/dx = 1, counting how often backward runs."""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        Counted.calls += 1
        return grad


def test_a_100000_op_chain_backpropagates_without_recursion_each_node_once():
    Counted.calls = 0
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = Counted.apply(y)
    y.sum().backward()
    assert Counted.calls == 100_000
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # freeing the chain must not recurse either


def test_shared_subgraphs_run_backward_once():
    Counted.calls = 0
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a = Counted.apply(x)
    b = Counted.apply(a)
    out = (a * 3 + b * b + Counted.apply(a)).sum()  # a feeds three branches
    out.backward()
    assert Counted.calls == 3
    assert x.grad.tolist() == [3 + 2 * 1 + 1, 3 + 2 * 2 + 1]


class Stop(Function):
    """out = x;  backward returns None: no gradient flows back through it."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        return None


class TorchStop(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        return None


def test_a_node_still_runs_when_one_of_its_consumers_sends_no_gradient():
    """Found in review: the dependency-counting engine never ran a node one of whose
    consumers returned None for it, so x got no gradient at all; the order of recording
    makes such counts unnecessary."""
    grads = []
    for lib, stop in ((mg, Stop), (torch, TorchStop)):
        x = _leaf(lib, (1.0, 2.0))
        a = x * 3
        (stop.apply(a) + a * a).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [18.0, 36.0]


# ----- custom Functions -----------------------------------------------------------------------


SEEN = {}  # what Scale.forward received


class Scale(Function):
    """out = factor * x + shift (factor positional, shift a keyword);  d/dx = factor."""

    @staticmethod
    def forward(ctx, x, factor, *, shift=0.0, label=None):
        SEEN.clear()
        SEEN.update({"x_type": type(x), "factor": factor, "label": label,
                     "needs": ctx.needs_input_grad})  # fmt: skip
        ctx.factor = factor
        ctx.save_for_backward(x, np.array(factor))
        return x * factor + shift

    @staticmethod
    def backward(ctx, grad):
        _, factor = ctx.saved
        assert isinstance(ctx.saved, tuple) and factor == ctx.factor
        return grad * factor, None


def test_custom_function_context_and_arguments():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = Scale.apply(x, 3, shift=1.0, label=["kept"])
    assert SEEN == {"x_type": np.ndarray, "factor": 3, "label": ["kept"],
                          "needs": (True, False)}  # fmt: skip
    assert out.tolist() == [4.0, 7.0] and out.grad_fn.name() == "ScaleBackward0"
    out.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and x.grad.dtype == mg.float32
    Scale.apply(mg.tensor([1.0]), 2)
    assert SEEN["needs"] == (False, False)
    with mg.no_grad():  # PyTorch's needs_input_grad says what requires grad, even here
        out = Scale.apply(x, 2)
    assert SEEN["needs"] == (True, False) and not out.requires_grad


class Power(Function):
    """out = x ** n, n kept as ctx.order: any name but the graph's is the op's own."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.order = n
        ctx.name = ctx.versions = ctx.retained = ctx.sequence = "the op's own"
        ctx.save_for_backward(x)
        return x**n

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * ctx.order * x ** (ctx.order - 1), None


def test_custom_function_attributes_are_its_own():
    """Found in review: the engine's node number was stored as ctx.order, after forward,
    overwriting a custom op's own ctx.order."""
    x = mg.tensor([1.5, 2.0], requires_grad=True)
    y = Power.apply(x, 3)
    y.retain_grad()
    y.sum().backward()
    assert x.grad.tolist() == [6.75, 12.0] and y.grad.tolist() == [1.0, 1.0]
    assert "PowerBackward0" in repr(y) and "PowerBackward0" in mg.viz.to_text(y)
    with pytest.raises(RuntimeError, match="through PowerBackward0 a second time"):
        y.sum().backward()


class TwoOutputs(Function):
    @staticmethod
    def forward(ctx, x):
        return x, x

    @staticmethod
    def backward(ctx, grad):
        return grad


class Traced(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.created_at = "the op's own"
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        assert ctx.created_at == "the op's own"
        return grad


def test_custom_function_with_two_outputs_raises_and_ctx_names_survive_anomaly_mode():
    """Found in audit: a tuple from forward was stacked into one array silently, and anomaly
    mode overwrote a custom op's ctx.created_at."""
    with pytest.raises(TypeError, match=r"TwoOutputs\.forward returned a tuple"):
        TwoOutputs.apply(mg.tensor([1.0]))
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.autograd.detect_anomaly():
        Traced.apply(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


class BroadcastAdd(Function):
    """out = x + y;  d/dx = d/dy = 1, returned at the broadcast shape in float64."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(np.float64), grad.astype(np.float64)


def test_custom_backward_gradients_are_reduced_to_each_input_shape_and_dtype():
    x = mg.tensor(np.ones((2, 1, 3), np.float32), requires_grad=True)
    y = mg.tensor(np.ones((4, 1)), requires_grad=True)  # float64
    out = BroadcastAdd.apply(x, y)
    assert out.shape == (2, 4, 3)
    out.backward(mg.ones(2, 4, 3, dtype=mg.float32) * 2)
    assert x.grad.shape == (2, 1, 3) and x.grad.dtype == mg.float32
    assert y.grad.shape == (4, 1) and y.grad.dtype == mg.float64
    assert np.all(x.grad.numpy() == 8.0) and np.all(y.grad.numpy() == 12.0)


class OneGradientTooMany(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, grad


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, grad):
        return np.ones(5)


def test_custom_backward_returning_the_wrong_number_or_shape_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"OneGradientTooManyBackward0.*returned 2 gradients"):
        OneGradientTooMany.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"WrongShapeBackward0.*shape \(5,\).*\(2,\)"):
        WrongShape.apply(x).backward()


# ----- gradients are never aliased ------------------------------------------------------------

TWO_LEAVES = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "add_self": lambda a, b: a + a + b,
    "add_reshaped": lambda a, b: a.reshape(2, 2) + b.reshape(2, 2),
    "cat": lambda a, b: mg.cat([a, b]).reshape(2, 4),
    "stack": lambda a, b: mg.stack([a, b]),
    "index": lambda a, b: a[0:4] + b[[0, 1, 2, 3]],
    "where": lambda a, b: mg.where(a > 0, a, b),
    "transpose": lambda a, b: a.reshape(2, 2).T + b.reshape(2, 2),
    "double_add": lambda a, b: a.double() + b.double(),
}


@pytest.mark.parametrize("op", TWO_LEAVES)
@settings(max_examples=5)
@given(seed=st.integers(0, 100))
def test_leaf_gradients_are_not_aliased(op, seed):
    rng = np.random.default_rng(seed)
    a = mg.tensor(rng.standard_normal(4), requires_grad=True)
    b = mg.tensor(rng.standard_normal(4), requires_grad=True)
    out = TWO_LEAVES[op](a, b)
    upstream = rng.standard_normal(out.shape).astype(out.dtype)
    given_gradient = upstream.copy()
    out.backward(given_gradient)
    b_before = b.grad.numpy().copy()
    a.grad.zero_()
    assert not np.shares_memory(a.grad.data, b.grad.data)
    np.testing.assert_array_equal(b.grad.numpy(), b_before)
    np.testing.assert_array_equal(given_gradient, upstream)
    b.grad.data += 1.0
    np.testing.assert_array_equal(given_gradient, upstream)
    out2 = TWO_LEAVES[op](a, b)
    out2.backward(given_gradient)  # accumulating in place must not write into the gradient
    np.testing.assert_array_equal(given_gradient, upstream)


def test_leaf_backward_does_not_alias_the_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    g = mg.tensor([3.0, 4.0])
    x.backward(g)
    x.grad.zero_()
    assert g.tolist() == [3.0, 4.0]
    array = np.array([1.0, 1.0], np.float32)
    y = x * 1
    y.backward(array)
    x.grad.data += 5
    assert array.tolist() == [1.0, 1.0]


class ReturnsItsSaved(Function):
    """out = x * x; backward returns the very array it saved (a custom op may do that)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(2 * x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (twice_x,) = ctx.saved
        return twice_x


class ReturnsItsAttribute(Function):
    """out = sum(c * x); backward returns an array kept as a ctx attribute."""

    @staticmethod
    def forward(ctx, x):
        ctx.c = np.array([2.0, 3.0])
        return (ctx.c * x).sum()

    @staticmethod
    def backward(ctx, grad):
        return ctx.c


@pytest.mark.parametrize(
    ("op", "expected"), [(ReturnsItsSaved, [6.0, 12.0]), (ReturnsItsAttribute, [6.0, 9.0])]
)
def test_a_leaf_never_keeps_an_array_the_graph_still_holds(op, expected):
    # Accumulating into .grad in place must not write into the op's own arrays.
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = op.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_recorded_inplace_on_a_tensor_with_a_live_view_raises():
    # PyTorch would rewrite the view's graph; minigrad refuses rather than lose a gradient.
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    base = mg.zeros(3)
    view = base[1:]
    with pytest.raises(RuntimeError, match="shares its memory"):
        base[0:2] = w * 1
    with pytest.raises(RuntimeError, match="shares its memory"):
        view += w
    with mg.no_grad():
        view += mg.tensor([1.0, 1.0])  # unrecorded in-place ops through views work
    assert base.tolist() == [0.0, 1.0, 1.0]
