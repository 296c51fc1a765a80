"""Type promotion (minigrad/dtypes.py) against PyTorch: result dtypes, values and refusals.

A table over every pair of {tensor, 0-d tensor} x dtype with {tensor, 0-d tensor, Python
bool/int/float, NumPy scalar} x dtype, for + - * / and comparisons, both operand orders.
"""

import operator

import numpy as np
import pytest
import torch

import minigrad as mg

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
OPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "==": operator.eq,
    "<": operator.lt,
    ">=": operator.ge,
}


def _values(dtype: str, zero_d: bool) -> np.ndarray:
    """Nonzero values (no division by zero), small enough for every dtype."""
    values = np.array([True, True, True] if dtype == "bool" else [3, 1, 2], dtype=dtype)
    return values[0] if zero_d else values  # values[0] of an array is a NumPy scalar


def _tensor_operands(dtype, form):
    array = _values(dtype, zero_d=form == "0-d")
    array = np.asarray(array)
    return mg.tensor(array), torch.from_numpy(array.copy())


def operands():
    """(label, minigrad operand, torch operand) for every right-hand side in the table."""
    out = []
    for dtype in DTYPES:
        for form in ("tensor", "0-d"):
            out.append((f"{form} {dtype}", *_tensor_operands(dtype, form)))
        if dtype != "bool":  # see test_numpy_bool_scalar_acts_as_a_python_bool
            scalar = _values(dtype, zero_d=True)
            out.append((f"numpy {dtype}", scalar, scalar))
    for value in (True, 2, 2.5):
        out.append((f"python {type(value).__name__}", value, value))
    return out


def _outcome(fn):
    """The result's dtype and values, or the exception type when the op is refused."""
    try:
        out = fn()
    except (RuntimeError, TypeError) as e:
        return type(e).__name__, None
    array = out.numpy() if isinstance(out, (mg.Tensor, torch.Tensor)) else None
    return array.dtype.name, array


@pytest.mark.parametrize("op", OPS, ids=str)
@pytest.mark.parametrize("form", ["tensor", "0-d"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_ops_promote_as_torch(op, form, dtype):
    fn = OPS[op]
    x_mg, x_torch = _tensor_operands(dtype, form)
    for label, y_mg, y_torch in operands():
        for reflected in (False, True):
            if reflected and isinstance(y_mg, mg.Tensor):
                continue  # tensor op tensor is covered with the operands swapped
            pairs = [(x_mg, y_mg), (x_torch, y_torch)]
            if reflected:
                pairs = [(b, a) for a, b in pairs]
            ours, ref = (_outcome(lambda a=a, b=b: fn(a, b)) for a, b in pairs)
            what = f"{form} {dtype} {op} {label}" + (" (reflected)" if reflected else "")
            assert ours[0] == ref[0], f"{what}: minigrad {ours[0]}, torch {ref[0]}"
            if ref[1] is not None:
                rtol = 1e-3 if ref[0] == "float16" else 1e-7
                np.testing.assert_allclose(ours[1], ref[1], rtol=rtol, err_msg=what)


def test_float32_never_widens_to_float64():
    x = mg.tensor([1.0, 2.0])
    for y in (np.float64(2.0), 2.5, mg.tensor(2.0, dtype=mg.float64), np.array(3, np.int64)):
        for out in (x * y, y * x, x / y, y / x, x + y, x - y, x**2, 2.0**x):
            assert out.dtype == mg.float32, (type(y), out.dtype)


def test_numpy_bool_scalar_acts_as_a_python_bool():
    # torch 2.13 reads np.bool_ as a float (int64 tensor * np.True_ is float32, and
    # bool tensor - np.True_ is refused), unlike True; minigrad treats every NumPy scalar as
    # the Python number it holds, so np.True_ is True.
    for dtype in DTYPES:
        x = mg.tensor(_values(dtype, zero_d=False))
        for op in ("+", "*", "/", "=="):
            for ours, python in (
                (OPS[op](x, np.True_), OPS[op](x, True)),
                (OPS[op](np.True_, x), OPS[op](True, x)),
            ):
                assert ours.dtype == python.dtype
                np.testing.assert_array_equal(ours.numpy(), python.numpy())


@pytest.mark.parametrize(
    "dtypes",
    [
        ("float32", "float64"),
        ("int64", "float32"),
        ("bool", "int8"),
        ("uint8", "int8"),
        ("int32", "float16"),
    ],
)
def test_cat_and_stack_promote_as_torch(dtypes):
    mine = [mg.tensor(_values(d, False)) for d in dtypes]
    theirs = [torch.from_numpy(_values(d, False)) for d in dtypes]
    assert mg.cat(mine).dtype == torch.cat(theirs).numpy().dtype
    assert mg.stack(mine).dtype == torch.stack(theirs).numpy().dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_promotes_as_torch(dtype):
    condition = np.array([True, False, True])
    x_mg, x_torch = _tensor_operands(dtype, "tensor")
    for label, y_mg, y_torch in operands():
        ours = _outcome(lambda y=y_mg: mg.where(mg.tensor(condition), x_mg, y))
        ref = _outcome(lambda y=y_torch: torch.where(torch.from_numpy(condition), x_torch, y))
        assert ours[0] == ref[0], (
            f"where({dtype} tensor, {label}): minigrad {ours[0]}, torch {ref[0]}"
        )
        if ref[1] is not None:
            np.testing.assert_allclose(ours[1], ref[1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_of_integers_is_int64_as_torch(dtype):
    x = _values(dtype, False)
    assert mg.tensor(x).sum().dtype == torch.from_numpy(x).sum().numpy().dtype
    assert mg.tensor(x).sum(0, keepdim=True).dtype == torch.from_numpy(x).sum(0, True).numpy().dtype


UNARY = {
    "exp": lambda t: t.exp(),
    "log": lambda t: t.log(),
    "sqrt": lambda t: t.sqrt(),
    "sigmoid": lambda t: t.sigmoid(),
    "tanh": lambda t: t.tanh(),
    "abs": lambda t: t.abs(),
    "neg": lambda t: -t,
    "relu": lambda t: t.relu(),
    "clamp_int": lambda t: t.clamp(0, 2),
    "clamp_float": lambda t: t.clamp(0.5),
    "clamp_numpy_float64": lambda t: t.clamp(max=np.float64(1.5)),
    "sum": lambda t: t.sum(),
    "max": lambda t: t.max(),
    "argmax": lambda t: t.argmax(),
    "pow_int": lambda t: t**2,
    "pow_float": lambda t: t**0.5,
    "rpow": lambda t: 2**t,
}


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "float32"])
@pytest.mark.parametrize("op", UNARY)
def test_unary_ops_keep_or_promote_dtypes_as_torch(op, dtype):
    x = _values(dtype, zero_d=False)
    ours = _outcome(lambda: UNARY[op](mg.tensor(x)))
    ref = _outcome(lambda: UNARY[op](torch.from_numpy(x.copy())))
    assert ours[0] == ref[0], f"{op} of {dtype}: minigrad {ours[0]}, torch {ref[0]}"
    if ref[1] is not None:
        np.testing.assert_allclose(ours[1], ref[1], rtol=1e-3 if ref[0] == "float16" else 1e-6)
