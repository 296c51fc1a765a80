"""`gradcheck`: compare backward's Jacobian with central finite differences, entry by entry."""

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` when an analytic gradient disagrees with finite differences."""


def _float64_copies(inputs):
    copies = []
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            copies.append(Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad))
        else:
            copies.append(x)
    return copies


def _output(fn, inputs) -> Tensor:
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    return out


def _analytic_jacobian(fn, inputs, x):
    """Rows: output elements; columns: x's elements. One backward per output element."""
    out = _output(fn, inputs)
    if not out.requires_grad:
        raise GradcheckError(
            "gradcheck: the output does not require grad, so there is nothing to check"
        )
    jacobian = np.zeros((out.numel(), x.numel()))
    for row in range(out.numel()):
        for t in inputs:
            if isinstance(t, Tensor):
                t.grad = None
        seed = np.zeros(out.numel())
        seed[row] = 1.0
        out.backward(seed.reshape(out.shape), retain_graph=True)
        if x.grad is not None:
            jacobian[row] = x.grad.data.ravel()
    return jacobian


def _numeric_jacobian(fn, inputs, x, eps):
    """Column j: (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)."""
    flat = x.data.reshape(-1)  # a view: writing into it perturbs x in place
    columns = []
    with no_grad():
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = _output(fn, inputs).data.astype(np.float64).ravel()
            flat[j] = original - eps
            minus = _output(fn, inputs).data.astype(np.float64).ravel()
            flat[j] = original
            columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check the gradients of `fn` at `inputs` against central finite differences.

    Args:
        fn: takes the inputs and returns a Tensor of any shape.
        inputs: a Tensor or a tuple (or list) of them and other arguments, passed through;
            the check runs on float64 copies and covers every input that requires grad.
        eps: the finite-difference step.
        atol, rtol: an entry passes when |analytic - numeric| <= atol + rtol * |numeric|.

    Returns:
        True; otherwise raises `GradcheckError` naming the input, the worst element's
        index, and both values.
    """
    inputs = _float64_copies(tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,))
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise GradcheckError("gradcheck: no input requires grad, so there is nothing to check")
    for i in checked:
        x = inputs[i]
        analytic = _analytic_jacobian(fn, inputs, x)
        numeric = _numeric_jacobian(fn, inputs, x, eps).reshape(analytic.shape)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if excess.size and not np.all(excess <= 0):
            row, col = np.unravel_index(
                np.nanargmax(np.where(np.isnan(excess), np.inf, excess)), excess.shape
            )
            where = np.unravel_index(col, x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {x.shape}) is wrong at element "
                f"{tuple(int(k) for k in where)} for output element {int(row)}: "
                f"analytic {float(analytic[row, col])!r}, numeric {float(numeric[row, col])!r}"
            )
    return True
