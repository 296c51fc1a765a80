"""minigrad.optim against torch.optim: same weights and gradients in, same weights out.

Tolerances: PyTorch's CPU kernels compute `param.add_(grad, alpha=-lr)` and friends as
one fused multiply-add (a single rounding), while NumPy rounds the product and the sum
separately, so the two differ by an ulp or so per operation, and later steps can amplify
that (Adam with a small beta2 divides by |g|). float64 agrees to ~1e-15. In float32 an
ulp is 1e-7 and amplified ulps show, so there we demand that minigrad be as close to
torch's float32 result as torch's float32 result is to its own float64 run: rounding
noise of torch's own size, never an algorithmic difference.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.optim import SGD, Adam, Optimizer

SHAPES = [(3, 4), (5,), ()]
TOL64 = dict(rtol=1e-12, atol=1e-13)

OPTIMIZERS = {"SGD": (SGD, torch.optim.SGD), "Adam": (Adam, torch.optim.Adam)}


def make_problem(dtype, steps, seed):
    """Initial weights for SHAPES and, per step, a gradient per parameter (None: skipped)."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    if steps > 1:
        grads[1][2] = None  # a parameter without gradient must be left alone, state and all
    return weights, grads


def split(params, groups):
    """The params as given to an optimizer: a list, or dicts with per-group options."""
    if groups is None:
        return params
    return [{"params": params[:1], **groups[0]}, {"params": params[1:], **groups[1]}]


def run_minigrad(cls, options, weights, grads, groups=None):
    params = [minigrad.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = cls(split(params, groups), **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else minigrad.tensor(g.copy())
        opt.step()
    return params, opt


def run_torch(cls, options, weights, grads, groups=None):
    params = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = cls(split(params, groups), **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else torch.tensor(g.copy())
        opt.step()
    return params, opt


def assert_matches_torch(name, options, dtype, steps=4, seed=0, groups=None):
    ours, theirs = OPTIMIZERS[name]
    weights, grads = make_problem(dtype, steps, seed)
    params, opt = run_minigrad(ours, options, weights, grads, groups)
    expected, _ = run_torch(theirs, options, weights, grads, groups)
    if dtype == np.float32:
        weights64 = [w.astype(np.float64) for w in weights]
        grads64 = [[g if g is None else g.astype(np.float64) for g in gs] for gs in grads]
        exact, _ = run_torch(theirs, options, weights64, grads64, groups)
    for i, (p, e) in enumerate(zip(params, expected)):
        assert p.dtype == dtype
        e = e.detach().numpy()
        if dtype == np.float64:
            np.testing.assert_allclose(p.data, e, **TOL64)
        else:
            x = exact[i].detach().numpy()
            torch_error = np.abs(e - x).max()
            # One float32 rounding of the O(1) values met on the way (weights, lr * grad).
            rounding = np.finfo(np.float32).eps * max(
                1.0, np.abs(x).max(), np.abs(weights[i]).max()
            )
            np.testing.assert_allclose(p.data, e, rtol=0, atol=4 * torch_error + 8 * rounding)
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == dtype
    return params, opt


@st.composite
def sgd_options(draw):
    nesterov = draw(st.booleans())
    return dict(
        lr=draw(st.floats(0.0, 1.0)),
        momentum=draw(st.floats(0.01, 0.95) if nesterov else st.sampled_from([0.0, 0.5, 0.9])),
        dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.1, 0.7])),
        weight_decay=draw(st.sampled_from([0.0, 1e-2, 0.3])),
        nesterov=nesterov,
        maximize=draw(st.booleans()),
    )


@st.composite
def adam_options(draw, min_beta2=0.0):
    return dict(
        lr=draw(st.floats(0.0, 1.0)),
        betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(min_beta2, 0.9999))),
        eps=draw(st.sampled_from([1e-8, 1e-3])),
        weight_decay=draw(st.sampled_from([0.0, 1e-2, 0.3])),
        amsgrad=draw(st.booleans()),
        maximize=draw(st.booleans()),
    )


@given(sgd_options(), st.sampled_from([np.float64, np.float32]), st.integers(0, 2**16))
def test_sgd_matches_torch(options, dtype, seed):
    assert_matches_torch("SGD", options, dtype, seed=seed)


@given(adam_options(), st.integers(0, 2**16))
def test_adam_matches_torch_float64(options, seed):
    assert_matches_torch("Adam", options, np.float64, seed=seed)


# With beta2 near 0, v is the last g * g, so Adam divides by |g| just after g = grad +
# weight_decay * theta may have cancelled: any two float32 implementations then drift apart
# by tens of ulps (float64 above covers that range tightly). Real runs use beta2 >= 0.9.
@given(adam_options(min_beta2=0.5), st.integers(0, 2**16))
def test_adam_matches_torch_float32(options, seed):
    assert_matches_torch("Adam", options, np.float32, seed=seed)


@pytest.mark.parametrize(
    "name, options, groups",
    [
        ("SGD", dict(lr=0.1, momentum=0.9), [dict(lr=0.5), dict(nesterov=True)]),
        ("SGD", dict(lr=0.1), [dict(weight_decay=0.1, maximize=True), dict(momentum=0.5)]),
        ("Adam", dict(lr=0.01), [dict(lr=0.3, amsgrad=True), dict(betas=(0.5, 0.6))]),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_param_groups_with_own_options_match_torch(name, options, groups, dtype):
    _, opt = assert_matches_torch(name, options, dtype, groups=groups)
    assert opt.param_groups[0]["lr"] == groups[0].get("lr", options["lr"])
    assert len(opt.param_groups[1]["params"]) == 2


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_step_updates_in_place_keeps_dtype_and_leaves_grad_alone(name):
    p = minigrad.tensor(np.ones(4, np.float32), requires_grad=True)
    opt = OPTIMIZERS[name][0]([p], lr=0.1, weight_decay=0.1, maximize=True)
    opt.param_groups[0]["lr"] = np.float64(0.1)  # a NumPy float64 must not upcast float32
    data, grad = p.data, np.full(4, 2.0, np.float32)
    p.grad = minigrad.tensor(grad.copy())
    opt.step()
    assert p.data is data and p.data.dtype == np.float32
    assert not np.array_equal(p.data, np.ones(4))
    np.testing.assert_array_equal(p.grad.data, grad)


def test_parameter_without_grad_is_skipped():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = minigrad.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(b.data, [3.0])
    assert b not in opt.state and opt.state[a]["step"] == 1


def test_frozen_parameter_is_accepted_and_never_moves():
    # PyTorch accepts parameters that do not require grad (frozen layers); they get no grad.
    frozen = minigrad.tensor([1.0, 2.0])
    w = minigrad.tensor([1.0], requires_grad=True)
    opt = SGD([frozen, w], lr=1.0)
    (w * 3.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(frozen.data, [1.0, 2.0])
    np.testing.assert_array_equal(w.data, [-2.0])


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    v = minigrad.tensor([1.0], requires_grad=True)
    opt = SGD([w, v], lr=0.1)
    (w * w).sum().backward()
    grad_array = w.grad.data
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert w.grad is None
    else:
        assert w.grad.data is grad_array
        np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    assert v.grad is None
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])


def test_step_with_closure_returns_its_loss():
    w = minigrad.tensor([3.0], requires_grad=True)
    opt = SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_array_equal(w.data, [1.5])


def test_step_invalidates_a_graph_that_saved_the_old_weights():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


# ----- state dicts ------------------------------------------------------------------------
CONTINUE_CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), None),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5), [dict(lr=0.2), dict()]),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1), None),
    ("Adam", dict(lr=0.05), [dict(betas=(0.5, 0.7)), dict(maximize=True)]),
]


@pytest.mark.parametrize("name, options, groups", CONTINUE_CASES)
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(name, options, groups):
    cls = OPTIMIZERS[name][0]
    weights, grads = make_problem(np.float32, steps=6, seed=1)
    straight, _ = run_minigrad(cls, options, weights, grads, groups)

    first, opt = run_minigrad(cls, options, weights, grads[:3], groups)
    saved = opt.state_dict()
    for state in saved["state"].values():  # the state dict holds copies
        for value in state.values():
            if isinstance(value, np.ndarray):
                value += 100.0
    saved = opt.state_dict()
    resumed, new_opt = run_minigrad(
        cls, {**options, "lr": 123.0}, [p.data for p in first], [], groups
    )
    new_opt.load_state_dict(saved)
    assert new_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for step_grads in grads[3:]:
        for p, g in zip(resumed, step_grads):
            p.grad = None if g is None else minigrad.tensor(g.copy())
        new_opt.step()
    for p, q in zip(resumed, straight):
        np.testing.assert_array_equal(p.data, q.data)


def torch_state_dict_as_numpy(sd):
    state = {
        i: {k: v.numpy().copy() if torch.is_tensor(v) else v for k, v in s.items()}
        for i, s in sd["state"].items()
    }
    return {"state": state, "param_groups": sd["param_groups"]}


@pytest.mark.parametrize("name, options, groups", CONTINUE_CASES)
def test_state_dict_layout_is_torchs(name, options, groups):
    ours, theirs = OPTIMIZERS[name]
    weights, grads = make_problem(np.float64, steps=3, seed=2)
    _, opt = run_minigrad(ours, options, weights, grads, groups)
    _, topt = run_torch(theirs, options, weights, grads, groups)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert list(sd) == list(tsd) == ["state", "param_groups"]
    assert set(sd["state"]) == set(tsd["state"])
    for i, state in sd["state"].items():
        assert list(state) == list(tsd["state"][i])
        for key, value in state.items():
            if key == "step":
                assert value == tsd["state"][i][key].item()
            else:
                np.testing.assert_allclose(value, tsd["state"][i][key].numpy(), rtol=1e-12)
    assert len(sd["param_groups"]) == len(tsd["param_groups"])
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        assert group == {k: tgroup[k] for k in group}


@pytest.mark.parametrize("name, options, groups", CONTINUE_CASES)
def test_state_dicts_move_both_ways_between_torch_and_minigrad(name, options, groups):
    ours, theirs = OPTIMIZERS[name]
    weights, grads = make_problem(np.float64, steps=6, seed=3)
    tparams, topt = run_torch(theirs, options, weights, grads[:3], groups)
    start = [p.detach().numpy().copy() for p in tparams]
    expected, _ = run_torch(theirs, options, weights, grads, groups)

    # torch -> minigrad
    params, opt = run_minigrad(ours, options, start, [], groups)
    opt.load_state_dict(torch_state_dict_as_numpy(topt.state_dict()))
    # minigrad -> torch, via a round trip through minigrad's own state dict
    sd = opt.state_dict()
    back = [torch.tensor(w.copy(), requires_grad=True) for w in start]
    topt2 = theirs(split(back, groups), **options)
    tstate = {
        i: {k: torch.tensor(float(v) if k == "step" else v) for k, v in s.items()}
        for i, s in sd["state"].items()
    }
    topt2.load_state_dict({"state": tstate, "param_groups": sd["param_groups"]})
    for step_grads in grads[3:]:
        for p, q, g in zip(params, back, step_grads):
            p.grad = None if g is None else minigrad.tensor(g.copy())
            q.grad = None if g is None else torch.tensor(g.copy())
        opt.step()
        topt2.step()
    for p, q, e in zip(params, back, expected):
        np.testing.assert_allclose(p.data, e.detach().numpy(), **TOL64)
        np.testing.assert_array_equal(q.detach().numpy(), e.detach().numpy())


def test_load_state_dict_casts_to_the_parameter_dtype():
    p = minigrad.tensor(np.zeros(2, np.float32), requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9)
    sd = {
        "state": {0: {"momentum_buffer": np.ones(2)}},
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(sd)
    assert opt.state[p]["momentum_buffer"].dtype == np.float32


def _sgd_with_state():
    params = [
        minigrad.tensor(np.ones((2, 3)), requires_grad=True),
        minigrad.tensor([1.0], requires_grad=True),
    ]
    opt = SGD(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = minigrad.ones_like(p)
    opt.step()
    return params, opt


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), "2 parameter groups"),
        (lambda sd: sd["param_groups"][0]["params"].pop(), "1 parameters in group 0"),
        (lambda sd: sd["state"][0].update(momentum_buffer=np.ones((3, 2))), r"shape \(3, 2\)"),
        (lambda sd: sd["state"].update({7: {}}), "parameter 7"),
        (lambda sd: sd["param_groups"][0].pop("momentum"), "lacks the options"),
        (lambda sd: sd.pop("state"), "'state' and 'param_groups'"),
        (lambda sd: sd["param_groups"][0].update(momentum=-1.0), "Invalid momentum value"),
    ],
)
def test_load_state_dict_rejects_a_mismatch_and_changes_nothing(corrupt, match):
    params, opt = _sgd_with_state()
    sd = opt.state_dict()
    corrupt(sd)
    sd["param_groups"][0]["lr"] = 42.0
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(
        opt.state[params[0]]["momentum_buffer"], before["state"][0]["momentum_buffer"]
    )


# ----- construction errors ---------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, options, match",
    [
        (SGD, dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (SGD, dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
        (SGD, dict(lr=0.1, weight_decay=-1.0), "Invalid weight_decay value"),
        (SGD, dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
        (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
        (Adam, dict(lr=-1.0), "Invalid learning rate"),
        (Adam, dict(eps=-1e-8), "Invalid epsilon value"),
        (Adam, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (Adam, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (Adam, dict(weight_decay=-0.1), "Invalid weight_decay value"),
    ],
)
def test_bad_options_raise_value_error_like_torch(cls, options, match):
    torch_cls = OPTIMIZERS[cls.__name__][1]
    with pytest.raises(ValueError, match=match):
        torch_cls([torch.zeros(1, requires_grad=True)], **options)
    with pytest.raises(ValueError, match=match):
        cls([minigrad.zeros(1, requires_grad=True)], **options)
    with pytest.raises(ValueError, match=match):  # a group's own options are checked too
        cls([{"params": [minigrad.zeros(1, requires_grad=True)], **options}])


def test_bad_params_raise():
    w = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is"):
        SGD([w, np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):  # stricter than PyTorch
        SGD({w}, lr=0.1)
    with pytest.raises(ValueError, match="duplicate"):
        SGD([w, w], lr=0.1)
    opt = SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})


def test_add_param_group_fills_in_defaults():
    a, b = minigrad.zeros(1, requires_grad=True), minigrad.zeros(2, requires_grad=True)
    opt = Adam([a], lr=0.1, betas=(0.8, 0.9))
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1] == dict(
        lr=0.5,
        betas=(0.8, 0.9),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        maximize=False,
        params=[b],
    )
    assert isinstance(opt, Optimizer)
