"""minigrad.nn modules against torch.nn: registration, state dicts both ways, repr, layers."""

import copy
import itertools
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention


def build(lib, *, shared=False):
    """The same small model in torch or minigrad: a nested container and a raw Parameter."""
    nn_ = lib.nn

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn_.Parameter(lib.ones(3))
            self.linear1 = nn_.Linear(4, 5)
            self.block = nn_.Sequential(nn_.ReLU(), nn_.Dropout(0.25), nn_.Linear(5, 3))
            if shared:
                self.tied = self.linear1

        def forward(self, x):
            return self.block(self.linear1(x)) * self.scale

    return Net()


def copy_torch_to_minigrad(theirs, ours):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# ----- registration and the tree walks ---------------------------------------------------------
def test_parameters_and_modules_register_in_torchs_order_and_names():
    ours, theirs = build(minigrad), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == [
        type(m).__name__ for m in theirs.modules()
    ]
    assert [type(m).__name__ for m in ours.children()] == ["Linear", "Sequential"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert list(ours.block.parameters(recurse=True)) == [ours.block[2].weight, ours.block[2].bias]
    assert list(ours.parameters(recurse=False)) == [ours.scale]


def test_shared_modules_count_once_but_appear_twice_in_state_dict_as_torch():
    ours, theirs = build(minigrad, shared=True), build(torch, shared=True)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert repr(ours) == repr(theirs)


def test_assignment_rules_match_torch():
    ours, theirs = build(minigrad), build(torch)
    for lib, model in ((minigrad, ours), (torch, theirs)):
        with pytest.raises(TypeError, match="parameter 'scale'"):
            model.scale = lib.ones(3)
        with pytest.raises(TypeError, match="child module 'linear1'"):
            model.linear1 = 3
        model.scale = None
        model.linear1 = None
        assert "scale" not in dict(model.named_parameters())
        assert "linear1.weight" not in model.state_dict() and "(linear1): None" in repr(model)
        model.linear1 = lib.nn.Linear(4, 5)  # registered again, at its old place
        model.scale = lib.nn.Parameter(lib.ones(3))
        model.plain = lib.ones(2)  # a Tensor that is not a Parameter is a plain attribute
        assert "plain" not in dict(model.named_parameters())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    del ours.linear1
    assert "linear1.weight" not in ours.state_dict()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'linear1'"):
        _ = ours.linear1


def test_members_read_back_as_torch_after_every_kind_of_change():
    # Members are kept as plain attributes too (a faster lookup than torch's __getattr__):
    # every way of changing one must still read back, and register, as in torch.
    def history(lib):
        nn_ = lib.nn
        m = nn_.Linear(2, 3)
        names = {}
        seen = []

        def new(name, obj):
            names[id(obj)] = name
            return obj

        def look(*attrs):
            got = [names.get(id(getattr(m, a, "missing")), "missing") for a in attrs]
            seen.append((got, [n for n, _ in m.named_parameters()], list(dict(m.named_children()))))

        names[id(None)] = "None"
        p, q, r = (new(n, nn_.Parameter(lib.ones(3))) for n in "pqr")
        m.bias = None
        look("bias")
        m.bias = p
        look("bias")
        m.register_parameter("bias", q)
        look("bias")
        m.register_parameter("bias", None)
        look("bias")
        del m.bias
        look("bias")
        m.bias = new("plain", lib.ones(3))
        look("bias")
        m.bias = p
        look("bias")
        with pytest.raises(TypeError, match="parameter 'weight'"):
            m.weight = nn_.ReLU()  # a module cannot replace a parameter...
        m.extra = new("relu", nn_.ReLU())
        look("extra")
        m.extra = r  # ...but a parameter replaces a module
        look("extra")
        del m.extra
        m.add_module("extra", new("tanh", nn_.Tanh()))
        look("extra")
        m.extra = None
        look("extra")
        with pytest.raises(TypeError, match="child module 'extra'"):
            m.extra = 5
        del m.extra
        m.extra = 5
        look("extra")
        twin = copy.deepcopy(m)
        with lib.no_grad():
            twin.bias.fill_(2.0)
        seen.append([list(twin.parameters())[1] is twin.bias, m.bias.sum().item()])
        return seen

    assert history(minigrad) == history(torch)


def test_buffers_register_and_save_as_torch():
    def history(lib):
        nn_ = lib.nn
        m = nn_.Module()
        m.weight = nn_.Parameter(lib.ones(2))
        seen = []

        def look():
            buffers = [(n, b.tolist()) for n, b in m.named_buffers()]
            sd = {k: np.asarray(v).tolist() for k, v in m.state_dict().items()}
            seen.append((buffers, sd, [n for n, _ in m.named_parameters()]))

        m.register_buffer("stat", lib.ones(2))
        m.register_buffer("scratch", lib.zeros(1), persistent=False)  # not in the state dict
        m.register_buffer("absent", None)
        look()
        m.stat = lib.full((2,), 3.0)  # a Tensor replaces the buffer, in its place
        m.absent = lib.ones(1)
        look()
        with pytest.raises(TypeError, match="buffer 'stat'"):
            m.stat = [1.0, 2.0]
        with pytest.raises(TypeError, match="buffer 'other'"):
            m.register_buffer("other", [1.0])
        for bad in ("weight", "a.b", ""):  # a parameter's name, a dotted name, no name
            with pytest.raises(KeyError):
                m.register_buffer(bad, lib.ones(1))
        m.stat = None
        look()
        m.absent = nn_.Parameter(lib.ones(1))  # a Parameter takes over a buffer's name
        del m.scratch
        look()
        outer = nn_.Sequential(m, m)  # prefixed in the state dict; a shared buffer once
        seen.append(([n for n, _ in outer.named_buffers()], list(outer.state_dict())))
        seen.append(list(outer.buffers(recurse=False)))
        return seen

    assert history(minigrad) == history(torch)
    late = nn.Module.__new__(nn.Module)
    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        late.register_buffer("stat", minigrad.ones(1))


def test_module_misuse_raises_like_torch():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minigrad.ones(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(minigrad.ones(1))
    with pytest.raises(ValueError, match="boolean"):
        nn.Linear(2, 2).train("yes")


def test_train_eval_reach_every_module_and_switch_dropout():
    model = build(minigrad)
    x = minigrad.randn(8, 4)
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())  # dropout is off
    model.train()
    assert all(m.training for m in model.modules())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    model = build(minigrad)
    model(minigrad.randn(2, 4)).sum().backward()
    model.zero_grad(set_to_none=set_to_none)
    for p in model.parameters():
        assert p.grad is None if set_to_none else not p.grad.numpy().any()


# ----- state dicts --------------------------------------------------------------------------
def test_state_dict_matches_torch_layout_and_holds_copies():
    ours, theirs = build(minigrad), build(torch)
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict())
    assert {k: v.shape for k, v in sd.items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in sd.values())
    before = ours.linear1.weight.numpy().copy()
    sd["linear1.weight"][...] = 7.0  # changing the dict does not change the model...
    np.testing.assert_array_equal(ours.linear1.weight.numpy(), before)
    with minigrad.no_grad():
        ours.linear1.weight.fill_(3.0)  # ...and changing the model does not change the dict
    assert (sd["linear1.weight"] == 7.0).all()
    assert ours.state_dict(keep_vars=True)["scale"] is ours.scale


def test_weights_move_both_ways_with_identical_outputs_and_gradients():
    torch.manual_seed(0)
    theirs, ours = build(torch).eval(), build(minigrad).eval()
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    y = np.array([0, 2, 1, 1, 0, 2])

    # torch -> minigrad
    result = ours.load_state_dict({k: v.detach() for k, v in theirs.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    out = ours(minigrad.tensor(x))
    expected = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    F.cross_entropy(out, minigrad.tensor(y)).backward()
    torch.nn.functional.cross_entropy(expected, torch.tensor(y)).backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)

    # minigrad -> torch
    minigrad.manual_seed(2)
    fresh = build(minigrad).eval()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in fresh.state_dict().items()})
    np.testing.assert_allclose(
        theirs(torch.tensor(x)).detach().numpy(),
        fresh(minigrad.tensor(x)).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_load_state_dict_accepts_tensors_and_arrays_and_casts():
    model = nn.Linear(2, 3)
    sd = {"weight": minigrad.ones(3, 2, dtype=minigrad.float64), "bias": np.arange(3)}
    assert model.load_state_dict(sd).missing_keys == []
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32
    assert model.weight.tolist() == [[1.0, 1.0]] * 3 and model.bias.tolist() == [0.0, 1.0, 2.0]
    assert model.weight.requires_grad and model.weight.is_leaf


def test_non_strict_load_reports_keys_as_torch():
    ours, theirs = build(minigrad), build(torch)
    sd = {k: v for k, v in ours.state_dict().items() if k != "scale"}
    sd["extra"] = np.zeros(1)
    result = ours.load_state_dict(sd, strict=False)
    expected = theirs.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=False)
    assert result == (["scale"], ["extra"])
    assert (result.missing_keys, result.unexpected_keys) == tuple(expected)
    assert repr(result).replace("minigrad", "") == repr(expected)


def _corrupted(sd):
    sd = dict(sd)
    del sd["linear1.bias"]
    del sd["scale"]
    sd["linear1.gamma"] = np.ones(2)
    sd["block.2.weight"] = np.ones((5, 3))  # transposed
    sd["block.2.bias"] = [0.0, 0.0, 0.0]  # not an array
    return sd


@pytest.mark.parametrize("strict", [True, False])
def test_failed_load_names_every_problem_and_changes_nothing(strict):
    model = build(minigrad)
    before = model.state_dict()
    sd = _corrupted(before)
    sd["linear1.weight"] = np.full((5, 4), 9.0)  # fits: must not be copied either
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(sd, strict=strict)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Net:")
    assert "block.2.weight" in message and "(5, 3)" in message and "(3, 5)" in message
    assert "block.2.bias" in message and "list" in message
    for key in ("linear1.bias", "scale", "linear1.gamma"):
        assert (key in message) == strict
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_rejects_what_is_not_a_mapping():
    with pytest.raises(TypeError, match="dict-like"):
        nn.Linear(2, 2).load_state_dict([("weight", np.ones((2, 2)))])


def test_state_dict_survives_save_and_load(tmp_path):
    model = build(minigrad)
    minigrad.save(model.state_dict(), tmp_path / "model.npz")
    fresh = build(minigrad)
    fresh.load_state_dict(minigrad.load(tmp_path / "model.npz"))
    x = minigrad.randn(3, 4)
    np.testing.assert_array_equal(fresh.eval()(x).numpy(), model.eval()(x).numpy())


# ----- repr -----------------------------------------------------------------------------------
def _every_layer(lib):
    nn_ = lib.nn
    return nn_.Sequential(
        nn_.Linear(4, 5),
        nn_.ReLU(),
        nn_.Sequential(
            nn_.Dropout(0.2),
            nn_.Flatten(),
            nn_.Identity(),
            nn_.Softmax(dim=1),
            nn_.LogSoftmax(1),
            nn_.Sigmoid(),
            nn_.Tanh(),
            nn_.ReLU(inplace=True),
            nn_.Dropout(p=0.5, inplace=True),
            nn_.Softmax(),
            nn_.Flatten(0, 2),
        ),
        nn_.Linear(5, 3, bias=False),
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.nn.Linear(4, 5),
        lambda lib: lib.nn.Linear(1, 2, bias=False),
        _every_layer,
        build,
        lambda lib: lib.nn.Sequential(OrderedDict(first=lib.nn.Linear(2, 2), act=lib.nn.Tanh())),
        lambda lib: lib.nn.CrossEntropyLoss(label_smoothing=0.1),
        lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=lib.ones(2)),
        lambda lib: lib.nn.MSELoss(reduction="sum"),
        lambda lib: lib.nn.NLLLoss(ignore_index=1),
        lambda lib: lib.nn.BCELoss(),
        lambda lib: lib.nn.Module(),
    ],
)
def test_repr_equals_torchs(make):
    assert repr(make(minigrad)) == repr(make(torch))


@pytest.mark.parametrize(
    "data,requires_grad", [([1.0, 2.5], True), ([[1, 2], [3, 4]], False), (None, True)]
)
def test_parameter_repr_equals_torchs(data, requires_grad):
    ours = nn.Parameter(None if data is None else minigrad.tensor(data), requires_grad)
    theirs = torch.nn.Parameter(None if data is None else torch.tensor(data), requires_grad)
    assert repr(ours) == repr(theirs)


# ----- containers and layers --------------------------------------------------------------------
def test_sequential_indexing_slicing_and_iteration_as_torch():
    ours, theirs = _every_layer(minigrad), _every_layer(torch)
    assert len(ours) == len(theirs) == 4
    for index in (0, 2, -1, -4):
        assert repr(ours[index]) == repr(theirs[index])
    assert repr(ours[1:3]) == repr(theirs[1:3])  # a slice keeps the names
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    with pytest.raises(IndexError, match="out of range"):
        ours[4]
    ours.append(nn.Tanh())
    theirs.append(torch.nn.Tanh())
    assert repr(ours) == repr(theirs)


def test_sequential_applies_modules_in_order():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid())
    x = minigrad.randn(5, 3)
    expected = model[3](model[2](model[1](model[0](x))))
    np.testing.assert_array_equal(model(x).numpy(), expected.numpy())


def test_linear_init_is_seeded_uniform_within_torchs_bound():
    minigrad.manual_seed(3)
    a = nn.Linear(400, 300)
    minigrad.manual_seed(3)
    b = nn.Linear(400, 300)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())
    bound = 1 / np.sqrt(400)
    w = a.weight.numpy()
    assert w.dtype == np.float32 and w.shape == (300, 400)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound  # U(-b, b) has std b / sqrt(3)
    assert np.abs(a.bias.numpy()).max() <= bound
    assert not np.array_equal(nn.Linear(400, 300).weight.numpy(), w)  # the generator moved on


def test_linear_options():
    layer = nn.Linear(3, 2, bias=False, dtype=minigrad.float64)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.dtype == np.float64
    assert layer(minigrad.ones(4, 3, dtype=minigrad.float64)).shape == (4, 2)
    with pytest.warns(UserWarning, match="zero-element"):
        empty = nn.Linear(0, 3)  # as torch: the weight is empty, the bias bound is 0
    assert empty.bias.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda lib: lib.nn.ReLU(), (3, 4)),
        (lambda lib: lib.nn.Sigmoid(), (3, 4)),
        (lambda lib: lib.nn.Tanh(), (2, 3, 4)),
        (lambda lib: lib.nn.Softmax(dim=-1), (2, 3, 4)),
        (lambda lib: lib.nn.LogSoftmax(dim=0), (2, 3, 4)),
        (lambda lib: lib.nn.Flatten(), (2, 3, 4)),
        (lambda lib: lib.nn.Flatten(0, 1), (2, 3, 4)),
        (lambda lib: lib.nn.Identity(54, unused=True), (2, 3)),
    ],
)
def test_layers_match_torch(make, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    ours_x = minigrad.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    out, expected = make(minigrad)(ours_x), make(torch)(theirs_x)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    upstream = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_dropout_module_draws_a_fresh_seeded_mask_and_stops_in_eval():
    layer = nn.Dropout(0.5)
    x = minigrad.ones(1000)
    minigrad.manual_seed(0)
    first, second = layer(x), layer(x)
    assert not np.array_equal(first.numpy(), second.numpy())
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(layer(x).numpy(), first.numpy())
    assert set(np.unique(first.numpy()).tolist()) == {0.0, 2.0}
    assert layer.eval()(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)


# ----- loss modules -------------------------------------------------------------------------------
def _loss_cases():
    rng = np.random.default_rng(0)
    logits, probs = rng.standard_normal((4, 3)), rng.random((4, 3))
    labels = np.array([0, 2, 1, 2])
    w = np.array([0.5, 2.0, 1.0])
    return [
        ("MSELoss", dict(reduction="sum"), logits, probs),
        ("BCELoss", dict(weight=w), probs, (rng.random((4, 3)) > 0.5).astype(float)),
        ("BCEWithLogitsLoss", dict(pos_weight=w, reduction="none"), logits, probs),
        ("NLLLoss", dict(weight=w, ignore_index=1), np.log(probs), labels),
        ("CrossEntropyLoss", dict(weight=w, label_smoothing=0.2), logits, labels),
        ("CrossEntropyLoss", dict(ignore_index=2, reduction="sum"), logits, labels),
        ("CrossEntropyLoss", {}, logits, probs),
    ]


@pytest.mark.parametrize("name,options,x,y", _loss_cases())
def test_loss_modules_match_torch(name, options, x, y):
    def make(lib):
        opts = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
        return getattr(lib.nn, name)(**opts)

    ours_x, theirs_x = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = make(minigrad)(ours_x, minigrad.tensor(y))
    expected = make(torch)(theirs_x, torch.tensor(y))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "name,options",
    [
        ("MSELoss", {}),
        ("BCELoss", {}),
        ("BCELoss", dict(weight=[0.5, 2.0, 1.0])),
        ("BCEWithLogitsLoss", {}),
        ("BCEWithLogitsLoss", dict(pos_weight=[0.5, 2.0, 1.0])),
        ("BCEWithLogitsLoss", dict(weight=[0.5, 2.0, 1.0], pos_weight=[3.0, 1.0, 2.0])),
        ("NLLLoss", {}),
        ("NLLLoss", dict(weight=[0.5, 2.0, 1.0])),
        ("CrossEntropyLoss", {}),
        ("CrossEntropyLoss", dict(weight=[0.5, 2.0, 1.0], label_smoothing=0.1)),
    ],
)
def test_loss_weights_are_buffers_in_the_state_dict_as_torch(name, options):
    def make(lib, dtype):
        opts = {
            k: lib.tensor(v, dtype=dtype) if isinstance(v, list) else v for k, v in options.items()
        }
        return getattr(lib.nn, name)(**opts)

    ours, theirs = make(minigrad, minigrad.float64), make(torch, torch.float64)
    sd, expected = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(expected)  # a None weight is not in it
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.parameters()) == []
    for key, value in expected.items():
        assert sd[key].dtype == np.float64 and np.array_equal(sd[key], value.numpy())
        assert getattr(ours, key) is ours.state_dict(keep_vars=True)[key]

    # torch -> minigrad: copied into the weight the loss was given, cast to its dtype
    given = {key: getattr(ours, key) for key in sd}
    loaded = {key: torch.rand(3, dtype=torch.float32) for key in expected}
    assert repr(ours.load_state_dict(loaded)) == repr(theirs.load_state_dict(loaded))
    for key, value in loaded.items():
        assert getattr(ours, key) is given[key] and given[key].dtype == np.float64
        np.testing.assert_array_equal(given[key].numpy(), value.double().numpy())
    # minigrad -> torch
    fresh = make(torch, torch.float64)
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ours.state_dict()[key])
    if "weight" not in expected:  # a loss built without a weight refuses one, as torch's does
        for loss in (make(minigrad, None), make(torch, None)):
            with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "weight"'):
                loss.load_state_dict({**loss.state_dict(), "weight": np.ones(3)})


def test_loss_module_rejects_a_bad_reduction_when_built():
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"


# ----- whole models: hypothesis draws an MLP, torch runs the same weights -----------------------
@st.composite
def mlps(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers.append(("Linear", (n_in, n_out), dict(bias=draw(st.booleans()))))
        layers.append((draw(st.sampled_from(["ReLU", "Tanh", "Sigmoid", "Identity"])), (), {}))
    return sizes, layers, draw(st.integers(1, 5)), draw(st.integers(0, 2**32 - 1))


@settings(max_examples=25)
@given(mlps())
def test_random_mlps_match_torch_in_float64(case):
    sizes, layers, batch, seed = case

    def make(lib):
        dtype = lib.float64
        return lib.nn.Sequential(
            *(
                getattr(lib.nn, kind)(*args, **options, dtype=dtype)
                if kind == "Linear"
                else getattr(lib.nn, kind)()
                for kind, args, options in layers
            )
        )

    minigrad.manual_seed(seed)
    ours, theirs = make(minigrad), make(torch)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    loss = F.cross_entropy(ours(minigrad.tensor(x)), minigrad.tensor(y))
    expected = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-10, atol=1e-12)
    loss.backward()
    expected.backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(
            p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_parameter_shares_its_tensors_memory_and_version_counter_as_torch():
    """Found in audit: Parameter(t) copied t; PyTorch's shares it (as t.detach() does)."""
    results = []
    for lib in (minigrad, torch):
        t = lib.zeros(3)
        p = lib.nn.Parameter(t)
        with lib.no_grad():
            p.add_(1)
        t.mul_(5)
        seen = [t.tolist(), p.tolist(), t.requires_grad, p.requires_grad, p.is_leaf]
        y = (p * p).sum()
        t.add_(1)  # changes what y's backward saved
        with pytest.raises(RuntimeError, match=r"modified by an in.?place operation"):
            y.backward()
        a = lib.ones(2, requires_grad=True)
        q = lib.nn.Parameter(a * 2)  # a non-leaf's values, cut from its graph
        seen += [q.tolist(), q.is_leaf, q.grad_fn is None, q.requires_grad, a.requires_grad]
        results.append(seen)
    assert results[0] == results[1]
    assert results[0][:2] == [[5.0, 5.0, 5.0]] * 2


def test_parameter_is_a_leaf_tensor_whose_results_are_plain_tensors():
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    out = p * 2
    assert type(out) is minigrad.Tensor and out.grad_fn is not None
    out.sum().backward()
    assert p.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minigrad.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.nn.Parameter(torch.tensor([1, 2]))
