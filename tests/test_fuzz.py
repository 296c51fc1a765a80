"""Fuzzing the public API against PyTorch: random calls with valid and invalid arguments.

Each generated `Call` names an entry of `OPS` and holds its arguments as plain data: `T`
(an array that becomes a Tensor in each library), Python numbers, lists, None, strings.
`check` runs it with torch and with minigrad. Either both succeed, and the results agree
(values, dtypes, shapes, `requires_grad`, and the gradients of the float inputs that
require grad); or minigrad raises ValueError, TypeError, IndexError or RuntimeError (never
another type, never NumPy's own words) with a message in the user's terms. A call that
torch refuses minigrad must refuse too. Every call runs under a timer, so a hang fails.

The numerically stable functions (softmax, log_softmax, sigmoid and every loss) run under
`warnings.simplefilter("error")` when their inputs are finite: no NumPy RuntimeWarning,
even for float32 values near 3e38. Elementwise math on invalid values (`log` of a negative,
`sqrt(-1)`, `0 / 0`) returns what torch returns (NaN, inf), and there NumPy's RuntimeWarning
("invalid value encountered in log") does show: minigrad leaves the user's NumPy error
settings alone and does not pay for `np.errstate` on every elementwise op.

Where minigrad knowingly differs, the `Op` says so: `lenient` where minigrad takes what
torch refuses (slices with negative steps, `max(x, dim=None)`, `squeeze(x, None)`, an
unbatched input's (1,) target with label smoothing);
`torch_quirk`/`torch_grad_quirk` where torch's result is an artefact of its implementation
rather than a rule (`x ** False`'s gradient, a float16 exponent's `y - 1` rounded in
float16, products overflowing inside torch's in-place float16/float32 steps); `python`
where both raise Python's own error (`int(tensor(inf))`). Where float16 rounding makes
the two differ, minigrad must be at least as close as torch to the float64 answer.

Every defect the fuzzer found is pinned as an `@example` of the test that found it, or
as a named test at the end.
"""

import math
import re
import signal
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.nn.functional as F  # noqa: N812
from minigrad import nn

TORCH = SimpleNamespace(lib=torch, F=TF, nn=torch.nn, Tensor=torch.Tensor, name="torch")
MG = SimpleNamespace(lib=mg, F=F, nn=nn, Tensor=mg.Tensor, name="minigrad")

ALLOWED = (ValueError, TypeError, IndexError, RuntimeError)

# NumPy's (and Python's) own words: a message holding one of these leaked from below
# instead of naming the problem in minigrad's terms.
LEAKED = re.compile(
    r"operands could not be broadcast|out of bounds for (array|axis)|for axis \d|ufunc|"
    r"numpy|ndarray|cannot reshape array|'NoneType' object|has no attribute|not subscriptable|"
    r"object is not iterable|unhashable|cannot be interpreted as an integer|"
    r"only integer scalar arrays|setting an array element|could not convert|invalid literal|"
    r"zero-size array|Cannot cast|read-only|Maximum allowed size|"
    r"array of dimension|for array|non-broadcastable output|did not contain a loop"
)

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
FLOATS = ("float16", "float32", "float64")
TOLERANCE = {"float16": 4e-3, "float32": 2e-5, "float64": 1e-11}
CALL_SECONDS = 10  # a call that takes longer has hung


# ----- the data a call is made of ----------------------------------------------------------
@dataclass
class T:
    """An array that becomes a Tensor in each library (a fresh copy per call)."""

    array: np.ndarray
    requires_grad: bool = False

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"T(np.array({self.array.tolist()!r}, {self.array.dtype.name!r}){grad})"


@dataclass
class Call:
    op: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Call({self.op!r}, ({', '.join(parts)}))"


def call(op, *args, **kwargs) -> Call:
    return Call(op, args, kwargs)


def t(values, dtype="float32", requires_grad=False) -> T:
    return T(np.array(values, dtype), requires_grad)


def realize(value, side):
    """The argument as `side` (TORCH or MG) sees it: T becomes that library's Tensor."""
    if isinstance(value, T):
        if side is TORCH:
            x = torch.from_numpy(value.array.copy())
        else:
            x = mg.tensor(value.array.copy())
        return x.requires_grad_(True) if value.requires_grad else x
    if isinstance(value, list):
        return [realize(v, side) for v in value]
    if isinstance(value, tuple):
        return tuple(realize(v, side) for v in value)
    if isinstance(value, str) and value.startswith("dtype:"):
        name = value[len("dtype:") :]
        return getattr(torch, name) if side is TORCH else getattr(mg, name)
    return value


def leaves(value, found):
    """The T arguments that require grad, in order (their Tensors get compared grads)."""
    if isinstance(value, T) and value.requires_grad:
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            leaves(v, found)
    return found


def finite(value) -> bool:
    if isinstance(value, T):
        return value.array.dtype.kind != "f" or bool(np.isfinite(value.array).all())
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    return True


# ----- running a call ----------------------------------------------------------------------
class HangError(Exception):
    pass


def _alarm(signum, frame):
    raise HangError(f"a call took more than {CALL_SECONDS} s")


def run(op, side, c: Call, strict: bool):
    """(result, error, tensors that require grad) of one call on one side."""
    args = [realize(a, side) for a in c.args]
    kwargs = {k: realize(v, side) for k, v in c.kwargs.items()}
    inputs = []
    for a in (*args, *kwargs.values()):
        collect_tensors(a, side, inputs)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CALL_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if strict:  # numerically stable ops on finite inputs: no NumPy warning at all
                strict_warnings()
            try:
                return op.fn(side, *args, **kwargs), None, inputs
            except HangError:
                raise
            except Exception as err:  # every error is inspected by the caller
                return None, err, inputs
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def strict_warnings():
    warnings.simplefilter("error", RuntimeWarning)
    # engine.sum_to, which undoes broadcasting, is plain arithmetic: when the gradients it
    # adds overflow or are inf and -inf, NumPy's warning shows, as for elementwise math
    # (README; test_engine_sums_gradients_as_torch_with_numpys_warning). NumPy attributes
    # it to the caller of its reduce or matmul: NumPy's `.sum()` or the engine's `@`. A
    # stable op's own `np.add.reduce`, outside np.errstate, still fails here.
    for kind in ("invalid value", "overflow"):
        for where, module in (("reduce", r"numpy\."), ("matmul", r"minigrad\.engine")):
            warnings.filterwarnings(
                "ignore", f"{kind} encountered in {where}", RuntimeWarning, module
            )


def collect_tensors(value, side, found):
    if isinstance(value, side.Tensor):
        if value.requires_grad and value.grad_fn is None:
            found.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            collect_tensors(v, side, found)


def plain(value, side):
    """A result as NumPy arrays and Python values, for comparison."""
    if isinstance(value, side.Tensor):
        return value.detach().numpy().copy() if side is TORCH else value.data.copy()
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return (
            type(value)(plain(v, side) for v in value)
            if type(value) in (list, tuple)
            else [plain(v, side) for v in value]
        )
    if isinstance(value, torch.dtype):
        return str(value).replace("torch.", "")
    if isinstance(value, np.dtype):
        return value.name
    return value


def assert_same(expected, got, where, scale, rtol, reach=0.0):
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: expected an array, got {got!r}"
        assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype}, torch {expected.dtype}"
        assert got.shape == expected.shape, f"{where}: shape {got.shape}, torch {expected.shape}"
        # A sum of terms this large overflows, or not, by the order it adds them in.
        overflows = expected.dtype.kind == "f" and reach >= float(np.finfo(expected.dtype).max)
        if not overflows:
            assert_close(expected, got, where, scale, rtol)
    elif isinstance(expected, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(expected), (
            f"{where}: {got!r} vs torch {expected!r}"
        )
        for i, (e, g) in enumerate(zip(expected, got)):
            assert_same(e, g, f"{where}[{i}]", scale, rtol, reach)
    elif isinstance(expected, float) and isinstance(got, float):
        assert_close(np.array(expected), np.array(got), where, scale, rtol)
    else:
        assert type(got) is type(expected) and got == expected, (
            f"{where}: {got!r} vs torch {expected!r}"
        )


def assert_close(expected, got, where, scale, rtol):
    """Equal NaN and inf positions; elsewhere |got - expected| <= rtol * (|expected| + scale).

    `scale` is 0, or for ops that add many terms the largest input magnitude: a sum that
    cancels is exact only relative to its largest terms.
    """
    if expected.dtype.kind != "f":
        assert np.array_equal(expected, got), f"{where}: {got} vs torch {expected}"
        return
    e, g = expected.astype(np.float64), got.astype(np.float64)
    assert (np.isnan(e) == np.isnan(g)).all(), f"{where}: NaN differs: {got} vs torch {expected}"
    big = np.isinf(e) | np.isinf(g)
    assert (e[big] == g[big]).all(), f"{where}: inf differs: {got} vs torch {expected}"
    ok = ~np.isnan(e) & ~big
    rtol = max(rtol, TOLERANCE[expected.dtype.name])
    error = np.abs(e[ok] - g[ok])
    with np.errstate(over="ignore"):  # a scale near float64's largest: the bound is inf
        bound = rtol * (np.abs(e[ok]) + scale) + 4 * np.finfo(expected.dtype).tiny
    assert (error <= bound).all(), f"{where}: {got} vs torch {expected}"


def precision(c: Call) -> float:
    """The rtol of the least precise float input, or float `dtype=` (as in
    `log_softmax(x, dtype=float32)`): torch computes some steps in it."""
    found = [0.0]

    def walk(v):
        if isinstance(v, T) and v.array.dtype.kind == "f":
            found.append(TOLERANCE[v.array.dtype.name])
        elif isinstance(v, str) and v.startswith("dtype:float"):
            found.append(TOLERANCE[v[len("dtype:") :]])
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(list(c.args) + list(c.kwargs.values()))
    return max(found)


def narrowing(c: Call) -> float:
    """How much smaller the narrowest float input's range is than float64's (1 if none)."""
    found = [np.finfo(np.float64).max]

    def walk(v):
        if isinstance(v, T) and v.array.dtype.kind == "f":
            found.append(np.finfo(v.array.dtype).max)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(list(c.args) + list(c.kwargs.values()))
    return float(np.finfo(np.float64).max) / float(min(found))


def input_count(c: Call) -> int:
    """How many numbers the call's arrays hold."""
    count = 0

    def walk(v):
        nonlocal count
        if isinstance(v, T):
            count += v.array.size
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(list(c.args) + list(c.kwargs.values()))
    return count


def input_scale(c: Call) -> float:
    """The largest finite input magnitude: sums and products are exact only relative to it."""
    found = []

    def walk(v):
        if isinstance(v, T) and v.array.dtype.kind in "fiub" and v.array.size:
            a = v.array.astype(np.float64)
            found.append(float(np.abs(a[np.isfinite(a)]).max(initial=0.0)))
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, (int, float)) and math.isfinite(v):
            found.append(abs(float(v)))

    walk(list(c.args) + list(c.kwargs.values()))
    return max(found, default=0.0)


def widened(v):
    """The call (or argument) with every float array cast to float64."""
    if isinstance(v, Call):
        return Call(v.op, widened(v.args), {k: widened(x) for k, x in v.kwargs.items()})
    if isinstance(v, T) and v.array.dtype.kind == "f":
        return T(v.array.astype(np.float64), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v)(widened(x) for x in v)
    return v


def assert_as_accurate_as_torch(op, c: Call, expected, got):
    """With float16 in play torch rounds some steps in float16, minigrad only its result.

    Where the two differ, minigrad must be at least as close as torch to the float64 answer
    (PyTorch's own float16 error is the yardstick: 'the same accuracy as torch').
    """
    if precision(c) < TOLERANCE["float16"] or not isinstance(expected, torch.Tensor):
        raise
    exact, error, _ = run(op, TORCH, widened(c), strict=False)
    assert error is None and isinstance(exact, torch.Tensor), f"{c}: no float64 reference"
    e = exact.detach().numpy().astype(np.float64)
    t = expected.detach().numpy().astype(np.float64)
    g = got.data.astype(np.float64)
    slack = TOLERANCE["float16"] * (np.abs(e) + 1.0)
    same = (g == t) | (np.isnan(g) & np.isnan(t))  # NaN where torch has NaN too
    closer = np.abs(g - e) <= np.abs(t - e) + slack
    assert (same | closer).all(), f"{c}: {g} vs float64 {e}, torch {t}"


def check_error(err, c: Call, where: str):
    assert isinstance(err, ALLOWED), f"{c}: minigrad {where} raised {type(err).__name__}: {err}"
    message = str(err)
    assert message.strip(), f"{c}: minigrad {where} raised {type(err).__name__} with no message"
    assert not LEAKED.search(message), (
        f"{c}: minigrad {where} raised {type(err).__name__} in NumPy's or Python's words: {message}"
    )


def check(c: Call) -> None:
    op = OPS[c.op]
    strict = op.stable and all(finite(a) for a in (*c.args, *c.kwargs.values()))
    expected, torch_error, torch_inputs = run(op, TORCH, c, strict=False)
    got, error, inputs = run(op, MG, c, strict)
    if isinstance(error, RuntimeWarning):
        pytest.fail(f"{c}: NumPy warned in a numerically stable function: {error}")
    if error is not None:
        if op.python and type(error) is type(torch_error):
            return  # int(tensor(inf)) raises Python's OverflowError, in torch as well
        check_error(error, c, "forward")
        return  # refusing is fine; a message in the user's terms was checked above
    if torch_error is not None:
        assert op.lenient and op.lenient(*c.args, **c.kwargs), (
            f"{c}: torch raised {type(torch_error).__name__}: {torch_error}, but minigrad "
            f"returned {got!r}"
        )
        return  # a documented extension: nothing of torch's to compare with
    if op.torch_quirk and op.torch_quirk(*c.args, **c.kwargs):
        return
    scale = input_scale(c) if op.sums else 0.0
    rtol = precision(c)
    # How large a sum of products could grow, against the narrowest float dtype in play.
    reach = scale * scale * input_count(c) * narrowing(c)
    try:
        assert_same(plain(expected, TORCH), plain(got, MG), f"{c}: value", scale, rtol, reach)
    except AssertionError:
        assert_as_accurate_as_torch(op, c, expected, got)
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, mg.Tensor)
        assert got.requires_grad == expected.requires_grad, f"{c}: requires_grad differs"
        quirk = op.torch_grad_quirk and op.torch_grad_quirk(*c.args, **c.kwargs)
        if expected.requires_grad and expected.dtype.is_floating_point and not quirk:
            check_backward(c, op, expected, got, torch_inputs, inputs, strict, scale, rtol, reach)


def check_backward(c, op, expected, got, torch_inputs, inputs, strict, scale, rtol, reach):
    seed = np.random.default_rng(0).standard_normal(expected.shape).astype(np.float64)
    gradient = seed.astype(expected.detach().numpy().dtype)
    try:
        expected.backward(torch.from_numpy(gradient.copy()))
    except Exception:  # torch's own backward failures (e.g. pow with a bool exponent) vary
        return
    error = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if strict:
            strict_warnings()
        try:
            got.backward(mg.tensor(gradient.copy()))
        except Exception as err:  # inspected just below
            error = err
    if isinstance(error, RuntimeWarning):
        pytest.fail(f"{c}: NumPy warned in the backward of a stable function: {error}")
    if error is not None:
        check_error(error, c, "backward")
        return
    # A derivative such as 1 - tanh(x)**2 cancels: exact only relative to 1 (per unit of
    # upstream gradient), not to itself.
    scale = max(scale, 1.0) * max(1.0, float(np.abs(seed).max(initial=0.0)))
    for i, (a, b) in enumerate(zip(torch_inputs, inputs)):
        if a.grad is None or b.grad is None:
            assert a.grad is None and b.grad is None, f"{c}: grad of input {i}: one is None"
            continue
        where = f"{c}: grad of input {i}"
        assert_same(a.grad.numpy(), b.grad.data, where, scale, rtol, reach * scale)


# ----- strategies --------------------------------------------------------------------------
def elements(dtype: str, wild: bool):
    d = np.dtype(dtype)
    if d.kind == "b":
        return st.booleans()
    if d.kind in "iu":
        info = np.iinfo(d)
        small = st.integers(max(info.min, -5), min(info.max, 5))
        return st.one_of(small, st.integers(int(info.min), int(info.max))) if wild else small
    width, big = d.itemsize * 8, float(np.finfo(d).max)
    tame = st.floats(-8, 8, width=width)
    if not wild:
        return tame
    extremes = [0.0, -0.0, big, -big, big / 3, -big / 3, math.inf, -math.inf, math.nan]
    return st.one_of(tame, st.floats(width=width), st.sampled_from(extremes))


@st.composite
def arrays(draw, dtypes=DTYPES, shape=None, wild=None, min_dims=0, max_dims=3, max_side=3):
    dtype = draw(st.sampled_from(dtypes))
    if shape is None:
        shape = draw(
            hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)
        )
    if wild is None:
        wild = draw(st.integers(0, 3)) == 0
    return draw(hnp.arrays(np.dtype(dtype), shape, elements=elements(dtype, wild)))


@st.composite
def tensors(draw, dtypes=DTYPES, shape=None, wild=None, grad=True, **shape_options):
    array = draw(arrays(dtypes, shape, wild, **shape_options))
    requires_grad = grad and array.dtype.kind == "f" and draw(st.booleans())
    return T(array, requires_grad)


def scalars():
    return st.one_of(
        st.integers(-4, 4),
        st.floats(-4, 4, width=32),
        st.booleans(),
        st.sampled_from([math.nan, math.inf, 1e30, -2.5]),
    )


def junk():
    """Arguments that are not what any op takes."""
    return st.sampled_from([None, "a", [1.0, "x"], [[1.0], [2.0, 3.0]], {}, object])


def operands():
    """The second operand of a binary op: mostly tensors, sometimes numbers, lists or junk."""
    return st.one_of(
        tensors(),
        tensors(),
        tensors(),
        scalars(),
        st.lists(st.floats(-3, 3, width=32), min_size=0, max_size=3),
        junk(),
    )


def dims():
    return st.one_of(
        st.integers(-4, 4),
        st.integers(-4, 4),
        st.sampled_from([5, -5, None, 1.0, "1", True, (0, 1), [0], (0, 0), (), (-1, 5)]),
    )


def bools():
    return st.one_of(st.booleans(), st.booleans(), st.sampled_from([1, "yes", None]))


def reductions():
    return st.sampled_from(["mean", "sum", "none", "mean", "sum", "none", "avg", None, "Mean"])


def dtype_names():
    return st.sampled_from([f"dtype:{d}" for d in DTYPES])


# ----- the ops ------------------------------------------------------------------------------
@dataclass
class Op:
    fn: object  # fn(side, *args, **kwargs), written once against the shared API
    calls: st.SearchStrategy  # of (args, kwargs)
    stable: bool = False  # no NumPy warning on finite inputs
    sums: bool = False  # adds up many values: compare with a tolerance relative to the inputs
    lenient: object = None  # lenient(*args, **kwargs): minigrad takes what torch refuses
    torch_grad_quirk: object = None  # quirk(*args, **kwargs): torch's gradient is not the rule
    torch_quirk: object = None  # quirk(*args, **kwargs): torch's value is an artefact
    python: bool = False  # int(x), float(x): Python's conversion errors, as torch's


def args(*strategies, **keywords):
    return st.tuples(st.tuples(*strategies), st.fixed_dictionaries(keywords))


def maybe(strategy):
    return st.one_of(st.none(), strategy)


ONE = args(tensors())
OPS: dict[str, Op] = {}


def unary(name, stable=False):
    OPS[name] = Op(lambda s, x: getattr(s.lib, name)(x), st.one_of(ONE, args(junk())), stable)
    OPS[name + "_method"] = Op(lambda s, x: getattr(x, name)(), ONE, stable)


for _name in ("exp", "log", "sqrt", "abs", "relu", "tanh"):
    unary(_name)
unary("sigmoid", stable=True)

OPS["neg"] = Op(lambda s, x: -x, ONE)
OPS["clamp"] = Op(
    lambda s, x, lo, hi: s.lib.clamp(x, min=lo, max=hi),
    args(tensors(), maybe(scalars()), maybe(st.one_of(scalars(), junk()))),
)
for _name in ("softmax", "log_softmax"):
    OPS[_name] = Op(
        lambda s, x, dim, _n=_name: getattr(s.lib, _n)(x, dim), args(tensors(), dims()), True
    )
    OPS["F." + _name] = Op(
        lambda s, x, dim, dtype, _n=_name: getattr(s.F, _n)(x, dim=dim, dtype=dtype),
        args(tensors(), dims(), maybe(st.sampled_from(["dtype:float32", "dtype:float64"]))),
        True,
    )
OPS["F.sigmoid"] = Op(lambda s, x: s.F.sigmoid(x), ONE, True)
OPS["F.relu"] = Op(lambda s, x: s.F.relu(x), ONE)
OPS["F.tanh"] = Op(lambda s, x: s.F.tanh(x), ONE)


# reductions
def reduce_call(name, method):
    if method:
        return lambda s, x, dim, keepdim: getattr(x, name)(dim=dim, keepdim=keepdim)
    return lambda s, x, dim, keepdim: getattr(s.lib, name)(x, dim=dim, keepdim=keepdim)


for _name in ("sum", "mean"):
    OPS[_name] = Op(reduce_call(_name, False), args(tensors(), dims(), bools()), sums=True)
    OPS[_name + "_method"] = Op(
        reduce_call(_name, True), args(tensors(), dims(), bools()), sums=True
    )
    OPS[_name + "_all"] = Op(lambda s, x, _n=_name: getattr(x, _n)(), ONE, sums=True)


def _dim_none(x, dim, keepdim=False):
    return dim is None  # max(x, dim=None) and squeeze(x, None) mean "no dim", as the defaults


for _name in ("max", "min", "argmax", "argmin"):
    OPS[_name] = Op(reduce_call(_name, False), args(tensors(), dims(), bools()), lenient=_dim_none)
    OPS[_name + "_all"] = Op(lambda s, x, _n=_name: getattr(x, _n)(), ONE)


# shapes
def shapes():
    return st.one_of(
        st.lists(st.integers(-2, 4), min_size=0, max_size=4).map(tuple),
        st.sampled_from([(1.5,), ("2",), (None,), (-1, -1)]),
    )


OPS["reshape"] = Op(lambda s, x, shape: x.reshape(shape), args(tensors(), shapes()))
OPS["reshape_varargs"] = Op(lambda s, x, shape: x.reshape(*shape), args(tensors(), shapes()))
OPS["reshape_function"] = Op(lambda s, x, shape: s.lib.reshape(x, shape), args(tensors(), shapes()))
OPS["view"] = Op(lambda s, x, shape: x.view(shape), args(tensors(), shapes()))
OPS["view_transposed"] = Op(lambda s, x, shape: x.T.view(shape), args(tensors(), shapes()))
OPS["transpose"] = Op(lambda s, x, a, b: x.transpose(a, b), args(tensors(), dims(), dims()))
OPS["permute"] = Op(
    lambda s, x, d: x.permute(*d),
    args(tensors(), st.lists(st.integers(-4, 4), max_size=4).map(tuple)),
)
OPS["permute_function"] = Op(
    lambda s, x, d: s.lib.permute(x, d),
    args(tensors(), st.one_of(st.lists(st.integers(-4, 4), max_size=4).map(tuple), dims())),
)
OPS["unsqueeze"] = Op(lambda s, x, d: x.unsqueeze(d), args(tensors(), dims()))
OPS["squeeze"] = Op(lambda s, x, d: s.lib.squeeze(x, d), args(tensors(), dims()), lenient=_dim_none)
OPS["squeeze_all"] = Op(lambda s, x: x.squeeze(), ONE)
OPS["flatten"] = Op(lambda s, x, a, b: s.lib.flatten(x, a, b), args(tensors(), dims(), dims()))
OPS["T"] = Op(lambda s, x: x.T, args(tensors(max_dims=2)))


def indices():
    ints = st.integers(-4, 4)
    item = st.one_of(
        ints,
        st.builds(slice, maybe(ints), maybe(ints), maybe(st.sampled_from([1, 2, -1, 0]))),
        st.lists(ints, max_size=3),
        st.sampled_from([None, Ellipsis, 1.5, "a", [True, False], [[0, 1]]]),
        tensors(dtypes=("int64", "bool", "float32", "int32", "uint8"), grad=False, max_dims=2),
    )
    return st.one_of(item, st.lists(item, min_size=1, max_size=3).map(tuple))


def _negative_step(x, index, value=None):
    """minigrad takes slices with negative steps (a documented extension); torch refuses."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, slice) and i.step is not None and i.step < 0 for i in items)


OPS["getitem"] = Op(
    lambda s, x, i: x[i], args(tensors(min_dims=1), indices()), lenient=_negative_step
)


# conversions
for _name in ("float", "double", "long", "int", "bool", "item", "tolist", "numel", "dim"):
    OPS["." + _name] = Op(lambda s, x, _n=_name: getattr(x, _n)(), ONE)
OPS["to"] = Op(lambda s, x, d: x.to(d), args(tensors(), dtype_names()))
OPS["size"] = Op(lambda s, x, d: x.size(d), args(tensors(), dims()))
OPS["len"] = Op(lambda s, x: len(x), ONE)
OPS["float()"] = Op(lambda s, x: float(x), ONE, python=True)
OPS["int()"] = Op(lambda s, x: int(x), ONE, python=True)
OPS["bool()"] = Op(lambda s, x: bool(x), ONE)
OPS["clone"] = Op(lambda s, x: x.clone(), ONE)
OPS["detach"] = Op(lambda s, x: x.detach(), ONE)

# binary operators, both ways round
BINARY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x**y,
    "@": lambda x, y: x @ y,
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def _exponent_quirk(x, y):
    """x ** False: torch's gradient is 0 * x**-1 (NaN at 0), not its rule for exponent 0;
    torch computes y - 1 for the gradient in a float16 exponent's own dtype; and torch
    tests its rules (0 where y == 0; 0 where x == 0 and y >= 0) on the operands before
    their cast to the result dtype, while it computes with them cast: a float64 1e-50
    base with a float32 exponent is 0 there, yet torch's d/dy is out * log(0), NaN or
    -inf, where minigrad applies the rule to the base it computes with (README)."""
    if type(y) is bool:
        return True
    dtypes_ = [v.array.dtype for v in (x, y) if isinstance(v, T)]
    if np.dtype("float16") in dtypes_ and len(set(dtypes_)) > 1:
        return True
    result = torch.result_type(
        *(torch.from_numpy(v.array) if isinstance(v, T) else v for v in (x, y))
    )
    for v in (x, y):
        if isinstance(v, T) and v.array.dtype.kind == "f":
            cast = torch.from_numpy(v.array).to(result).double().numpy()
            if ((cast == 0) != (v.array == 0)).any():  # a sign flips only by rounding to 0
                return True
    return False


for _name, _f in BINARY.items():
    _sums = _name == "@"
    OPS["x" + _name + "y"] = Op(
        lambda s, x, y, _f=_f: _f(x, y), args(tensors(), operands()), sums=_sums
    )
    OPS["y" + _name + "x"] = Op(
        lambda s, x, y, _f=_f: _f(y, x), args(tensors(), operands()), sums=_sums
    )
for _name in ("add", "sub", "mul", "div", "pow"):
    OPS["." + _name] = Op(lambda s, x, y, _n=_name: getattr(x, _n)(y), args(tensors(), operands()))
# max and min with a second Tensor are maximum and minimum (ties split the gradient)
OPS["maximum"] = Op(lambda s, x, y: s.lib.maximum(x, y), args(tensors(), operands()))
OPS["minimum"] = Op(lambda s, x, y: x.minimum(y), args(tensors(), operands()))
OPS["max(x, y)"] = Op(
    lambda s, x, y: s.lib.max(x, y), args(tensors(), operands()), lenient=_dim_none
)
OPS["min(x, y)"] = Op(lambda s, x, y: x.min(y), args(tensors(), operands()), lenient=_dim_none)
for _name in ("x**y", "y**x", ".pow"):
    OPS[_name].torch_grad_quirk = _exponent_quirk


def _reciprocal_quirk(x, y):
    """number / x: torch differentiates it as number * reciprocal(x), whose gradient
    -number * (1 / x)**2 has (1 / x)**2 underflow to 0 (|x| past ~1e22 in float32) or
    overflow to inf (|x| below ~1e-154 in float64) in x's dtype: inf / x then gets
    inf * 0 = NaN where the derivative is -inf, and 0 / x gets 0 * inf = NaN, not -0."""
    if not isinstance(y, (int, float)) or not isinstance(x, T) or x.array.dtype.kind != "f":
        return False
    with np.errstate(all="ignore"):
        r = np.reciprocal(x.array)
        squared = r * r
        return bool((((squared == 0) & (r != 0)) | (np.isinf(squared) & np.isfinite(r))).any())


OPS["y/x"].torch_grad_quirk = _reciprocal_quirk


def _reciprocal_overflow(x, y):
    """number / x: torch's value is number * reciprocal(x) with the reciprocal rounded to x's
    dtype, which overflows to inf where |x| < 1 / max (float16: below 1.5e-5): inf there,
    and 0 * inf = NaN for 0 / x, where minigrad divides (README lists it)."""
    if not isinstance(y, (int, float)) or not isinstance(x, T) or x.array.dtype.kind != "f":
        return False
    with np.errstate(all="ignore"):
        return bool((np.isinf(np.reciprocal(x.array)) & np.isfinite(x.array)).any())


OPS["y/x"].torch_quirk = _reciprocal_overflow
OPS["matmul"] = Op(
    lambda s, x, y: s.lib.matmul(x, y), args(tensors(max_dims=3), operands()), sums=True
)


# in place: the result is the changed tensor itself
def inplace(name):
    return lambda s, x, y: getattr(x, name)(y)


for _name in ("add_", "sub_", "mul_", "div_", "copy_"):
    OPS[_name] = Op(inplace(_name), args(tensors(), operands()))
OPS["fill_"] = Op(inplace("fill_"), args(tensors(), st.one_of(scalars(), junk())))
OPS["zero_"] = Op(lambda s, x: x.zero_(), ONE)


def _iadd(s, x, y):
    x += y
    return x


def _setitem(s, x, i, v):
    x[i] = v
    return x


OPS["+="] = Op(_iadd, args(tensors(), operands()))


def _grad_into_integers(x, index, value):
    """torch marks an integer tensor as requiring grad after x[i] = a float that does."""
    return x.array.dtype.kind != "f" and isinstance(value, T) and value.requires_grad


OPS["setitem"] = Op(
    _setitem,
    args(tensors(min_dims=1), indices(), operands()),
    lenient=_negative_step,
    torch_quirk=_grad_into_integers,
)


# joining and choosing
def tensor_lists():
    return st.one_of(
        st.lists(tensors(max_dims=2, max_side=2), min_size=0, max_size=3),
        tensors(),
        junk(),
    )


OPS["cat"] = Op(lambda s, xs, d: s.lib.cat(xs, dim=d), args(tensor_lists(), dims()))
OPS["stack"] = Op(lambda s, xs, d: s.lib.stack(xs, dim=d), args(tensor_lists(), dims()))
OPS["where"] = Op(
    lambda s, c, x, y: s.lib.where(c, x, y),
    args(
        tensors(dtypes=("bool", "bool", "bool", "int64", "float32"), grad=False),
        operands(),
        operands(),
    ),
)


# factories
def sizes():
    return st.lists(st.one_of(st.integers(-1, 3), st.sampled_from([2.0, None])), max_size=3).map(
        tuple
    )


for _name in ("zeros", "ones"):
    OPS[_name] = Op(
        lambda s, size, dtype, _n=_name: getattr(s.lib, _n)(*size, dtype=dtype),
        args(sizes(), maybe(dtype_names())),
    )
    OPS[_name + "_like"] = Op(
        lambda s, x, dtype, _n=_name: getattr(s.lib, _n + "_like")(x, dtype=dtype),
        args(tensors(), maybe(dtype_names())),
    )
OPS["full"] = Op(
    lambda s, size, v, dtype: s.lib.full(size, v, dtype=dtype),
    args(sizes(), scalars(), maybe(dtype_names())),
)
_bound = st.one_of(st.integers(-5, 5), st.floats(-5, 5, width=32), st.sampled_from([math.inf]))


def _fills_gigabytes(call_args):
    """A range of 1e6 to 1e13 values: torch allocates and fills it (up to 80 GB), and the
    comparison of two such arrays could exhaust memory (a random run was OOM-killed). Fewer
    values are cheap; more fail fast in both libraries, as pinned below."""
    (a, b, step, _), _ = call_args
    if b is None or not (math.isfinite(a) and math.isfinite(b) and math.isfinite(step)) or not step:
        return False
    return 1e6 < abs((b - a) / step) < 1e13


OPS["arange"] = Op(
    lambda s, a, b, step, dtype: (
        s.lib.arange(a, dtype=dtype) if b is None else s.lib.arange(a, b, step, dtype=dtype)
    ),
    args(
        _bound,
        maybe(_bound),
        st.one_of(st.sampled_from([1, 2, -1, 0, 0.5, -0.5]), _bound),
        maybe(dtype_names()),
    ).filter(lambda c: not _fills_gigabytes(c)),
)
OPS["eye"] = Op(
    lambda s, n, m, dtype: s.lib.eye(n, dtype=dtype) if m is None else s.lib.eye(n, m, dtype=dtype),
    args(st.integers(-1, 3), maybe(st.integers(-1, 3)), maybe(dtype_names())),
)
OPS["tensor"] = Op(
    lambda s, data, dtype: s.lib.tensor(data, dtype=dtype),
    args(
        st.one_of(scalars(), st.lists(scalars(), max_size=3), junk(), st.just([[1, 2], [3]])),
        maybe(dtype_names()),
    ),
)


# nn.functional: layers
@st.composite
def linear_args(draw):
    n, i, o = draw(st.integers(0, 3)), draw(st.integers(0, 3)), draw(st.integers(0, 3))
    dtype = draw(st.sampled_from(("float32", "float64", "float32", "int64", "float16")))
    x_shape = draw(st.sampled_from([(n, i), (i,), (2, n, i), (n, i + 1), ()]))
    w_shape = draw(st.sampled_from([(o, i), (o, i), (i,), (o, i, 1)]))
    wdtype = draw(st.sampled_from((dtype, dtype, "float64")))
    x = draw(tensors(dtypes=(dtype,), shape=x_shape))
    w = draw(tensors(dtypes=(wdtype,), shape=w_shape))
    b = draw(maybe(tensors(dtypes=(wdtype,), shape=draw(st.sampled_from([(o,), (o,), (o + 1,)])))))
    return (x, w, b), {}


OPS["F.linear"] = Op(lambda s, x, w, b: s.F.linear(x, w, b), linear_args(), sums=True)


def _one_hot_fills_gigabytes(call_args):
    """num_classes=-1 counts the largest index + 1 classes: between 1e6 and 1e13 entries
    torch allocates and fills the result, 8 bytes each (a random run was OOM-killed);
    more fail fast in both libraries, as pinned below."""
    (x, n), _ = call_args
    a = x.array
    if n != -1 or a.size == 0 or a.dtype.kind not in "iu":
        return False
    return 1e6 < a.size * (int(a.max()) + 1) < 1e13


OPS["F.one_hot"] = Op(
    lambda s, x, n: s.F.one_hot(x, n),
    args(
        tensors(dtypes=("int64", "int64", "int32", "float32"), grad=False), st.integers(-2, 5)
    ).filter(lambda c: not _one_hot_fills_gigabytes(c)),
)
OPS["F.dropout"] = Op(  # deterministic cases only: eval mode, p = 0 or 1, or a bad p
    lambda s, x, p, training: s.F.dropout(x, p, training=training),
    st.one_of(
        args(tensors(), st.sampled_from([0.0, 1.0, 1.5, -0.1]), st.just(True)),
        args(tensors(), st.floats(0, 1), st.just(False)),
    ),
)


# nn.functional: losses
@st.composite
def pair_args(draw, probabilities=False):
    """(input, target) of the same shape, mostly; sometimes mismatched or of other dtypes."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    dtype = draw(st.sampled_from(("float32", "float32", "float64", "float16", "int64")))
    other = draw(st.sampled_from([shape, shape, shape, (*shape, 2), shape[1:], (2,)]))
    ydtype = draw(st.sampled_from((dtype, dtype, "float32", "float64", "int64")))
    wild = draw(st.integers(0, 3)) == 0
    if probabilities:
        unit = st.floats(0, 1, width=np.dtype(dtype).itemsize * 8) if dtype in FLOATS else None
        x = draw(tensors(dtypes=(dtype,), shape=shape, wild=wild))
        if unit is not None and not wild:
            x.array = draw(hnp.arrays(np.dtype(dtype), shape, elements=unit))
    else:
        x = draw(tensors(dtypes=(dtype,), shape=shape, wild=wild))
    y = draw(tensors(dtypes=(ydtype,), shape=other, wild=wild))
    return x, y


def weights(shape_of):
    return st.one_of(st.none(), st.none(), st.builds(lambda x: x, shape_of))


@st.composite
def mse_args(draw):
    x, y = draw(pair_args())
    weight = draw(maybe(tensors(dtypes=("float32", "float64"), shape=x.array.shape, grad=False)))
    return (x, y), {"reduction": draw(reductions()), "weight": weight}


@st.composite
def bce_args(draw, logits=False):
    x, y = draw(pair_args(probabilities=not logits))
    kw = {"reduction": draw(reductions())}
    shapes_ = [x.array.shape, x.array.shape[-1:], (5,)]
    kw["weight"] = draw(
        maybe(tensors(dtypes=FLOATS, shape=draw(st.sampled_from(shapes_)), grad=False))
    )
    if logits:
        kw["pos_weight"] = draw(
            maybe(tensors(dtypes=FLOATS, shape=draw(st.sampled_from(shapes_)), grad=False))
        )
    return (x, y), kw


@st.composite
def class_args(draw, nll=False, smoothing=False):
    """(input, target) for nll_loss and cross_entropy: (C,), (N, C) or (N, C, d), with
    class-index targets (in range, ignored, or out of range) or probabilities."""
    n, c, d = draw(st.integers(0, 3)), draw(st.integers(0, 4)), draw(st.integers(1, 2))
    shape = draw(st.sampled_from([(n, c), (n, c), (c,), (n, c, d)]))
    dtype = draw(st.sampled_from(("float32", "float32", "float64", "float16", "int64")))
    x = draw(tensors(dtypes=(dtype,), shape=shape))
    ignore = draw(st.sampled_from([-100, -100, 0, 1, -1]))
    target_shape = (shape[0], *shape[2:]) if len(shape) > 1 else ()
    kind = draw(st.sampled_from(["index", "index", "index", "probabilities", "bad"]))
    if kind == "index":
        classes = st.one_of(st.integers(0, max(c - 1, 0)), st.sampled_from([ignore, c, -1]))
        target = T(draw(hnp.arrays(np.int64, target_shape, elements=classes)))
    elif kind == "probabilities":
        target = draw(tensors(dtypes=(dtype, "float32", "float64"), shape=shape, wild=False))
        target.array = np.abs(target.array)
    else:
        target = draw(tensors(shape=draw(st.sampled_from([(n + 1,), target_shape, (c, n)]))))
    kw = {"reduction": draw(reductions()), "ignore_index": ignore}
    if draw(st.booleans()):
        kw["weight"] = draw(
            tensors(
                dtypes=(dtype, dtype, "float64"),
                shape=draw(st.sampled_from([(c,), (c + 1,)])),
                wild=False,
                grad=False,
            )
        )
        kw["weight"].array = np.abs(kw["weight"].array)
    if smoothing:
        kw["label_smoothing"] = draw(st.sampled_from([0.0, 0.0, 0.1, 1.0, 1.5, -0.1]))
    return (x, target), kw


OPS["F.mse_loss"] = Op(lambda s, x, y, **kw: s.F.mse_loss(x, y, **kw), mse_args(), True, True)
OPS["F.binary_cross_entropy"] = Op(
    lambda s, x, y, **kw: s.F.binary_cross_entropy(x, y, **kw), bce_args(), True, True
)


def _narrowed_in_place(x, y, weight=None, pos_weight=None, **kwargs):
    """torch computes (1 - target) * input in place in the target's dtype, and
    log_sigmoid(input) * log_weight in place in the input's: with inputs of mixed float
    dtypes, a product beyond the narrower one's range overflows there, not in minigrad."""
    floats = [a.array for a in (x, y, weight, pos_weight) if a is not None]
    floats = [a for a in floats if a.dtype.kind == "f"]
    if len({a.dtype for a in floats}) < 2:
        return False
    limit = min(float(np.finfo(a.dtype).max) for a in floats)
    biggest = max(float(np.abs(a[np.isfinite(a)]).max(initial=0.0)) for a in floats)
    return biggest * max(biggest, 1.0) > limit


OPS["F.binary_cross_entropy_with_logits"] = Op(
    lambda s, x, y, **kw: s.F.binary_cross_entropy_with_logits(x, y, **kw),
    bce_args(logits=True),
    True,
    True,
    torch_quirk=_narrowed_in_place,
)
OPS["F.nll_loss"] = Op(
    lambda s, x, y, **kw: s.F.nll_loss(x, y, **kw), class_args(nll=True), True, True
)


def _smoothed_unbatched(x, target, label_smoothing=0.0, **kw):
    """An unbatched input's (1,) target: torch takes it, but not with label smoothing (its
    shape error); minigrad takes it either way (a documented extension)."""
    return x.array.ndim == 1 and target.array.shape == (1,) and label_smoothing > 0


OPS["F.cross_entropy"] = Op(
    lambda s, x, y, **kw: s.F.cross_entropy(x, y, **kw),
    class_args(smoothing=True),
    True,
    True,
    lenient=_smoothed_unbatched,
)
OPS["nn.CrossEntropyLoss"] = Op(
    lambda s, x, y, **kw: s.nn.CrossEntropyLoss(**kw)(x, y),
    class_args(smoothing=True),
    True,
    True,
    lenient=_smoothed_unbatched,
)
OPS["nn.MSELoss"] = Op(
    lambda s, x, y, reduction, weight: s.nn.MSELoss(reduction=reduction)(x, y),
    mse_args(),
    True,
    True,
)


# ----- the fuzz tests -------------------------------------------------------------------------
@st.composite
def calls(draw, names):
    name = draw(st.sampled_from(names))
    a, kw = draw(OPS[name].calls)
    return Call(name, a, kw)


def family(*prefixes):
    return sorted(n for n in OPS if n.startswith(prefixes))


LOSSES = family("F.mse", "F.binary", "F.nll", "F.cross", "nn.")
LAYERS = family(
    "F.linear",
    "F.one_hot",
    "F.dropout",
    "F.softmax",
    "F.log_softmax",
    "F.sigmoid",
    "F.relu",
    "F.tanh",
)
OPERATORS = family(
    "x",
    "y",
    ".add",
    ".sub",
    ".mul",
    ".div",
    ".pow",
    "matmul",
    "add_",
    "sub_",
    "mul_",
    "div_",
    "copy_",
    "fill_",
    "zero_",
    "+=",
    "setitem",
    "where",
)
REST = sorted(set(OPS) - set(LOSSES) - set(LAYERS) - set(OPERATORS))

# 1,000 generated calls per test: 4,000 in all (plus the pinned examples), about 13 s on CI.
ci = settings(max_examples=1000)
F64 = "float64"


@ci
@given(calls(REST))
# Each @example is a defect the fuzzer found, fixed: a regression test.
@example(call("argmin", t([0], "int16"), 0, False))  # a NumPy scalar as the Tensor's data
@example(call("to", t(2147483649.0, F64), "dtype:uint8"))  # 0: torch goes through int64, 1
@example(call("sum", t([[1.0]]), 0, "yes"))  # keepdim: NumPy's words
@example(call("sum_method", t([1.0]), 0, 1))  # keepdim=1 accepted
@example(call("relu_method", t([True, False], "bool")))  # int64 out of a bool
@example(call("abs", t(False, "bool")))
@example(call("argmax", t([True], "bool"), 0, False))
@example(call("flatten", t(2, "int8"), 2, 2))  # dims of a 0-d tensor unchecked
@example(call("getitem", t([[0.0]]), 1))  # out of range: NumPy's words
@example(call("getitem", t([[1, 2]], "uint8"), [1, 0]))
@example(call("getitem", t([1.0, 2.0]), ("a", 1)))
@example(call("getitem", t([1.0]), (0, 0)))
@example(call("zeros", (), None))  # no size
@example(call("reshape_varargs", t(3, "int32"), ()))
@example(call("permute", t(1.0), ()))
@example(call("permute_function", t([3], "int32"), 0))
@example(call("full", (), -3, "dtype:uint8"))  # OverflowError
@example(call("arange", -2, math.inf, 3, "dtype:int64"))  # OverflowError
@example(call("arange", -5, 0, 2.86, "dtype:int32"))  # 3 values, torch 2
@example(call("arange", -0.5, None, math.inf, "dtype:int64"))  # empty: torch checks before int()
@example(call("tensor", [False, -2.5, -3], "dtype:uint8"))  # wrapped around silently
@example(call("max", t(0.0, "float16", True), None, True))  # keepdim dropped
@example(call("clamp", t([8.0], "float16"), 1e30, math.inf))
@example(call("softmax", t([-3e38, 3e38], requires_grad=True), 0))  # overflow warning
@example(call("log_softmax", t([[-3e38], [3e38]], requires_grad=True), 0))
@example(call("arange", 0, 1, 2.2960187523208154e-15, None))  # MemoryError, torch RuntimeError
@example(call("arange", 0, 5, 1.401298464324817e-45, None))  # NumPy's ValueError and words
def test_fuzz_functions_and_methods(c):
    check(c)


@ci
@given(calls(OPERATORS))
@example(call("add_", t([1.0]), {}))  # returned NotImplemented
@example(call("div_", t([3, 4], "uint8"), [-1.5]))
@example(call(".mul", t(3, "int32"), [1.0, 2.0]))  # repeated the list 3 times
@example(call("x**y", t(True, "bool"), t(True, "bool")))  # int8 out of two bools
@example(call(".pow", t([], "int32"), -4))
@example(call("y**x", t([1, 3], "uint8"), -4))  # OverflowError
@example(call("x**y", t(-1.0, "float32", True), 2.154e-12))  # gradient -2e-12, torch NaN
@example(call(".pow", t(2.6987994826630614e-51, F64), t([1.0], requires_grad=True)))  # quirk
@example(call("y-x", t([3, 0, 2], "uint8"), -3))  # OverflowError
@example(call("fill_", t([1, 2], "int64"), None))  # Python's words
@example(call("fill_", t([1.0]), "a"))
@example(call("fill_", t([2], "uint8"), -2.97))  # wrapped around to 254
@example(call("fill_", t([0], "int16"), math.inf))
@example(call("copy_", t(0, "int32"), 1e30))  # OverflowError
@example(call("copy_", t(False, "bool"), t([False], "bool")))  # (1,) squeezed into ()
@example(call("setitem", t([0], "uint8"), 1, t(0, "uint8")))  # NumPy's words
@example(call("setitem", t([0.0, 1.0]), t([0], "int64"), t(True, "bool")))  # dtypes differ
@example(call("setitem", t([1, 3], "int64"), t([], "uint8"), 1e30))  # OverflowError
@example(call("where", t([True, False], "bool"), -1.0, 0.29))  # float64 for two floats
@example(call("x@y", t([1.0, 2.0]), t([True, False], "bool")))  # promoted
@example(call("y@x", t([True], "bool"), t([False], "bool")))
@example(call("x>=y", t([0, 1], "uint8"), -3))  # -3 not cast to uint8 as torch
@example(call("mul_", t(0.0, "float16"), 1e30))  # NaN: 1e30 rounded to float16 first
@example(call(".div", t([0.0], "float16"), t(8.772128386673355e-43)))  # NaN: 0-d rounded too
@example(call(".mul", t([0.0, 2**-24], "float16"), t(1e5)))  # NaN, inf where torch 0, 0.006
@example(call("y/x", t(3.777893186295716e22, requires_grad=True), math.inf))  # torch's NaN
@example(call("y/x", t(1.2876485684041017e-213, F64, True), 0))  # torch's NaN
@example(call("y/x", t(1.1920928955078125e-07, "float16"), 0))  # torch's NaN: 0 * (1 / x = inf)
def test_fuzz_operators(c):
    check(c)


@ci
@given(calls(LAYERS))
@example(call("F.linear", t(np.zeros((2, 0)), F64, True), t(np.zeros((3, 0)), F64, True), None))
@example(call("F.relu", t([True, False], "bool")))
@example(call("F.one_hot", t(np.zeros(0), "int64"), 0))
@example(call("F.one_hot", t([0, 4794536884], "int64"), -1))  # MemoryError, torch RuntimeError
@example(call("F.log_softmax", t([[-3e38, 3e38]]), 1, None))
@example(call("F.log_softmax", t(3.4028235677973366e38, F64), 0, "dtype:float32"))  # -> inf
@example(call("F.log_softmax", t([[0.0, 0.0, 0.0]], F64, True), 1, "dtype:float32"))  # 1 ulp
@example(call("F.log_softmax", t([[6.0, 0.0], [np.inf, 0.0]], "float16"), 1, None))  # harness: NaN
def test_fuzz_layers_and_activations(c):
    check(c)


@ci
@given(calls(LOSSES))
@example(  # target outside [0, 1] accepted
    call("F.binary_cross_entropy", t(0.6, F64), t(8.0, F64, True), reduction="none", weight=None)
)
@example(  # NaN instead of 0 at an ignored target
    call("F.nll_loss", t([np.nan], F64), t(0, "int64"), reduction="sum", ignore_index=0)
)
@example(  # label smoothing over no classes: torch's NaN
    call(
        "nn.CrossEntropyLoss",
        t(np.zeros((3, 0))),
        t([-100, -100, -100], "int64"),
        reduction="sum",
        ignore_index=-100,
        label_smoothing=1.0,
    )
)
@example(  # dtype: float16, torch float32
    call("F.mse_loss", t([], "float16", True), t(6e-24), reduction="mean", weight=None)
)
@example(  # a 0-d float64 weight widened float32 squares: 2.0, torch 0.0 (w underflows)
    call("F.mse_loss", t(0, "int64"), t([1.0, 1.0]), reduction="mean", weight=t(8.8e-163, F64))
)
@example(  # dtype: float32, torch float64
    call("F.mse_loss", t(1.32, F64), t([0.0, 2.0]), reduction="none", weight=None)
)
@example(  # grad -0.0, torch NaN: its 1/sum(w) overflows float32, times w rounded to 0
    call(
        "F.mse_loss",
        t(0.0),
        t([0.0, 0.0], requires_grad=True),
        reduction="mean",
        weight=t(2.45e-120, F64),
    )
)
@example(  # 0-d float64 squares (a NumPy scalar) times a float32 weight overflowed: inf
    call(
        "F.mse_loss", t(0.0, F64), t(4.934807543860837e16, F64), reduction="sum", weight=t(139733.0)
    )
)
@example(  # overflow warning
    call("nn.MSELoss", t(0.0, "float16", True), t([-9413, -9413], "int64"), "sum", None)
)
@example(  # overflow warning
    call(
        "F.binary_cross_entropy_with_logits",
        t([7.18, -0.0], "float16", True),
        t([-5.99e307, -0.0], F64, True),
        reduction="mean",
        weight=None,
        pos_weight=None,
    )
)
@example(  # backward: 0 / 0 warning in float16
    call(
        "F.binary_cross_entropy",
        t(0.0, "float16", True),
        t(0.0, "float16", True),
        reduction="sum",
        weight=None,
    )
)
@example(  # label smoothing over no classes, no samples, nothing ignored: torch's NaN
    call(
        "F.cross_entropy",
        t(np.zeros((0, 0))),
        t(np.zeros(0), "int64"),
        reduction="sum",
        ignore_index=-100,
        label_smoothing=0.1,
    )
)
@example(  # overflow warning: the reduction had left np.errstate
    call(
        "F.nll_loss",
        t([[-6e4], [-6e4]], "float16"),
        t([0, 0], "int64"),
        reduction="sum",
        ignore_index=-100,
    )
)
@example(  # torch refuses with a shape error of its own; lenient, as documented
    call(
        "F.cross_entropy",
        t([0.0, 0.0]),
        t([0], "uint8"),
        reduction="mean",
        ignore_index=-100,
        label_smoothing=0.1,
    )
)
def test_fuzz_losses(c):
    check(c)


# ----- found by the fuzzer in the engine (fixed there) ------------------------------------------
def test_grad_of_a_broadcast_0d_leaf_is_an_array():
    """engine.sum_to summed a broadcast gradient down to a NumPy scalar for a 0-d leaf."""
    x = mg.tensor(1.0, requires_grad=True)
    (x * mg.ones(2)).sum().backward()
    assert type(x.grad.data) is np.ndarray
    x.grad.zero_()  # in place, as optimizers and zero_grad(set_to_none=False) do
    assert x.grad.item() == 0


def test_engine_casts_gradients_silently():
    """A float64 gradient beyond float32's range reaches a float32 leaf as inf, silently."""
    x = mg.tensor([1.0], requires_grad=True)
    y = (x.double() * 1e300).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    assert x.grad.dtype == np.float32 and np.isinf(x.grad.numpy()).all()


@pytest.mark.parametrize("values", [[np.inf, -np.inf], [1e308, 1e308]])
def test_engine_sums_gradients_as_torch_with_numpys_warning(values):
    """Summing a broadcast gradient that meets inf - inf or overflows gives torch's NaN or inf.

    As for elementwise math on invalid values, NumPy's RuntimeWarning shows (README: the
    engine's sums are plain arithmetic, and np.errstate would cost ~1 us per summed bias).
    """
    grads = {}
    for lib in (mg, torch):
        x = lib.tensor([1.0], dtype=lib.float64, requires_grad=True)
        y = x * lib.tensor(values, dtype=lib.float64)
        if lib is mg:
            with pytest.warns(RuntimeWarning, match="encountered in"):
                y.backward(lib.ones(2, dtype=lib.float64))
        else:
            y.backward(lib.ones(2, dtype=lib.float64))
        grads[lib.__name__] = x.grad.item()
    assert not math.isfinite(grads["minigrad"])
    np.testing.assert_equal(grads["minigrad"], grads["torch"])


@example(
    c=call(
        "F.binary_cross_entropy_with_logits",
        T(np.array([-4.2421875, 0.0], "float16")),
        T(np.array([4.5, 0.0], "float64")),
        reduction="mean",
        weight=T(np.array([5.0, 0.0], "float16")),
        pos_weight=T(np.array([0.0, 0.0], "float16")),
    )
)
@given(c=st.just(call("F.mse_loss", T(np.array([1.0], "float16")), T(np.array([2.0], "float16")))))
def test_float16_cancellation_is_judged_against_float64(c):
    """torch gives -0.1465 where the float64 answer is -0.125 (and minigrad -0.1249)."""
    check(c)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.log(lib.tensor([-1.0, 0.0])),
        lambda lib: lib.sqrt(lib.tensor([-1.0])),
        lambda lib: lib.tensor([0.0]) / lib.tensor([0.0]),
        lambda lib: lib.exp(lib.tensor([1000.0])),
    ],
    ids=["log", "sqrt", "0/0", "exp"],
)
def test_invalid_elementwise_math_gives_torchs_values_and_numpys_warning(fn):
    """log(-1) is NaN and exp(1000) inf, as in torch; NumPy's RuntimeWarning shows (minigrad
    leaves the user's NumPy error settings alone and pays no np.errstate per elementwise op)."""
    expected = fn(torch).numpy()
    with pytest.warns(RuntimeWarning):
        got = fn(mg).numpy()
    np.testing.assert_array_equal(got, expected)
