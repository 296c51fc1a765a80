"""Errors (API.md, Errors): the exception type PyTorch raises, and a message in the user's terms.

Each row runs the same mistake with minigrad and with torch: minigrad must raise exactly
`error` with a message matching `message` (the shapes, dims or dtypes involved), and torch
must raise an `error` too, unless `torch_error` says which type torch raises instead.
"""

import re

import numpy as np
import pytest
import torch

import minigrad as mg


class Row:
    def __init__(self, fn, error, message, torch_error=None):
        self.fn, self.error, self.message = fn, error, message
        self.torch_error = torch_error or error


def shapes(*texts: str) -> str:
    """A pattern matching a message that names each of these shapes, in any order."""
    return "".join(f"(?=.*{re.escape(t)})" for t in texts)


def _iadd_text(m):
    x = m.ones(2)
    x += "a"


ERRORS = {
    # ----- shapes
    "matmul_2d": Row(
        lambda m: m.ones(2, 3) @ m.ones(4, 5), RuntimeError, shapes("(2, 3)", "(4, 5)")
    ),
    "matmul_1d": Row(lambda m: m.ones(3) @ m.ones(4), RuntimeError, shapes("(3,)", "(4,)")),
    "matmul_0d": Row(lambda m: m.tensor(1.0) @ m.ones(3), RuntimeError, shapes("()", "(3,)")),
    "matmul_batch": Row(
        lambda m: m.ones(2, 3, 4) @ m.ones(5, 4, 2), RuntimeError, shapes("(2, 3, 4)", "(5, 4, 2)")
    ),
    "matmul_function": Row(
        lambda m: m.matmul(m.ones(2), m.ones(3, 2)), RuntimeError, shapes("(2,)", "(3, 2)")
    ),
    "broadcast_add": Row(
        lambda m: m.ones(2, 3) + m.ones(4), RuntimeError, shapes("(2, 3)", "(4,)")
    ),
    "broadcast_sub": Row(lambda m: m.ones(3) - m.ones(2), RuntimeError, shapes("(3,)", "(2,)")),
    "broadcast_mul": Row(
        lambda m: m.ones(2, 3) * m.ones(2, 1, 4), RuntimeError, shapes("(2, 3)", "(2, 1, 4)")
    ),
    "broadcast_div": Row(lambda m: m.ones(3) / m.ones(2), RuntimeError, shapes("(3,)", "(2,)")),
    "broadcast_pow": Row(lambda m: m.ones(3) ** m.ones(2), RuntimeError, shapes("(3,)", "(2,)")),
    "broadcast_reflected": Row(
        lambda m: 2.0 * m.ones(3) + m.ones(2), RuntimeError, shapes("(3,)", "(2,)")
    ),
    "broadcast_eq": Row(lambda m: m.ones(3) == m.ones(2), RuntimeError, shapes("(3,)", "(2,)")),
    "broadcast_lt": Row(lambda m: m.ones(3) < m.ones(2), RuntimeError, shapes("(3,)", "(2,)")),
    "broadcast_where": Row(
        lambda m: m.where(m.ones(3) > 0, m.ones(2), 0.0), RuntimeError, shapes("(3,)", "(2,)")
    ),
    "broadcast_maximum": Row(
        lambda m: m.maximum(m.ones(2, 3), m.ones(2)), RuntimeError, shapes("(2, 3)", "(2,)")
    ),
    "broadcast_max_of_two": Row(
        lambda m: m.ones(3).max(m.ones(2)), RuntimeError, shapes("(3,)", "(2,)")
    ),
    "maximum_number": Row(lambda m: m.maximum(m.ones(2), 2.0), TypeError, "'other'.*float"),
    "minimum_array": Row(lambda m: m.ones(2).minimum(np.ones(2)), TypeError, "'other'.*ndarray"),
    "max_of_two_keepdim": Row(
        lambda m: m.max(m.ones(2), m.ones(2), keepdim=True), TypeError, "keepdim"
    ),
    # PyTorch refuses any keepdim or dim with two tensors, even keepdim=False or by position
    "max_of_two_keepdim_false": Row(
        lambda m: m.max(m.ones(2), m.ones(2), keepdim=False), TypeError, "no dim or keepdim"
    ),
    "max_of_two_and_dim": Row(lambda m: m.max(m.ones(2), m.ones(2), 0), TypeError, "no dim"),
    "min_of_two_keepdim_false": Row(
        lambda m: m.ones(2).min(m.ones(2), False), TypeError, "no dim or keepdim"
    ),
    "max_other_keyword_keepdim": Row(
        lambda m: m.ones(2).max(other=m.ones(2), keepdim=False), TypeError, "no dim or keepdim"
    ),
    "max_dim_keyword_tensor": Row(
        lambda m: m.ones(2).max(dim=m.ones(2)), TypeError, "'dim'.*not Tensor.*other"
    ),
    "min_dim_keyword_tensor": Row(
        lambda m: m.min(m.ones(2), dim=m.ones(2)), TypeError, "'dim'.*not Tensor.*other"
    ),
    "max_other_twice": Row(
        lambda m: m.ones(2).max(m.ones(2), other=m.ones(2)), TypeError, "multiple values.*'other'"
    ),
    "max_other_none": Row(lambda m: m.ones(2).max(other=None), TypeError, "'other'.*NoneType"),
    "broadcast_iadd": Row(
        lambda m: m.ones(3).add_(m.ones(2)), RuntimeError, shapes("(3,)", "(2,)")
    ),
    "broadcast_imul_bigger": Row(lambda m: m.ones(3).mul_(m.ones(2, 3)), RuntimeError, r"\(3,\)"),
    "broadcast_copy_": Row(
        lambda m: m.ones(3).copy_(m.ones(2)), RuntimeError, shapes("(3,)", "(2,)")
    ),
    "broadcast_copy_bigger": Row(
        lambda m: m.ones(3).copy_(m.ones(2, 3)), RuntimeError, shapes("(2, 3)", "(3,)")
    ),
    "setitem_value_shape": Row(
        lambda m: m.ones(3).__setitem__(slice(None), m.ones(2)),
        RuntimeError,
        shapes("(2,)", "(3,)"),
    ),
    "reshape": Row(lambda m: m.ones(2, 3).reshape(4), RuntimeError, shapes("(4,)", "(2, 3)")),
    "reshape_two_inferred": Row(
        lambda m: m.ones(2, 3).reshape(-1, -1), RuntimeError, r"\(-1, -1\)"
    ),
    "reshape_negative": Row(lambda m: m.ones(2, 3).reshape(-2, 3), RuntimeError, r"-2"),
    "view": Row(lambda m: m.ones(2, 3).view(5, -1), RuntimeError, shapes("(5, -1)", "(2, 3)")),
    "view_not_contiguous": Row(lambda m: m.ones(2, 3).T.view(6), RuntimeError, r"view.*reshape"),
    "cat_sizes": Row(
        lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]), RuntimeError, shapes("(2, 3)", "(2, 4)")
    ),
    "cat_ndims": Row(
        lambda m: m.cat([m.ones(2, 3), m.ones(3)]), RuntimeError, shapes("(2, 3)", "(3,)")
    ),
    "cat_0d": Row(lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]), RuntimeError, "zero-dim"),
    "stack_shapes": Row(
        lambda m: m.stack([m.ones(2), m.ones(3)]), RuntimeError, shapes("(2,)", "(3,)")
    ),
    "stack_empty": Row(lambda m: m.stack([]), RuntimeError, "non-empty"),
    "permute_count": Row(lambda m: m.ones(2, 3).permute(0), RuntimeError, "number of dims"),
    "permute_repeat": Row(lambda m: m.ones(2, 3).permute(0, 0), RuntimeError, "repeat"),
    "flatten_order": Row(lambda m: m.ones(2, 3, 4).flatten(2, 1), RuntimeError, "start_dim"),
    # ----- autograd
    "backward_non_scalar": Row(
        lambda m: (m.ones(3, requires_grad=True) * 2).backward(), RuntimeError, r"scalar.*\(3,\)"
    ),
    "backward_gradient_shape": Row(
        lambda m: (m.ones(3, requires_grad=True) * 2).backward(m.ones(2)),
        RuntimeError,
        r"shape.*\(2,\).*\(3,\)",
    ),
    "backward_without_grad": Row(
        lambda m: m.ones(3).sum().backward(), RuntimeError, "does not require grad"
    ),
    "requires_grad_int": Row(
        lambda m: m.tensor([1, 2], requires_grad=True), RuntimeError, "floating point.*int64"
    ),
    "requires_grad_bool": Row(
        lambda m: m.tensor([True]).requires_grad_(), RuntimeError, "floating point.*bool"
    ),
    "requires_grad_non_leaf": Row(
        lambda m: setattr(m.ones(2, requires_grad=True) * 2, "requires_grad", False),
        RuntimeError,
        "leaf",
    ),
    "inplace_on_leaf": Row(lambda m: m.ones(3, requires_grad=True).add_(1), RuntimeError, "leaf"),
    "inplace_float_into_int": Row(lambda m: m.tensor([1]).add_(1.5), RuntimeError, "int64"),
    "sub_bool": Row(lambda m: m.tensor([True]) - m.tensor([False]), RuntimeError, "bool"),
    "neg_bool": Row(lambda m: -m.tensor([True]), RuntimeError, "bool"),
    # ----- indices and dims
    "index_int": Row(lambda m: m.ones(3)[5], IndexError, r"5.*size 3"),
    "index_negative": Row(lambda m: m.ones(3)[-4], IndexError, r"-4.*size 3"),
    "index_second_dim": Row(lambda m: m.ones(2, 3)[0, 3], IndexError, r"3.*size 3"),
    "index_tensor": Row(lambda m: m.ones(3)[m.tensor([0, 7])], IndexError, r"7.*size 3"),
    "index_list": Row(lambda m: m.ones(3)[[3]], IndexError, r"3.*size 3"),
    "index_too_many": Row(lambda m: m.ones(3)[0, 0], IndexError, "too many indices"),
    "index_mask_shape": Row(lambda m: m.ones(3)[m.tensor([True, False])], IndexError, "3.*2|2.*3"),
    "index_float_tensor": Row(lambda m: m.ones(3)[m.tensor([0.0])], IndexError, "integer or bool"),
    "index_float": Row(lambda m: m.ones(3)[1.5], IndexError, "integers"),
    "setitem_index": Row(lambda m: m.ones(3).__setitem__(5, 1.0), IndexError, r"5.*size 3"),
    "dim_sum": Row(lambda m: m.ones(2, 3).sum(dim=2), IndexError, r"\[-2, 1\].*got 2"),
    "dim_sum_tuple": Row(lambda m: m.ones(2, 3).sum(dim=(0, 2)), IndexError, r"got 2"),
    "dim_0d": Row(lambda m: m.tensor(1.0).sum(dim=1), IndexError, r"\[-1, 0\].*got 1"),
    "dim_mean": Row(lambda m: m.ones(2, 3).mean(dim=-3), IndexError, "got -3"),
    "dim_softmax": Row(lambda m: m.ones(2, 3).softmax(dim=5), IndexError, "got 5"),
    "dim_log_softmax": Row(lambda m: m.log_softmax(m.ones(2, 3), -3), IndexError, "got -3"),
    "dim_max": Row(lambda m: m.ones(2, 3).max(dim=2), IndexError, "got 2"),
    "dim_argmin": Row(lambda m: m.ones(2, 3).argmin(dim=-3), IndexError, "got -3"),
    "dim_unsqueeze": Row(lambda m: m.ones(2, 3).unsqueeze(4), IndexError, r"\[-3, 2\].*got 4"),
    "dim_squeeze": Row(lambda m: m.ones(2, 3).squeeze(4), IndexError, "got 4"),
    "dim_transpose": Row(lambda m: m.ones(2, 3).transpose(0, 3), IndexError, "got 3"),
    "dim_permute": Row(lambda m: m.ones(2, 3).permute(0, 2), IndexError, "got 2"),
    "dim_flatten": Row(lambda m: m.ones(2, 3).flatten(0, 5), IndexError, "got 5"),
    "dim_size": Row(lambda m: m.ones(2, 3).size(3), IndexError, "got 3"),
    "dim_cat": Row(lambda m: m.cat([m.ones(2), m.ones(2)], dim=1), IndexError, "got 1"),
    "dim_stack": Row(lambda m: m.stack([m.ones(2), m.ones(2)], dim=3), IndexError, "got 3"),
    "dim_repeated": Row(lambda m: m.ones(2, 3).sum(dim=(0, -2)), RuntimeError, "multiple times"),
    "dim_squeeze_repeated": Row(lambda m: m.ones(1, 2).squeeze((0, 0)), RuntimeError, "twice"),
    "dim_float": Row(lambda m: m.ones(2).sum(dim=0.5), TypeError, "int"),
    # ----- operand and argument types
    "operand_str": Row(lambda m: m.ones(2) + "a", TypeError, "'Tensor' and 'str'"),
    "operand_list": Row(lambda m: m.ones(2) + [1, 2], TypeError, "'Tensor' and 'list'"),
    "operand_tuple": Row(lambda m: m.ones(2) + (1, 2), TypeError, "'Tensor' and 'tuple'"),
    "operand_none": Row(lambda m: m.ones(2) / None, TypeError, "'Tensor' and 'NoneType'"),
    "operand_reflected": Row(lambda m: "a" - m.ones(2), TypeError, "'str' and 'Tensor'"),
    "operand_matmul": Row(lambda m: m.ones(2) @ "x", TypeError, "'Tensor' and 'str'"),
    "operand_pow": Row(lambda m: m.ones(2) ** "a", TypeError, "'Tensor' and 'str'"),
    "operand_compare": Row(lambda m: m.ones(2) < "a", TypeError, "'Tensor' and 'str'"),
    "operand_inplace": Row(_iadd_text, TypeError, r"\+=: 'Tensor' and 'str'"),
    "function_argument": Row(lambda m: m.exp([1.0, 2.0]), TypeError, "exp.*list"),
    "cat_not_a_list": Row(lambda m: m.cat(m.ones(2)), TypeError, "list or tuple"),
    "cat_item": Row(lambda m: m.cat([m.ones(2), [1.0]]), TypeError, "list"),
    "where_value": Row(lambda m: m.where(m.ones(2) > 0, m.ones(2), "a"), TypeError, "where"),
    "clamp_bound": Row(lambda m: m.ones(2).clamp("a"), TypeError, "min"),
    "copy_source": Row(lambda m: m.ones(2).copy_("a"), TypeError, "copy_"),
    "size_type": Row(lambda m: m.zeros(2.5), TypeError, "float"),
    # ----- values
    "mean_int": Row(lambda m: m.tensor([1, 2]).mean(), RuntimeError, "mean.*int64"),
    "mean_bool_dim": Row(lambda m: m.tensor([True]).mean(dim=0), RuntimeError, "mean.*bool"),
    "softmax_int": Row(
        lambda m: m.tensor([1, 2]).softmax(0), RuntimeError, "softmax.*int64", NotImplementedError
    ),
    "max_empty": Row(lambda m: m.ones(0).max(), RuntimeError, r"max.*empty.*\(0,\)"),
    "min_empty": Row(lambda m: m.min(m.ones(0, 3)), RuntimeError, r"min.*empty.*\(0, 3\)"),
    "max_empty_dim": Row(lambda m: m.ones(2, 0).max(dim=1), IndexError, r"empty.*\(2, 0\).*1"),
    "argmax_empty": Row(lambda m: m.ones(0).argmax(), IndexError, r"argmax.*empty"),
    "argmin_empty_dim": Row(lambda m: m.ones(0, 2).argmin(dim=0), IndexError, r"argmin.*empty"),
    "clamp_no_bound": Row(lambda m: m.ones(2).clamp(), RuntimeError, "min.*max"),
    "item_of_many": Row(lambda m: m.ones(2).item(), RuntimeError, "2 elements"),
    "float_of_many": Row(lambda m: float(m.ones(2)), ValueError, "one element"),
    "bool_of_many": Row(lambda m: bool(m.ones(2)), RuntimeError, "ambiguous"),
    "len_0d": Row(lambda m: len(m.tensor(1.0)), TypeError, "0-d"),
    "negative_size": Row(lambda m: m.zeros(-1), RuntimeError, "negative"),
    "where_condition": Row(
        lambda m: m.where(m.ones(2), m.ones(2), 0.0), RuntimeError, "bool.*float32"
    ),
    "arange_zero_step": Row(lambda m: m.arange(0, 5, 0), RuntimeError, "step"),
    "arange_wrong_way": Row(lambda m: m.arange(5, 0), RuntimeError, "sign"),
    "arange_bool": Row(lambda m: m.arange(3, dtype=m.bool), NotImplementedError, "bool"),
    "tensor_none": Row(lambda m: m.tensor(None), RuntimeError, "NoneType"),
    "tensor_text": Row(lambda m: m.tensor("abc"), TypeError, "str"),
    "tensor_ragged": Row(lambda m: m.tensor([[1, 2], [3]]), ValueError, "rectangular"),
    "tensor_object": Row(lambda m: m.tensor(object()), RuntimeError, "object"),
    # ----- found in audit: NumPy's words or another type before
    "linear_negative": Row(lambda m: m.nn.Linear(-1, 2), RuntimeError, "-1"),
    "linear_text": Row(lambda m: m.nn.Linear("a", 2), TypeError, "in_features.*'a'"),
    "backward_text": Row(
        lambda m: (m.ones(1, requires_grad=True) * 2).backward("a"), TypeError, "str"
    ),
    "to_cuda": Row(lambda m: m.ones(1).to("cuda"), RuntimeError, "CPU", AssertionError),
    "seed_too_big": Row(lambda m: m.manual_seed(2**64), ValueError, "seed"),
    # ----- factory arguments, as PyTorch's parser takes them
    "zeros_size_keyword_int": Row(lambda m: m.zeros(size=2), TypeError, "'size'.*int"),
    "randn_size_twice": Row(lambda m: m.randn(2, size=(2, 3)), TypeError, "size"),
    "full_size_int": Row(lambda m: m.full(2, 3.0), TypeError, "'size'.*int"),
    "full_dtype_by_position": Row(lambda m: m.full((2,), 1.0, m.float64), TypeError, "positional"),
    "tensor_dtype_by_position": Row(lambda m: m.tensor([1], m.float64), TypeError, "positional"),
    "arange_nothing": Row(lambda m: m.arange(), TypeError, "end"),
    "arange_step_alone": Row(lambda m: m.arange(step=2), TypeError, "end"),
    "arange_end_and_step_only": Row(lambda m: m.arange(end=5, step=2), TypeError, "start"),
    "arange_one_bound_and_step": Row(lambda m: m.arange(5, step=2), TypeError, "end"),
    "arange_step_none": Row(lambda m: m.arange(1, 5, None), TypeError, "step.*NoneType"),
    "arange_start_none": Row(lambda m: m.arange(None, 5), TypeError, "start.*NoneType"),
    "arange_end_none": Row(lambda m: m.arange(5, None), TypeError, "end.*NoneType"),
    "arange_step_keyword_none": Row(
        lambda m: m.arange(0, 5, step=None), TypeError, "step.*NoneType"
    ),
    "zeros_size_none": Row(lambda m: m.zeros(size=None), TypeError, "'size'.*NoneType"),
    "ones_size_none": Row(lambda m: m.ones(size=None), TypeError, "'size'.*NoneType"),
    "rand_size_none": Row(lambda m: m.rand(size=None), TypeError, "'size'.*NoneType"),
    "full_size_none": Row(lambda m: m.full(None, 1.0), TypeError, "'size'.*NoneType"),
    "eye_m_none": Row(lambda m: m.eye(2, None), TypeError, "NoneType"),
    "zeros_tuple_and_int": Row(
        lambda m: m.zeros((2,), 3), TypeError, r"one tuple.*2 positional.*\(\(2,\), 3\)"
    ),
    "ones_list_and_int": Row(lambda m: m.ones([2], 3), TypeError, "one tuple.*2 positional"),
    "reshape_tuple_and_int": Row(
        lambda m: m.ones(2, 3).reshape((2, 3), 1), TypeError, "one tuple.*2 positional"
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_type_and_message(name):
    row = ERRORS[name]
    with pytest.raises(Exception) as mine:
        row.fn(mg)
    assert type(mine.value) is row.error, (
        f"minigrad raised {type(mine.value).__name__}: {mine.value}"
    )
    assert mine.match(row.message)
    with pytest.raises(row.torch_error):
        row.fn(torch)


def test_a_changed_saved_tensor_names_the_op_and_the_versions():
    w = mg.ones(2, requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    z = (w * c).sum()
    c.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"in-place.*\(2,\).*MulBackward0.*version 1"):
        z.backward()


def test_second_backward_names_the_op():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid().sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"SigmoidBackward0.*retain_graph=True"):
        y.backward()


def test_numpy_error_settings_are_left_alone():
    before = np.geterr()
    with pytest.warns(RuntimeWarning):
        mg.tensor([-1.0]).log()  # NumPy's own warning, as the user's settings ask
    mg.tensor([0.0]).log_softmax(0)
    mg.zeros(0).mean()
    assert np.geterr() == before
