"""README's Python snippets run as shown and print what their comments say.

Found by a new-user check: a snippet used `minigrad` and `np` without importing them.
"""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

README = (Path(__file__).parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


def run(block: str) -> tuple:
    """Run a snippet in a fresh namespace; return (its namespace, what it printed)."""
    namespace, out = {"__name__": "readme"}, io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "<README.md snippet>", "exec"), namespace)
    return namespace, out.getvalue()


def test_there_are_four_snippets():
    assert len(BLOCKS) == 4


def test_the_opening_snippet_prints_softmax_minus_one_hot():
    _, out = run(BLOCKS[0])
    assert out.strip() == "tensor([[-0.3410,  0.2424,  0.0986]])"


def test_the_custom_op_snippet_is_a_passing_property_test():
    namespace, _ = run(BLOCKS[1])
    namespace["test_cube"]()


def test_the_looking_inside_snippet_draws_the_graph_then_stops_at_nan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="Log"), pytest.warns(RuntimeWarning):
        run(BLOCKS[2])
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


def test_the_cross_entropy_snippet_prints_zeros():
    _, out = run(BLOCKS[3])
    values = np.array([float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", out)])
    assert values.size == 12 and np.abs(values).max() < 1e-6
