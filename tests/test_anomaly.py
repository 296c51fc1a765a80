"""detect_anomaly: the first op making NaN or inf raises, naming op, direction and user line."""

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import detect_anomaly


def test_log_of_negative_raises_in_forward_naming_the_line():
    x = mg.tensor([-1.0, 2.0], requires_grad=True)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's own warning for log(-1)
        with pytest.raises(RuntimeError, match=r"forward of Log produced NaN") as info:
            x.log()  # the line the error must point at
    assert "test_anomaly.py" in str(info.value)
    assert "x.log()" in str(info.value)


def test_zero_over_zero_raises_in_forward():
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match=r"forward of Div produced NaN"):
            mg.tensor([0.0]) / mg.tensor([0.0])


def test_sqrt_at_zero_raises_in_backward_with_the_creating_line():
    x = mg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = x.sqrt().sum()  # sqrt is finite at 0, its derivative is not
        with pytest.raises(RuntimeError, match=r"backward of Sqrt produced inf") as info:
            y.backward()
    assert "x.sqrt().sum()" in str(info.value)


def test_clean_computation_raises_nothing_and_matches_normal_mode():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with detect_anomaly():
        (x * x).sigmoid().sum().backward()
    expected = x.grad.numpy().copy()
    x.grad = None
    (x * x).sigmoid().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_off_outside_the_block_and_restored_after_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError), detect_anomaly():
            mg.tensor([-1.0]).log()
        out = mg.tensor([-1.0]).log()  # no error: anomaly mode is off again
    assert np.isnan(out.item())
