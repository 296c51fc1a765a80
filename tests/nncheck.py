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
    In float32, where a result cancels (a sum of products), minigrad and torch may round
    beyond the tolerance apart; then minigrad must be as close as torch to the float64
    answer for the same float32 inputs.
    """

    def cast(a):
        return a.astype(dtype) if a.dtype.kind == "f" else a

    ours = {k: minigrad.tensor(cast(a), requires_grad=r) for k, (a, r) in inputs.items()}
    theirs = {k: torch.tensor(cast(a), requires_grad=r) for k, (a, r) in inputs.items()}
    expected = _torch_call(name, theirs, options)
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    upstream = upstream.astype(expected.detach().numpy().dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss warns as torch does
        warnings.simplefilter("error", RuntimeWarning)
        out = getattr(F, name)(**ours, **options)
        assert out.dtype == expected.detach().numpy().dtype
        assert out.requires_grad == expected.requires_grad
        if expected.requires_grad:
            expected.backward(torch.tensor(upstream))
            out.backward(upstream)
    pairs = [("out", out.numpy(), expected.detach().numpy())]
    for key, ours_t in ours.items():
        if theirs[key].requires_grad:
            assert ours_t.grad.dtype == ours_t.dtype, key
            pairs.append((key, ours_t.grad.numpy(), theirs[key].grad.numpy()))
    exact = None
    for key, got, want in pairs:
        try:
            np.testing.assert_allclose(got, want, **TOLERANCES[dtype], err_msg=key)
        except AssertionError:
            if dtype != np.float32:
                raise
            exact = (
                _float64_results(name, inputs, dtype, options, upstream) if exact is None else exact
            )
            error, torch_error = np.abs(got - exact[key]), np.abs(want - exact[key])
            assert (error <= torch_error + TOLERANCES[dtype]["atol"]).all(), (
                f"{key}: {got} vs torch {want}, float64 {exact[key]}"
            )


def _torch_call(name, tensors, options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss's broadcasting warning
        return getattr(TF, name)(**tensors, **options)


def _float64_results(name, inputs, dtype, options, upstream):
    """torch's output and gradients in float64, from the inputs rounded to `dtype`."""

    def cast(a):
        return a.astype(dtype).astype(np.float64) if a.dtype.kind == "f" else a

    tensors = {k: torch.tensor(cast(a), requires_grad=r) for k, (a, r) in inputs.items()}
    out = _torch_call(name, tensors, options)
    if out.requires_grad:
        out.backward(torch.tensor(upstream.astype(np.float64)))
    results = {k: t.grad.numpy() for k, t in tensors.items() if t.requires_grad}
    results["out"] = out.detach().numpy()
    return results
