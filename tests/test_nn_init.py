"""minigrad.nn.init against torch.nn.init: gains, fans, the exact bounds, in place, seeded."""

import math

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn as nn
from minigrad.nn import init

NONLINEARITIES = [
    ("linear", None),
    ("conv2d", None),
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.2),
    ("leaky_relu", 3),
    ("selu", None),
]


@pytest.mark.parametrize("nonlinearity,param", NONLINEARITIES)
def test_calculate_gain_equals_torchs(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(
        nonlinearity, param
    )


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (2, 3, 4, 5), (1, 0)])
def test_fans_equal_torchs(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(minigrad.zeros(*shape)) == expected


@pytest.fixture
def bounds(monkeypatch):
    """Record the (low, high) that each library's initializers pass to their uniform draw."""
    seen = {"minigrad": [], "torch": []}
    ours, theirs = init.uniform_, torch.Tensor.uniform_

    def our_uniform(tensor, a=0.0, b=1.0, generator=None):
        seen["minigrad"].append((a, b))
        return ours(tensor, a, b, generator)

    def their_uniform(self, a=0.0, b=1.0, generator=None):
        seen["torch"].append((a, b))
        return theirs(self, a, b, generator=generator)

    monkeypatch.setattr(init, "uniform_", our_uniform)
    monkeypatch.setattr(torch.Tensor, "uniform_", their_uniform)
    return seen


@pytest.mark.parametrize("shape", [(30, 20), (8, 3, 5)])
@pytest.mark.parametrize(
    "options",
    [
        {},
        dict(a=math.sqrt(5)),
        dict(mode="fan_out", nonlinearity="relu"),
        dict(mode="FAN_IN", nonlinearity="tanh"),
        dict(a=0.1, nonlinearity="leaky_relu"),
    ],
)
def test_kaiming_uniform_bound_equals_torchs(bounds, shape, options):
    w = minigrad.zeros(*shape)
    assert init.kaiming_uniform_(w, **options) is w
    torch.nn.init.kaiming_uniform_(torch.empty(shape), **options)
    assert bounds["minigrad"] == bounds["torch"]
    low, high = bounds["minigrad"][0]
    assert np.all((w.numpy() >= low) & (w.numpy() <= high)) and w.numpy().std() > 0


@pytest.mark.parametrize("shape,gain", [((30, 20), 1.0), ((4, 6, 3), init.calculate_gain("relu"))])
def test_xavier_uniform_bound_equals_torchs(bounds, shape, gain):
    w = minigrad.zeros(*shape)
    init.xavier_uniform_(w, gain=gain)
    torch.nn.init.xavier_uniform_(torch.empty(shape), gain=gain)
    assert bounds["minigrad"] == bounds["torch"]
    low, high = bounds["minigrad"][0]
    assert np.all((w.numpy() >= low) & (w.numpy() <= high))


def test_linear_default_init_uses_torchs_exact_bounds(bounds):
    nn.Linear(7, 3)
    torch.nn.Linear(7, 3)
    assert bounds["minigrad"] == bounds["torch"]  # weight then bias, as in torch
    assert len(bounds["minigrad"]) == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fills_work_in_place_on_parameters_and_keep_dtype(dtype):
    p = nn.Parameter(minigrad.zeros(200, 50, dtype=dtype))
    assert init.uniform_(p, -2.0, 3.0) is p
    assert p.dtype == dtype and p.requires_grad and p.is_leaf and p.grad_fn is None
    assert p.numpy().min() >= -2.0 and p.numpy().max() <= 3.0
    assert abs(p.numpy().mean() - 0.5) < 0.05
    init.normal_(p, mean=1.0, std=0.5)
    assert abs(p.numpy().mean() - 1.0) < 0.02 and abs(p.numpy().std() - 0.5) < 0.02
    init.constant_(p, 0.25)
    assert (p.numpy() == 0.25).all()
    init.ones_(p)
    assert (p.numpy() == 1).all()
    init.zeros_(p)
    assert not p.numpy().any() and p.dtype == dtype


def test_draws_are_seeded_by_manual_seed_or_an_own_generator():
    a, b = minigrad.zeros(4, 5), minigrad.zeros(4, 5)
    minigrad.manual_seed(11)
    init.kaiming_uniform_(a)
    minigrad.manual_seed(11)
    init.kaiming_uniform_(b)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    init.normal_(a, generator=np.random.default_rng(5))
    init.normal_(b, generator=np.random.default_rng(5))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_an_in_place_fill_invalidates_a_graph_that_saved_the_tensor():
    w = nn.Parameter(minigrad.ones(2, 2))
    out = (minigrad.ones(3, 2) @ w).sum()  # w's gradient needs only the other factor
    y = (w * w).sum()  # which here is w itself
    init.zeros_(w)
    out.backward()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: init.kaiming_uniform_(minigrad.zeros(3, 3), mode="fan_avg"), ValueError, "Mode"),
        (
            lambda: init.kaiming_uniform_(minigrad.zeros(3, 3), nonlinearity="gelu"),
            ValueError,
            "Unsupported nonlinearity gelu",
        ),
        (lambda: init.calculate_gain("leaky_relu", True), ValueError, "negative_slope"),
        (lambda: init.xavier_uniform_(minigrad.zeros(3)), ValueError, "fewer than 2 dimensions"),
        (lambda: init.uniform_(minigrad.zeros(3), 1.0, 0.0), RuntimeError, "from=1.0 > to=0.0"),
        (lambda: init.normal_(minigrad.zeros(3), std=-1.0), RuntimeError, "std >= 0.0"),
        (lambda: init.ones_(np.zeros(3)), TypeError, "Tensor"),
        (lambda: init.uniform_(minigrad.zeros(2), generator=0), TypeError, "Generator"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_zero_element_kaiming_warns_and_does_nothing_as_torch():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(minigrad.zeros(0, 3))


INITIALIZERS = {
    "uniform_": lambda lib, t: lib.nn.init.uniform_(t, -5.0, 5.0),
    "uniform_reversed_bounds": lambda lib, t: lib.nn.init.uniform_(t, 1.0, 0.0),
    "normal_": lambda lib, t: lib.nn.init.normal_(t, 0.0, 5.0),
    "normal_negative_std": lambda lib, t: lib.nn.init.normal_(t, 0.0, -1.0),
    "kaiming_uniform_": lambda lib, t: lib.nn.init.kaiming_uniform_(t),
    "xavier_uniform_": lambda lib, t: lib.nn.init.xavier_uniform_(t, gain=10.0),
    "constant_": lambda lib, t: lib.nn.init.constant_(t, 3.7),
    "zeros_": lambda lib, t: lib.nn.init.zeros_(t),
    "ones_": lambda lib, t: lib.nn.init.ones_(t),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", INITIALIZERS)
def test_non_float_tensors_are_refused_by_random_fills_as_torch(name, dtype):
    """Found in audit: uniform_ and normal_ truncated their draws into an int64 tensor
    (mostly zeros, silently); PyTorch raises NotImplementedError."""
    results = []
    for lib in (minigrad, torch):
        t = lib.zeros(3, 4, dtype=getattr(lib, dtype))
        try:
            results.append(INITIALIZERS[name](lib, t).tolist())
        except (NotImplementedError, RuntimeError) as err:
            results.append(type(err))
    assert results[0] == results[1]
    assert (type(results[0]) is list) == (name in ("constant_", "zeros_", "ones_"))
