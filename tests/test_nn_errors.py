"""nn.functional errors: each names the problem, with the exception type torch raises."""

import pytest
import torch
import torch.nn.functional as TF  # noqa: N812 - PyTorch's convention

import minigrad
import minigrad.nn.functional as F  # noqa: N812 - PyTorch's convention


# ----- errors: type and message, the type checked against torch's ------------------------------
def _errors():
    x, t = "zeros(3, 4)", "tensor([0, 1, 2])"
    return [
        # (call on `lib` and `F`, exception, message part, torch raises the same type)
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1]))", ValueError, "(2,)", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1, 5]))", IndexError, "Target 5", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0, 1, -1]))", IndexError, "Target -1", True),
        (f"F.nll_loss(lib.{x}, lib.tensor([4, 1, 0]))", IndexError, "4 classes", True),
        (f"F.cross_entropy(lib.{x}, lib.tensor([0., 1., 2.]))", RuntimeError, "int64", True),
        (f"F.cross_entropy(lib.{x}, lib.zeros(3, 4).long())", RuntimeError, "floating", True),
        (
            "F.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5).long())",
            RuntimeError,
            "(2, 4)",
            True,
        ),
        (f"F.cross_entropy(lib.{x}, lib.{t}, reduction='avg')", ValueError, "avg", True),
        (f"F.mse_loss(lib.{x}, lib.{x}, reduction='elementwise')", ValueError, "reduction", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(3))", RuntimeError, "4 classes", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, label_smoothing=1.5)", RuntimeError, "1.5", True),
        (f"F.cross_entropy(lib.{x}, lib.{t}, label_smoothing=-0.1)", RuntimeError, "-0.1", False),
        (f"F.cross_entropy(lib.{x}, lib.rand(3, 4), ignore_index=1)", RuntimeError, "ignore", True),
        (
            f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(4, requires_grad=True))",
            RuntimeError,
            "weight",
            True,
        ),
        (
            f"F.cross_entropy(lib.{x}, lib.{t}, weight=lib.ones(4).double())",
            RuntimeError,
            "float64",
            True,
        ),
        (f"F.cross_entropy(lib.{x}.long(), lib.{t})", NotImplementedError, "int64", True),
        (f"F.cross_entropy([[0.0]], lib.{t})", TypeError, "list", True),
        (
            "F.binary_cross_entropy(lib.tensor([1.5, .2]), lib.ones(2))",
            RuntimeError,
            "between 0 and 1",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.tensor([float('nan')]), lib.ones(1))",
            RuntimeError,
            "between 0 and 1",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.ones(2), lib.tensor([1.0, 2.0]))",
            RuntimeError,
            "target",
            True,
        ),
        ("F.binary_cross_entropy(lib.ones(3), lib.ones(3, 1))", ValueError, "(3, 1)", True),
        (
            "F.binary_cross_entropy(lib.ones(3), lib.ones(3).double())",
            RuntimeError,
            "float64",
            True,
        ),
        (
            "F.binary_cross_entropy(lib.ones(3), lib.ones(3), weight=lib.ones(2))",
            RuntimeError,
            "(2,)",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3, 1))",
            ValueError,
            "(3,)",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3).long())",
            RuntimeError,
            "floating",
            True,
        ),
        (
            "F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3), pos_weight=lib.ones(2))",
            RuntimeError,
            "pos_weight",
            True,
        ),
        ("F.mse_loss(lib.ones(3, 4), lib.ones(3), weight=None)", RuntimeError, "(3,)", True),
        ("F.mse_loss(lib.ones(3), lib.ones(3), weight=lib.ones(1))", ValueError, "same size", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 5))", RuntimeError, "(4, 5)", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 3).double())", RuntimeError, "float64", True),
        ("F.linear([[1.0, 2.0, 3.0]], lib.ones(4, 3))", TypeError, "'input'", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 3), [1.0] * 4)", TypeError, "'bias'", True),
        ("F.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(5))", RuntimeError, "(5,)", True),
        (
            "F.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(4).double())",
            RuntimeError,
            "float64",
            True,
        ),
        ("F.linear(lib.ones(2, 3), lib.ones(3))", RuntimeError, "2-D", False),
        ("F.one_hot(lib.tensor([0, 3]), 2)", RuntimeError, "smaller than num_classes", True),
        ("F.one_hot(lib.tensor([0, -1]))", RuntimeError, "non-negative", True),
        ("F.one_hot(lib.tensor([0., 1.]))", RuntimeError, "int64", True),
        ("F.one_hot(lib.tensor([]).long())", RuntimeError, "empty", True),
        ("F.one_hot(lib.tensor([]).long(), 0)", RuntimeError, "empty", True),
        ("F.one_hot(lib.tensor([5, -1]), 3)", RuntimeError, "smaller than num_classes", True),
        ("F.dropout(lib.ones(3), 1.5)", ValueError, "1.5", True),
        ("F.relu(lib.tensor([True, False]))", RuntimeError, "Boolean", True),
    ]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("call,error,message,torch_too", _errors(), ids=lambda v: str(v)[:60])
def test_errors_name_the_problem_with_torchs_exception_type(call, error, message, torch_too):
    with pytest.raises(error) as info:
        eval(call, {"lib": minigrad, "F": F})
    assert message in str(info.value)
    if torch_too:
        with pytest.raises(Exception) as theirs:
            eval(call, {"lib": torch, "F": TF})
        assert isinstance(info.value, type(theirs.value))


def test_mse_loss_broadcasts_with_torchs_warning():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(minigrad.ones(3, 4), minigrad.zeros(4))
    assert out.item() == 1.0


def test_deprecated_size_average_and_reduce_pick_the_reduction_as_torch():
    x, y = minigrad.tensor([1.0, 2.0]), minigrad.tensor([0.0, 0.0])
    for size_average, reduce, expected in [(False, None, 5.0), (None, False, [1.0, 4.0])]:
        with pytest.warns(UserWarning, match="reduction="):
            out = F.mse_loss(x, y, size_average=size_average, reduce=reduce)
        assert out.tolist() == expected
