"""The tutorial ports to minigrad by changing its imports, and nothing else.

Every code cell of the tutorial (a notebook exported as text: an `In [n]:` line, the code,
two or more blank lines, the printed output, two or more blank lines, then markdown) is run
with only its `import torch...` lines rewritten to import minigrad, and must print what the
tutorial recorded: the same lines for the cells that compute fixed numbers, the same log
format and a falling loss for the two training cells (their weights start at random).
"""

import io
import re
import subprocess
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import minigrad

SEED_NAME = Path("shared", "seed", "000_d658f7c8344c99c6.txt")


def seed_file() -> Path:
    """The tutorial, in shared/seed/ beside this repository or, for a clone made elsewhere
    (a clean checkout in a temporary folder), beside the local repository it came from."""
    repo = Path(__file__).parents[1]
    origin = subprocess.run(
        ["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    roots = [repo] + ([Path(origin).resolve()] if origin and Path(origin).is_dir() else [])
    for root in roots:
        if (root.parent / SEED_NAME).is_file():
            return root.parent / SEED_NAME
    return repo.parent / SEED_NAME  # missing: the fixture says where it was expected


SEED_FILE = seed_file()

PORTED_IMPORTS = {
    "import torch": "import minigrad as torch",
    "import torch.nn as nn": "import minigrad.nn as nn",
    "import torch.optim as optim": "import minigrad.optim as optim",
}

CELL_START = re.compile(r"In \[\d+\]:")
TRAINING_CELLS = {"In [10]:": "NeuralNet1", "In [11]:": "NeuralNet2"}
EXPECTED_CELLS = ["In [2]:", "In [1]:", "In [3]:", "In [9]:", *TRAINING_CELLS]


def gap_at(lines, i):
    """True where two or more blank lines (or one before the end of the file) start."""
    return not lines[i].strip() and (i + 1 == len(lines) or not lines[i + 1].strip())


def split_cells(text):
    """[(header, code, recorded_output_lines)] for every `In [n]:` cell, in file order.

    The code runs from the header to the first gap of two or more blank lines; the output
    from there to the next gap (a single blank line inside it is printed output) or the end
    of the file.
    """
    lines = text.splitlines()
    cells = []
    for start, header in enumerate(lines):
        if not CELL_START.fullmatch(header.strip()):
            continue
        end = start + 1
        while end < len(lines) and not gap_at(lines, end):
            end += 1
        out_start = end
        while out_start < len(lines) and not lines[out_start].strip():
            out_start += 1
        out_end = out_start
        while out_end < len(lines) and not gap_at(lines, out_end):
            out_end += 1
        code = "\n".join(lines[start + 1 : end]) + "\n"
        cells.append((header.strip(), code, lines[out_start:out_end]))
    return cells


def port(code):
    """Rewrite the torch imports, and only them, to minigrad's."""
    ported = []
    for line in code.splitlines():
        stripped = line.strip()
        if stripped in PORTED_IMPORTS:
            line = line.replace(stripped, PORTED_IMPORTS[stripped])
        elif re.match(r"(import|from)\s+torch\b", stripped):
            pytest.fail(f"the tutorial has an import this test does not port: {line!r}")
        ported.append(line)
    return "\n".join(ported) + "\n"


def run_cell(header, code):
    """Run a cell in a fresh namespace; return its namespace and printed lines."""
    namespace = {"__name__": "__tutorial__"}
    buffer = io.StringIO()
    minigrad.manual_seed(0)  # the training cells draw their initial weights
    with redirect_stdout(buffer):
        exec(compile(code, f"<tutorial {header}>", "exec"), namespace)
    return namespace, buffer.getvalue().splitlines()


@pytest.fixture(scope="module")
def cells():
    if not SEED_FILE.is_file():
        pytest.fail(
            f"the tutorial is missing: expected {SEED_FILE} (shared/seed/ beside the repository)"
        )
    return {
        header: (code, output)
        for header, code, output in split_cells(SEED_FILE.read_text(encoding="utf-8"))
    }


def test_the_tutorial_parses(cells):
    assert list(cells) == EXPECTED_CELLS
    for header, (code, output) in cells.items():
        compile(code, header, "exec")  # the code block holds code and nothing else
        assert output and output[0].strip(), header  # and the output block holds output
        assert "import torch" in code, header
        assert not CELL_START.match(output[-1]), header
    assert cells["In [2]:"][1][0].startswith("softmax numpy:")
    assert cells["In [11]:"][1][-1].startswith("NeuralNet2 Test Accuracy:")


def test_port_changes_only_the_imports():
    code = "import torch\nimport torch.nn as nn\nimport torch.optim as optim\nx = torch.tensor(1)\n"
    assert port(code) == (
        "import minigrad as torch\nimport minigrad.nn as nn\nimport minigrad.optim as optim\n"
        "x = torch.tensor(1)\n"
    )


NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def same_numbers(got, want):
    """Two printed lines match: identical text, numbers equal to float32 precision.

    A number printed with few digits (`tensor([0.6590, ...])`, `0.3018`) must print the same
    digits; one printed in full (`loss.item()`, 0.3047555685043335) may differ in the last
    bits of float32 rounding (sums taken in another order).
    """
    if got == want:
        return True
    if NUMBER.sub("#", got) != NUMBER.sub("#", want):
        return False
    for a, b in zip(NUMBER.findall(got), NUMBER.findall(want)):
        if a != b and (len(b) < 12 or abs(float(a) - float(b)) > 1e-6 * abs(float(b))):
            return False
    return True


FIXED_CELLS = [header for header in EXPECTED_CELLS if header not in TRAINING_CELLS]


@pytest.mark.parametrize("header", FIXED_CELLS)
def test_comparison_accepts_torchs_own_output(cells, header):
    code, recorded = cells[header]
    _, printed = run_cell(header, code)  # unported: PyTorch itself
    assert len(printed) == len(recorded)
    assert all(same_numbers(got, want) for got, want in zip(printed, recorded))


@pytest.mark.parametrize("header", FIXED_CELLS)
def test_cell_prints_what_the_tutorial_recorded(cells, header):
    code, recorded = cells[header]
    namespace, printed = run_cell(header, port(code))
    assert namespace["torch"] is minigrad
    if "nn" in namespace:
        assert namespace["nn"] is minigrad.nn
    assert len(printed) == len(recorded), "\n".join(printed)
    for got, want in zip(printed, recorded):
        assert same_numbers(got, want), f"printed {got!r}, the tutorial recorded {want!r}"


EPOCH_LINE = re.compile(r"Epoch (\d{3}), Loss: (\d+\.\d{4})")


def parse_training_log(lines, name):
    """(logged epochs, losses, accuracy) from a training cell's output; asserts its format."""
    assert len(lines) == 11, "\n".join(lines)
    matches = [EPOCH_LINE.fullmatch(line) for line in lines[:10]]
    assert all(matches), "\n".join(lines)
    accuracy = re.fullmatch(rf"{name} Test Accuracy: (\d+\.\d\d)%", lines[10])
    assert accuracy, lines[10]
    epochs = [int(m.group(1)) for m in matches]
    losses = [float(m.group(2)) for m in matches]
    return epochs, losses, float(accuracy.group(1))


@pytest.mark.parametrize("header", list(TRAINING_CELLS))
def test_training_cell_trains(cells, header):
    name = TRAINING_CELLS[header]
    code, recorded = cells[header]
    parse_training_log(recorded, name)  # the recorded output has the format we check for

    namespace, printed = run_cell(header, port(code))
    assert namespace["torch"] is minigrad and namespace["optim"] is minigrad.optim
    assert isinstance(namespace["model"], minigrad.nn.Module)
    epochs, losses, accuracy = parse_training_log(printed, name)
    assert epochs == list(range(1, 101, 10))
    assert losses[-1] < losses[0]
    assert 0.0 <= accuracy <= 100.0


def test_comparison_accepts_only_float32_rounding():
    assert same_numbers("loss: 0.3047555685043335", "loss: 0.3047555685043335")
    assert same_numbers("loss: 0.30475559830665590", "loss: 0.3047555685043335")
    assert not same_numbers("loss: 0.3047565685043335", "loss: 0.3047555685043335")
    assert not same_numbers("tensor([0.6591, 0.2424])", "tensor([0.6590, 0.2424])")
    assert not same_numbers("tensor([0.6590, 0.2424], dtype=x)", "tensor([0.6590, 0.2424])")
    assert not same_numbers("Loss2 numpy: 1.6242", "Loss1 numpy: 1.6242")
