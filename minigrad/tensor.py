"""`Tensor`: a NumPy array plus the bookkeeping reverse-mode autograd needs.

Every method that computes something names the op (a `Function` in `minigrad.ops`)
that does the math; this file holds no derivatives.
"""

from collections import namedtuple

import numpy as np

from . import dtypes
from ._format import format_tensor
from .engine import run_backward
from .grad_mode import is_grad_enabled

_new = object.__new__
_SCALARS = (bool, int, float)

# What `x.max(dim)` and `minigrad.max(x, dim)` return, as `torch.return_types.max`.
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])


def _to_array(data, dtype):
    """Convert user data to a fresh array following PyTorch's dtype rules."""
    from_python = not isinstance(data, (np.ndarray, np.generic, Tensor))
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data)
    except ValueError:
        raise ValueError(
            "tensor(): nested sequences must be rectangular (every row the same length); "
            f"got a ragged {type(data).__name__}"
        ) from None
    if from_python and (array.dtype.kind in "uO" or _past_int64(array)):
        array = _big_ints(data, array)
    if array.dtype.kind not in "biuf":
        held = {"U": "text", "S": "bytes", "c": "complex numbers"}.get(array.dtype.kind, "objects")
        got = type(data).__name__ if array.ndim == 0 else f"a {type(data).__name__} of {held}"
        # PyTorch's types: TypeError for text, RuntimeError when it cannot infer a dtype.
        error = TypeError if array.dtype.kind in "USc" else RuntimeError
        raise error(f"tensor(): data must be numbers (bool, int64-sized int, float), got {got}")
    if dtype is not None:
        if from_python and dtype.kind in "iu" and array.size and array.dtype.kind in "iuf":
            _check_integers(array, dtype)
        return array.astype(dtype)
    if from_python and array.dtype.kind == "f":
        return array.astype(dtypes.default_float)  # Python floats become float32, as in PyTorch
    return array


def _past_int64(array) -> bool:
    """Whether NumPy may have made floats of Python ints too big for int64."""
    return bool(array.dtype.kind == "f" and array.size and np.abs(array).max() >= 2.0**63)


def _big_ints(data, array):
    """`array` for Python data with ints past int64 (NumPy made it uint64, float64 or
    object): PyTorch makes such data float when a float is among it, refuses it otherwise."""
    stack, too_big, floats = [data], None, False
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (float, np.floating)):
            floats = True
        elif not isinstance(item, (int, np.number)):
            return array  # not numbers: refused below
        elif type(item) is int and not -(2**63) <= item < 2**63:
            too_big = item
    if too_big is None:
        return array
    if floats:
        return np.array(data, dtype=np.float64)
    raise ValueError(
        f"tensor(): the Python int {too_big} does not fit in int64, the dtype of Python ints; "
        "write it as a float (PyTorch: Overflow when unpacking long long)"
    )


def _check_integers(array, dtype):
    """Python numbers must fit an integer dtype (NumPy's cast would wrap them around)."""
    info = np.iinfo(dtype)
    low, high = array.min(), array.max()
    if not (np.isfinite(low) and np.isfinite(high) and info.min <= low and high <= info.max):
        bad = low if not (np.isfinite(low) and info.min <= low) else high
        raise RuntimeError(
            f"tensor(): value {bad.item()!r} cannot be converted to type {dtype.name} "
            "without overflow"
        )


def _wrap(data):
    """Wrap an array the op machinery just made; no checks, no copy (the hot path)."""
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t.grad_fn = None
    t._requires_grad = False
    t._version = [0, False]
    return t


def _operand(value):
    """A Tensor or Python number for an operator, or None when PyTorch would refuse it."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()  # NumPy scalars act as Python numbers, as in PyTorch
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value)
    return None


def _raw(v):
    return v.data if isinstance(v, Tensor) else v


def _check_broadcast(x, y):
    """Raise a RuntimeError naming both shapes when x and y do not broadcast."""
    xs, ys = np.shape(_raw(x)), np.shape(_raw(y))
    for i in range(1, min(len(xs), len(ys)) + 1):
        if xs[-i] != ys[-i] and xs[-i] != 1 and ys[-i] != 1:
            raise RuntimeError(
                f"shapes {xs} and {ys} cannot be broadcast together: size {xs[-i]} does not "
                f"match size {ys[-i]} at dimension {-i}"
            )


def _binary(op, x, y, divide=False):
    """Apply a binary op to Tensors or numbers (either side) with PyTorch's type promotion."""
    if (
        not isinstance(x, Tensor)
        or not isinstance(y, Tensor)
        or x.data.dtype != y.data.dtype
        or (divide and x.data.dtype.kind != "f")
    ):
        x, y = _operand(x), _operand(y)
        if x is None or y is None:
            return NotImplemented
        dtype = dtypes.result_type(_raw(x), _raw(y))
        if divide and dtype.kind != "f":
            dtype = dtypes.default_float  # true division of integers gives float32
        scalar = not isinstance(x, Tensor) or not isinstance(y, Tensor) or y.data.ndim == 0
        if dtype == dtypes.float16 and op in _SCALED and scalar:
            # PyTorch multiplies and divides float16 by a number, or by a 0-d tensor on the
            # right, in float32, rounding once: -0.0 * 1e30 is -0.0, not -0.0 * inf = NaN.
            # (It adds and subtracts them rounded to float16 first, as NumPy does, and a
            # 0-d tensor on the left of * or / too.)
            return _binary(op, _float32(x), _float32(y)).to(dtype)
        x = x.to(dtype) if isinstance(x, Tensor) else _in_range(x, dtype)
        y = y.to(dtype) if isinstance(y, Tensor) else _in_range(y, dtype)
    try:
        return op.apply(x, y)
    except ValueError:
        _check_broadcast(x, y)
        raise


_SCALED = ()  # (Mul, Div), filled in below the Tensor class, where the ops are imported


def _float32(v):
    return v.to(dtypes.float32) if isinstance(v, Tensor) else v


def _in_range(value, dtype):
    """A Python int wrapped around into an integer dtype, as PyTorch casts it (uint8 - -3 is
    uint8 - 253); NumPy 2 would refuse it. Everything else unchanged."""
    if type(value) is not int or dtype.kind not in "iu":
        return value
    bits = 8 * dtype.itemsize
    value %= 1 << bits
    return value - (1 << bits) if dtype.kind == "i" and value >> (bits - 1) else value


def _check_fits(x, value) -> None:
    """Raise a RuntimeError naming both shapes unless `value` broadcasts to x's shape."""
    _check_broadcast(x, value)
    shape = np.broadcast_shapes(x.shape, np.shape(_raw(value)))
    if shape != x.shape:
        raise RuntimeError(
            f"a value of shape {np.shape(_raw(value))} does not fit in place into shape "
            f"{x.shape}: broadcasting makes it {shape}"
        )


def _check_subtraction(x, y) -> None:
    """Refuse x - y with a bool operand, as PyTorch does (what would True - True be?)."""
    for v in (x, y):
        if type(v) is bool or getattr(v, "dtype", None) == dtypes.bool:
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor or a bool is not supported; "
                "to invert a mask use `mask == 0`"
            )


def _done(result, what: str, other):
    """An in-place method's result; NotImplemented (an operand of the wrong type) raises."""
    if result is NotImplemented:
        raise TypeError(
            f"{what}(): argument 'other' must be a Tensor or a number, not {type(other).__name__}"
        )
    return result


def _subtract(x, y):
    _check_subtraction(x, y)
    return _binary(_ops.Sub, x, y)


def _compare(ufunc, x, y):
    """Compare in the promoted dtype, as PyTorch: uint8 >= -1 compares with -1 cast to 255."""
    y = _operand(y)
    if y is None:
        return NotImplemented
    _check_broadcast(x, y)
    a, b = x.data, _raw(y)
    dtype = dtypes.result_type(a, b)
    if a.dtype != dtype:
        a = a.astype(dtype)
    if not isinstance(b, np.ndarray) or b.dtype != dtype:
        b = np.array(b).astype(dtype)  # astype wraps a Python int around, as PyTorch's cast
    return _wrap(np.asarray(ufunc(a, b)))


def _power(x, y):
    """x ** y, refusing what PyTorch refuses: bool ** bool, integers to negative powers."""
    xo, yo = _operand(x), _operand(y)
    if xo is None or yo is None:
        return NotImplemented
    dtype = dtypes.result_type(_raw(xo), _raw(yo))
    if dtype == dtypes.bool:
        raise RuntimeError("pow (`**`) is not implemented for two bool operands")
    if dtype.kind in "iu" and bool(np.any(np.less(_raw(yo), 0))):
        raise RuntimeError(
            "Integers to negative integer powers are not allowed: convert the base to "
            "float first (x.float() ** y)"
        )
    if not isinstance(yo, Tensor):
        dtypes.check_fits(yo, dtype, "pow")  # PyTorch casts a number exponent to x's dtype
    return _binary(_ops.Pow, x, y)


def _matmul(x, y):
    """x @ y of two Tensors of one dtype: PyTorch's matmul neither promotes nor takes bool."""
    x, y = (Tensor(v) if isinstance(v, np.ndarray) else v for v in (x, y))
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        return NotImplemented
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"matmul: both operands must have the same dtype, got {x.dtype.name} (shape "
            f"{x.shape}) and {y.dtype.name} (shape {y.shape}); convert one with .to()"
        )
    if x.dtype == dtypes.bool:
        raise RuntimeError("matmul is not implemented for bool tensors; convert with .long()")
    return _ops.MatMul.apply(x, y)


_INDEX_ITEMS = (int, np.integer, np.bool_, slice, type(None), type(Ellipsis), np.ndarray)


def _index(index, shape):
    """Turn Tensors and lists inside an index into NumPy index arrays; refuse the rest."""
    items = index if isinstance(index, tuple) else (index,)
    out, masks = [], False
    for item in items:
        if isinstance(item, Tensor):
            item = item.data.copy()  # the index as it is now: a later in-place change to it
            # cannot reach the gradient (PyTorch raises at backward instead)
        elif isinstance(item, list):
            item = _list_index(item, whole=item is index)
        elif isinstance(item, slice):
            _check_slice(item)
        elif not isinstance(item, _INDEX_ITEMS):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and integer or bool "
                f"tensors are valid indices (got {type(item).__name__})"
            )
        if isinstance(item, np.ndarray) and item.dtype.kind not in "bi":
            raise IndexError(
                f"tensors used as indices must be integer or bool, got dtype {item.dtype.name}"
                + (  # PyTorch reads uint8 as a mask, NumPy as indices: refuse to guess
                    "; uint8 is ambiguous: use .bool() for a mask, .long() for indices"
                    if item.dtype == np.uint8
                    else ""
                )
            )
        masks = masks or (isinstance(item, np.ndarray) and item.dtype.kind == "b")
        out.append(item)
    index = tuple(out) if isinstance(index, tuple) else out[0]
    if masks:  # NumPy lets an empty mask of another shape pass; PyTorch does not
        _ops.check_index(shape, index)
    return index


def _list_index(item, whole: bool):
    """A list inside an index as an integer or bool array; `whole`: the list is the index."""
    nested = (list, tuple, slice, Tensor, np.ndarray)
    if whole and any(isinstance(i, nested) or i is None or i is Ellipsis for i in item):
        # PyTorch reads x[[[0, 1]]] as x[[0, 1]] (a deprecated rule), NumPy as a 2-D index.
        raise IndexError(
            f"a list used as the whole index must hold only ints or bools, got {item!r}: "
            "index with a tuple, or with a tensor"
        )
    try:
        array = np.asarray(item)
    except ValueError:
        raise IndexError(f"a list used as an index must be rectangular, got {item!r}") from None
    if array.size == 0:
        return array.astype(np.int64)  # `[]` selects nothing, as in NumPy and PyTorch
    return array


def _check_slice(item):
    for part in (item.start, item.stop, item.step):
        if part is not None and not isinstance(part, (int, np.integer, Tensor)):
            raise TypeError(f"slice indices must be integers or None, got {item}")
    if item.step == 0:  # a negative step is fine: minigrad takes it, unlike PyTorch
        raise ValueError(f"slice step cannot be zero, got {item}")


class _NotGiven:
    """The default of an argument whose absence is not any value: `max(a, b)` refuses
    even keepdim=False, and `arange(1, 5, None)` refuses the None (PyTorch's rules)."""

    def __repr__(self) -> str:
        return "<not given>"


_NOT_GIVEN = _NotGiven()


def _keepdim(keepdim) -> bool:
    if not isinstance(keepdim, (bool, np.bool_)):
        raise TypeError(f"keepdim must be a bool, got {type(keepdim).__name__}")
    return bool(keepdim)


def _not_bool(x, what: str):
    if x.data.dtype.kind == "b":
        raise RuntimeError(f"{what}() does not support bool tensors; convert with .long() first")
    return x


def _fill_value(value, dtype, what: str):
    """A Python number for fill_ (a number or a 0-d Tensor), checked to fit `dtype`."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                f"{what} only supports a 0-dimensional value tensor, got shape {value.shape}"
            )
        value = value.data
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        value = value.item()
    if not isinstance(value, _SCALARS):
        raise TypeError(
            f"{what}: value must be a number or a 0-d Tensor, got {type(value).__name__}"
        )
    dtypes.check_fits(value, dtype, what)
    return value


def normalize_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) as a non-negative axis; a 0-d tensor accepts -1 and 0."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-size}, {size - 1}], "
            f"but got {dim})"
        )
    return int(dim) % size


def normalize_dims(dim, ndim: int):
    """`dim` as PyTorch's reductions take it (None, an int, or a sequence) as a NumPy axis."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        return None  # PyTorch reduces over every dim for dim=() too
    if isinstance(dim, (tuple, list)):
        axes = tuple(normalize_dim(d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {tuple(dim)} appears multiple times in the list of dims")
        return axes if ndim else ()
    axis = normalize_dim(dim, ndim)
    return axis if ndim else ()


def _must_share(x, out):
    """`view` never copies (PyTorch's rule): NumPy reshapes e.g. a transpose by copying."""
    if out.data.size and not np.may_share_memory(out.data, x.data):
        raise RuntimeError(
            f"view(): a tensor of shape {x.shape} whose memory is not contiguous (e.g. a "
            f"transpose) cannot be viewed as {out.shape} without a copy; use reshape() instead"
        )
    return out


def _pairwise(op, x, other, what: str):
    """max(x, other) or min elementwise, with PyTorch's promotion; `other` must be a Tensor."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{what}(): argument 'other' must be a Tensor, not {type(other).__name__}")
    return _binary(op, x, other)


def _max_or_min(x, dim_or_other, keepdim, dim, other, largest: bool):
    """PyTorch's forms: `x.max()` and `x.max(dim, keepdim)` reduce, `x.max(other)` compares.

    A Tensor in the place of `dim` is `other`; `dim=` itself takes only an int.
    """
    what = "max" if largest else "min"
    if isinstance(dim_or_other, Tensor):
        if other is not _NOT_GIVEN:
            raise TypeError(f"{what}() got multiple values for argument 'other'")
        dim_or_other, other = None, dim_or_other
    if dim_or_other is not None:
        if dim is not None:
            raise TypeError(f"{what}() got multiple values for argument 'dim'")
        dim = dim_or_other
    if isinstance(dim, Tensor):
        raise TypeError(
            f"{what}(): argument 'dim' must be an int, not Tensor; pass the other tensor "
            "by position or as other="
        )
    if other is _NOT_GIVEN:
        return _ops.extremum(x, dim, keepdim is not _NOT_GIVEN and _keepdim(keepdim), largest)
    if dim is not None or keepdim is not _NOT_GIVEN:
        raise TypeError(
            f"{what}(input, other) compares two tensors elementwise and takes no dim or keepdim "
            f"(not even keepdim=False); use {what}(input, dim, keepdim) to reduce"
        )
    return _pairwise(_ops.Maximum if largest else _ops.Minimum, x, other, what)


def _floating(x):
    """exp, log, sqrt, sigmoid and tanh take integers and bools as float32, as in PyTorch."""
    return x if x.data.dtype.kind == "f" else x.to(dtypes.default_float)


def _float_only(x, what: str):
    if x.data.dtype.kind != "f":
        raise RuntimeError(
            f"{what}() needs a floating point tensor, got dtype {x.dtype.name}; "
            "convert it first with .float()"
        )
    return x


def _one_element(t):
    """The number in a one-element tensor, for `float(t)` and `int(t)` (ValueError as PyTorch)."""
    if t.data.size != 1:
        raise ValueError(
            f"only one element tensors can be converted to Python scalars, got {t.data.size}"
        )
    return t.data.item()


def _size_args(shape, what: str):
    """Accept `f(2, 3)` and `f((2, 3))`, as PyTorch does; `f()` lacks its argument."""
    if not shape:
        raise TypeError(f"{what}() missing 1 required positional argument: the sizes or dims")
    if isinstance(shape[0], (tuple, list)):
        if len(shape) > 1:
            raise TypeError(
                f"{what}() takes one tuple or separate ints, but got {len(shape)} positional "
                f"arguments: {shape}"
            )
        shape = tuple(shape[0])
    return shape


def _target_shape(shape, what: str):
    """reshape/view's shape: ints, each >= 0 but for at most one -1 to infer (PyTorch's rule)."""
    shape = _size_args(shape, what)
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"sizes must be ints, got {type(n).__name__} in {tuple(shape)}")
        if n < -1:
            raise RuntimeError(f"invalid size {n} in shape {tuple(shape)}")
    if list(shape).count(-1) > 1:
        raise RuntimeError(f"only one size can be inferred (-1), got shape {tuple(shape)}")
    return shape


class Tensor:
    """A multi-dimensional array that records the ops applied to it for `backward()`."""

    # _version is [count of in-place changes, whether other tensors share this memory];
    # views share the list itself with their base, as PyTorch's version counter.
    __slots__ = ("__weakref__", "_requires_grad", "_version", "data", "grad", "grad_fn")
    __array_priority__ = 1000  # make `ndarray + Tensor` call Tensor.__radd__
    is_leaf_edge = True  # the engine accumulates into a leaf's .grad

    def __init__(self, data, dtype=None, requires_grad: bool = False):
        self.data = _to_array(data, None if dtype is None else np.dtype(dtype))
        self.grad = None
        self.grad_fn = None
        self._requires_grad = False
        self._version = [0, False]
        self.requires_grad = requires_grad

    # ----- attributes -------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf tensors; use detach() to "
                "get a tensor that does not require grad"
            )
        if value and self.data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients, "
                f"got dtype {self.data.dtype.name}"
            )
        self._requires_grad = bool(value) or self.grad_fn is not None

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> "Tensor":  # noqa: N802 - PyTorch's name
        return self.permute(*reversed(range(self.ndim)))

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[normalize_dim(dim, self.ndim)]

    # ----- autograd ------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into the `.grad` of every leaf that requires grad.

        Args:
            gradient: dL/d(self), needed unless self has exactly one element.
            retain_graph: keep the saved arrays so that backward can run again.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {self.shape}, so pass backward(gradient=...) of that shape"
                )
            grad = np.ones(self.shape, self.dtype)
        else:
            try:
                grad = np.array(_raw(gradient), dtype=self.dtype)
            except (TypeError, ValueError):
                raise TypeError(
                    "backward(gradient=...) takes a Tensor (or numbers) of the output's shape, "
                    f"got {type(gradient).__name__}"
                ) from None
            if grad.shape != self.shape:
                raise RuntimeError(
                    f"Mismatch in shape: gradient has a shape of {grad.shape} and the tensor "
                    f"has a shape of {self.shape}"
                )
        if self.grad_fn is None:
            self._accumulate_grad(grad, owned=True)
        else:
            run_backward(self.grad_fn, grad, retain_graph)

    def _accumulate_grad(self, grad, owned: bool) -> None:
        """Add `grad` into `.grad`; keep `grad` itself only if nobody else holds it."""
        if self.grad is None:
            self.grad = _wrap(grad if owned else grad.copy())
        else:
            self.grad.data += grad

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that does not require grad")
        if self.grad_fn is not None:
            from .function import retain

            retain(self.grad_fn, self)

    def detach(self) -> "Tensor":
        """The same data (shared, as in PyTorch) cut from the graph."""
        t = _wrap(self.data)
        t._version = self._version
        t._version[1] = True
        return t

    # ----- conversions -------------------------------------------------------------
    def item(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to a Python number"
            )
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def to(self, dtype, *args, **kwargs) -> "Tensor":
        """Cast to `dtype` (differentiably between floats); device 'cpu' is accepted and kept."""
        if isinstance(dtype, str) and dtype == "cpu":
            return self
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise RuntimeError(
                f"to(): {dtype!r} is neither a dtype nor the device 'cpu' (minigrad runs on the "
                "CPU only)"
            ) from None
        return self if dtype == self.dtype else _ops.Cast.apply(self, dtype)

    def float(self) -> "Tensor":
        return self.to(dtypes.float32)

    def double(self) -> "Tensor":
        return self.to(dtypes.float64)

    def long(self) -> "Tensor":
        return self.to(dtypes.int64)

    def int(self) -> "Tensor":
        return self.to(dtypes.int32)

    def bool(self) -> "Tensor":
        return self.to(dtypes.bool)

    def cpu(self) -> "Tensor":
        return self

    def clone(self) -> "Tensor":
        return _ops.Clone.apply(self)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.data.size} values is ambiguous")
        return bool(self.data)

    def __float__(self) -> float:
        return float(_one_element(self))

    def __int__(self) -> int:
        return int(_one_element(self))

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.data.item())

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if self.ndim == 0 else object.__format__(self, spec)

    def __repr__(self) -> str:
        if self.grad_fn is not None:
            extra = [f"grad_fn=<{type(self.grad_fn).name()}>"]
        else:
            extra = ["requires_grad=True"] if self._requires_grad else []
        return format_tensor(self.data, extra)

    __hash__ = object.__hash__  # defining __eq__ would otherwise make Tensors unhashable

    # ----- operators -----------------------------------------------------------------
    def __add__(self, other):
        return _binary(_ops.Add, self, other)

    def __radd__(self, other):
        return _binary(_ops.Add, other, self)

    def __sub__(self, other):
        return _subtract(self, other)

    def __rsub__(self, other):
        return _subtract(other, self)

    def __mul__(self, other):
        return _binary(_ops.Mul, self, other)

    def __rmul__(self, other):
        return _binary(_ops.Mul, other, self)

    def __truediv__(self, other):
        return _binary(_ops.Div, self, other, divide=True)

    def __rtruediv__(self, other):
        return _binary(_ops.Div, other, self, divide=True)

    def __pow__(self, other):
        return _power(self, other)

    def __rpow__(self, other):
        return _power(other, self)

    def __matmul__(self, other):
        return _matmul(self, other)

    def __rmatmul__(self, other):
        return _matmul(other, self)

    def __neg__(self):
        if self.dtype == dtypes.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported")
        return _ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    def __getitem__(self, index):
        index = _index(index, self.shape)
        try:
            return _ops.Index.apply(self, index)
        except IndexError:
            _ops.check_index(self.shape, index)
            raise

    def __setitem__(self, index, value):
        value, index = _operand(value), _index(index, self.shape)
        if value is None:
            raise TypeError("can only assign a Tensor or a number to a Tensor's elements")
        arrays = index if isinstance(index, tuple) else (index,)
        if not isinstance(value, Tensor):
            dtypes.check_fits(value, self.dtype, "setitem")
        elif value.dtype != self.dtype:
            if any(isinstance(i, np.ndarray) for i in arrays):  # PyTorch's index_put rule
                raise RuntimeError(
                    "Index put requires the source and destination dtypes match, got "
                    f"{self.dtype.name} for the destination and {value.dtype.name} for the source"
                )
        try:
            self._inplace(_ops.IndexPut, index, value)
        except IndexError:
            _ops.check_index(self.shape, index)
            raise
        except ValueError:
            _ops.check_index(self.shape, index)
            _check_fits(_ops.index_view(self.data, index), value)
            raise

    # The methods, unlike the operators, never fall back on Python's: `x.mul([1])` raises
    # instead of repeating the list x times.
    def add(self, other):
        return _done(self.__add__(other), "add", other)

    def sub(self, other):
        return _done(self.__sub__(other), "sub", other)

    def mul(self, other):
        return _done(self.__mul__(other), "mul", other)

    def div(self, other):
        return _done(self.__truediv__(other), "div", other)

    def pow(self, exponent):
        return _done(self.__pow__(exponent), "pow", exponent)

    # ----- in-place ops ------------------------------------------------------------------
    def _inplace(self, op, *args):
        """Compute `op(self, *args)`, then write the result into self's own memory.

        As in PyTorch: a leaf that requires grad may be changed only under no_grad,
        and bumping the version counter makes any backward that saved the old
        values raise instead of returning a wrong gradient.
        """
        self._refuse_leaf()
        return self._write(op.apply(self, *args))

    def _refuse_leaf(self) -> None:
        if self.grad_fn is None and self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                "a leaf tensor that requires grad is being used in an in-place operation; "
                "wrap it in `with minigrad.no_grad():` or use an out-of-place op"
            )

    def _write(self, out):
        """The second half of `_inplace`: write `out`, computed from self, into self."""
        if out.shape != self.shape:
            raise RuntimeError(
                f"in-place result of shape {out.shape} does not fit the tensor's shape {self.shape}"
            )
        if dtypes.category(out.dtype) > dtypes.category(self.dtype):
            raise RuntimeError(
                f"result type {out.dtype.name} can't be cast to the tensor's dtype "
                f"{self.dtype.name} in an in-place operation"
            )
        if out._requires_grad and self._version[1]:
            raise RuntimeError(
                "an in-place operation that records a graph is not supported on a tensor "
                "that shares its memory with another (a view, its base, or a detach()): "
                "minigrad cannot rewrite the other tensor's graph (PyTorch can); use an "
                "out-of-place op instead"
            )
        self.data[...] = out.data
        self._version[0] += 1
        if out.grad_fn is not None:  # unrecorded (no_grad), self keeps its place in the graph
            old, self.grad_fn = self.grad_fn, out.grad_fn
            self._requires_grad = True
            if old is not None and old._retained is not None:
                old._retained = None  # a retained .grad is that of the new values, as in PyTorch
                self.retain_grad()
        return self

    def __iadd__(self, other):
        return self._inplace_binary(_ops.Add, other)

    def __isub__(self, other):
        _check_subtraction(self, other)
        return self._inplace_binary(_ops.Sub, other)

    def __imul__(self, other):
        return self._inplace_binary(_ops.Mul, other)

    def __itruediv__(self, other):
        return self._inplace_binary(_ops.Div, other)

    def _inplace_binary(self, op, other):
        """self op= other: the out-of-place op with its promotion rules, written into self."""
        self._refuse_leaf()
        out = _binary(op, self, other, divide=op is _ops.Div)
        return out if out is NotImplemented else self._write(out)

    def add_(self, other):
        return _done(self.__iadd__(other), "add_", other)

    def sub_(self, other):
        return _done(self.__isub__(other), "sub_", other)

    def mul_(self, other):
        return _done(self.__imul__(other), "mul_", other)

    def div_(self, other):
        return _done(self.__itruediv__(other), "div_", other)

    def zero_(self):
        return self._inplace(_ops.Fill, 0)

    def fill_(self, value):
        return self._inplace(_ops.Fill, _fill_value(value, self.dtype, "fill_"))

    def copy_(self, src):
        src = _operand(src)
        if src is None:
            raise TypeError("copy_() takes a Tensor, an array or a number")
        if not isinstance(src, Tensor):
            dtypes.check_fits(src, self.dtype, "copy_")
        elif src.shape != self.shape:
            _check_fits(self, src)  # NumPy would also squeeze a (1,) source into a 0-d one
        try:
            return self._inplace(_ops.Copy, src)
        except ValueError:
            _check_fits(self, src)
            raise

    # ----- math ----------------------------------------------------------------------------
    def exp(self):
        return _ops.Exp.apply(_floating(self))

    def log(self):
        return _ops.Log.apply(_floating(self))

    def sqrt(self):
        return _ops.Sqrt.apply(_floating(self))

    def abs(self):
        return _ops.Abs.apply(_not_bool(self, "abs"))

    def clamp(self, min=None, max=None):
        bounds = _ops.clamp_bounds(min, max)
        x = self.to(dtypes.result_type(self.data, *(b for b in bounds if b is not None)))
        for bound in bounds:
            if bound is not None:
                dtypes.check_fits(bound, x.dtype, "clamp")
        return _ops.Clamp.apply(x, bounds)

    def relu(self):
        return _ops.ReLU.apply(_not_bool(self, "relu"))

    def sigmoid(self):
        return _ops.Sigmoid.apply(_floating(self))

    def tanh(self):
        return _ops.Tanh.apply(_floating(self))

    def softmax(self, dim: int):
        return _ops.Softmax.apply(_float_only(self, "softmax"), normalize_dim(dim, self.ndim))

    def log_softmax(self, dim: int):
        x = _float_only(self, "log_softmax")
        return _ops.LogSoftmax.apply(x, normalize_dim(dim, self.ndim))

    def matmul(self, other):
        return self @ other

    # ----- reductions --------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False):
        x = self if self.dtype.kind == "f" else self.long()  # PyTorch sums integers in int64
        return _ops.Sum.apply(x, normalize_dims(dim, self.ndim), _keepdim(keepdim))

    def mean(self, dim=None, keepdim: bool = False):
        x, axes = _float_only(self, "mean"), normalize_dims(dim, self.ndim)
        return _ops.Mean.apply(x, axes, _keepdim(keepdim))

    def max(self, dim_or_other=None, /, keepdim=_NOT_GIVEN, *, dim=None, other=_NOT_GIVEN):
        """The largest value, `(values, indices)` along `dim`, or given a Tensor `maximum`."""
        return _max_or_min(self, dim_or_other, keepdim, dim, other, largest=True)

    def min(self, dim_or_other=None, /, keepdim=_NOT_GIVEN, *, dim=None, other=_NOT_GIVEN):
        """The smallest value, `(values, indices)` along `dim`, or given a Tensor `minimum`."""
        return _max_or_min(self, dim_or_other, keepdim, dim, other, largest=False)

    def maximum(self, other):
        return _pairwise(_ops.Maximum, self, other, "maximum")

    def minimum(self, other):
        return _pairwise(_ops.Minimum, self, other, "minimum")

    def argmax(self, dim=None, keepdim: bool = False):
        return _ops.arg_extremum(self, dim, _keepdim(keepdim), largest=True)

    def argmin(self, dim=None, keepdim: bool = False):
        return _ops.arg_extremum(self, dim, _keepdim(keepdim), largest=False)

    # ----- shapes ------------------------------------------------------------------------------
    def reshape(self, *shape):
        return _ops.Reshape.apply(self, _target_shape(shape, "reshape"))

    def view(self, *shape):
        return _must_share(self, _ops.Reshape.apply(self, _target_shape(shape, "view")))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return _ops.Reshape.apply(self, _ops.flat_shape(self.shape, start_dim, end_dim))

    def unsqueeze(self, dim: int):
        return _ops.Reshape.apply(self, _ops.unsqueezed_shape(self.shape, dim))

    def squeeze(self, dim=None):
        return _ops.Reshape.apply(self, _ops.squeezed_shape(self.shape, dim))

    def transpose(self, dim0: int, dim1: int):
        return _ops.Permute.apply(self, _ops.swapped_axes(self.ndim, dim0, dim1))

    def permute(self, *dims):
        dims = _size_args(dims, "permute")
        return _ops.Permute.apply(self, _ops.checked_permutation(dims, self.ndim))


# Closes the one import cycle: ops build Tensors, and Tensor methods call ops.
from . import ops as _ops  # noqa: E402

_SCALED = (_ops.Mul, _ops.Div)
