"""`check_against_torch`: run one `nn.functional` call in minigrad and torch, compare all.

Shared by the nn tests: values, dtypes, `requires_grad`, and the gradient of every input
that requires grad for a random upstream gradient, with NumPy's RuntimeWarnings as errors.
"""

import warnings

import numpy as np
import torch
import torch.nn.functional as TF  # noqa: N812 - PyTorch's convention
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention

TOLERANCES = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss's broadcasting warning
        expected = getattr(TF, name)(**theirs, **options)
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    upstream = upstream.astype(expected.detach().numpy().dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss warns as torch does
        warnings.simplefilter("error", RuntimeWarning)
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
