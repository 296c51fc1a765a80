"""examples/tutorial.py: every number of every cell, against PyTorch's, returned and printed.

The expected values are computed here with torch (float32, as minigrad's tensors are) or,
for the NumPy-only cells, with torch in float64; the tutorial's own printed figures are
checked too, at the precision it printed them.
"""

import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).parents[1]
F32 = dict(rtol=1e-6, atol=1e-7)  # float32 precision
F64 = dict(rtol=1e-12, atol=1e-15)


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tutorial = load_example("tutorial")


def t32(values):
    return torch.tensor(values, dtype=torch.float32)


def expected():
    """Every number the tutorial's cells produce, from torch, keyed by tutorial.py's labels."""
    x32, x64 = t32(tutorial.LOGITS), torch.tensor(tutorial.LOGITS, dtype=torch.float64)
    bce_probs = torch.sigmoid(t32(tutorial.BCE_LOGITS))
    ce_logits, ce_targets = t32(tutorial.CE_LOGITS), torch.tensor(tutorial.CE_TARGETS)
    fruit_targets = torch.tensor(tutorial.FRUIT_TARGETS)
    one_hot = t32(tutorial.ONE_HOT)
    out = {
        "softmax numpy": torch.softmax(x64, dim=0).numpy(),
        "softmax minigrad": torch.softmax(x32, dim=0).numpy(),
        "sigmoid numpy": torch.sigmoid(x64).numpy(),
        "sigmoid minigrad": torch.sigmoid(x32).numpy(),
        "BCE sigmoid outputs": bce_probs.numpy(),
        "BCE loss": torch.nn.BCELoss()(bce_probs, t32(tutorial.BCE_LABELS)).item(),
        "CE loss": torch.nn.CrossEntropyLoss()(ce_logits, ce_targets).item(),
        "fruit loss good": torch.nn.CrossEntropyLoss()(
            t32(tutorial.FRUIT_GOOD), fruit_targets
        ).item(),
        "fruit loss bad": torch.nn.CrossEntropyLoss()(
            t32(tutorial.FRUIT_BAD), fruit_targets
        ).item(),
        "fruit predicted good": torch.max(t32(tutorial.FRUIT_GOOD), 1).indices.tolist(),
        "fruit predicted bad": torch.max(t32(tutorial.FRUIT_BAD), 1).indices.tolist(),
    }
    for i, row in enumerate(torch.softmax(ce_logits, dim=1).numpy()):
        out[f"CE softmax row {i}"] = row
    for probs in (tutorial.UNSURE, tutorial.CONFIDENT):
        out[f"cross-entropy for {probs}"] = -(one_hot * torch.log(t32(probs))).sum().item()
    return out


EXPECTED = expected()

# What the tutorial (and the issue) print, to the digits printed.
PUBLISHED = {
    "softmax numpy": ([0.65900114, 0.24243297, 0.09856589], 5e-9),
    "softmax minigrad": ([0.6590, 0.2424, 0.0986], 5e-5),
    "sigmoid numpy": ([0.88079708, 0.73105858, 0.52497919], 5e-9),
    "BCE sigmoid outputs": ([0.8808, 0.2689, 0.6225], 5e-5),
    "BCE loss": (0.3047555685043335, 1e-7),
    "CE softmax row 0": ([0.5745, 0.2114, 0.0859, 0.1282], 5e-5),
    "CE softmax row 1": ([0.0898, 0.6006, 0.1097, 0.1999], 5e-5),
    "CE softmax row 2": ([0.2974, 0.1804, 0.4014, 0.1209], 5e-5),
    "CE loss": (0.6589792370796204, 1e-7),
    "fruit loss good": (0.3018, 5e-5),
    "fruit loss bad": (1.6242, 5e-5),
    "fruit predicted good": ([2, 0, 1], 0),
    "fruit predicted bad": ([0, 2, 1], 0),
    f"cross-entropy for {tutorial.UNSURE}": (0.916, 5e-4),
    f"cross-entropy for {tutorial.CONFIDENT}": (0.105, 5e-4),
}


def softmax_cell():
    by_hand, ours = tutorial.softmax_cell()
    return {"softmax numpy": by_hand, "softmax minigrad": ours}


def sigmoid_cell():
    by_hand, ours = tutorial.sigmoid_cell()
    return {"sigmoid numpy": by_hand, "sigmoid minigrad": ours}


def bce_cell():
    probs, loss = tutorial.bce_cell()
    return {"BCE sigmoid outputs": probs, "BCE loss": loss}


def cross_entropy_cell():
    rows, loss = tutorial.cross_entropy_cell()
    return {"CE loss": loss, **{f"CE softmax row {i}": row for i, row in enumerate(rows)}}


def fruit_cell():
    fruit = tutorial.fruit_cell()
    return {
        "fruit loss good": fruit["loss_good"],
        "fruit loss bad": fruit["loss_bad"],
        "fruit predicted good": fruit["pred_good"],
        "fruit predicted bad": fruit["pred_bad"],
    }


def worked_example_cell():
    unsure, confident = tutorial.worked_example_cell()
    return {
        f"cross-entropy for {tutorial.UNSURE}": unsure,
        f"cross-entropy for {tutorial.CONFIDENT}": confident,
    }


# Each wraps one of tutorial.py's cell functions, naming its numbers as EXPECTED does.
CELLS = [softmax_cell, sigmoid_cell, bce_cell, cross_entropy_cell, fruit_cell, worked_example_cell]


def test_reference_matches_the_tutorials_printed_figures():
    assert set(PUBLISHED) <= set(EXPECTED)
    for label, (values, atol) in PUBLISHED.items():
        np.testing.assert_allclose(EXPECTED[label], values, rtol=0, atol=atol, err_msg=label)
    assert EXPECTED[f"cross-entropy for {tutorial.UNSURE}"] == pytest.approx(-math.log(0.4))


@pytest.mark.parametrize("cell", CELLS, ids=lambda cell: cell.__name__)
def test_cell_function_returns_torchs_numbers(cell):
    for label, value in cell().items():
        want = EXPECTED[label]
        if label.startswith("fruit predicted"):
            assert value == want, label
            assert all(type(v) is int for v in value), label
        elif "numpy" in label:  # the by-hand NumPy versions compute in float64
            assert np.asarray(value).dtype == np.float64, label
            np.testing.assert_allclose(value, want, **F64, err_msg=label)
        else:
            if isinstance(want, float):
                assert type(value) is float, label
            else:
                assert value.dtype == np.float32 and value.shape == want.shape, label
            np.testing.assert_allclose(value, want, **F32, err_msg=label)


def test_cells_cover_every_number():
    labels = [label for cell in CELLS for label in cell()]
    assert sorted(labels) == sorted(EXPECTED)


def test_minigrad_and_numpy_softmax_and_sigmoid_agree():
    for cell in (tutorial.softmax_cell, tutorial.sigmoid_cell):
        by_hand, ours = cell()
        np.testing.assert_allclose(ours, by_hand, **F32)
    rows, _ = tutorial.cross_entropy_cell()
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, **F32)


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def parse_output(text):
    """{label: [numbers]} for every `label: numbers` line of tutorial.py's output."""
    parsed = {}
    for line in text.splitlines():
        label, sep, rest = line.rpartition(": ")
        if sep and label in EXPECTED:
            assert label not in parsed, f"{label!r} printed twice"
            parsed[label] = [float(n) for n in NUMBER.findall(rest)]
    return parsed


def test_script_prints_every_number():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tutorial.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    printed = parse_output(proc.stdout)
    assert set(printed) == set(EXPECTED), proc.stdout
    for label, want in EXPECTED.items():
        got = printed[label]
        assert len(got) == np.size(want), (label, got)
        # printed with 8 decimals: rounding adds up to 5e-9
        np.testing.assert_allclose(got, np.ravel(want), rtol=1e-6, atol=1e-8, err_msg=label)
