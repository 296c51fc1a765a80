"""`python -m benchmarks --quick --repeats 1` runs, checks agreement and prints every row.

No timing is asserted: CI machines are shared and noisy. What is asserted is that the three
implementations still compute the same thing (the suite exits non-zero otherwise).
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_quick_benchmark_runs_and_agrees():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeats", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Agreement check passed" in out
    assert "AGREEMENT CHECK FAILED" not in out + done.stderr
    for row in ("W1", "W2", "W3", "W4", "M0", "MEM"):
        assert re.search(rf"^\| {row} +\|", out, re.MULTILINE), f"no {row} row in:\n{out}"
    assert "target" in out and "met?" in out


def test_only_selects_workloads_and_bad_names_are_refused():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeats", "1", "--only", "W2,M0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(r"^\| (\w+) +\|", done.stdout, re.MULTILINE)
    assert rows == ["id", "W2", "M0"]
    bad = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "W9"], cwd=ROOT, capture_output=True
    )
    assert bad.returncode == 2 and b"W9" in bad.stderr


def test_write_puts_the_table_between_readmes_markers():
    sys.path.insert(0, str(ROOT))
    from benchmarks import report

    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme.count(report.README_START) == 1 and readme.count(report.README_END) == 1
    rows = [["W1", "seed binary", "100", *["x"] * 8]]
    updated = report.with_table(readme, "Run now", rows)
    before, _, after = readme.partition(report.README_START)
    assert updated.startswith(before) and updated.endswith(after.partition(report.README_END)[2])
    assert "Run now" in updated and "| W1 " in updated
    assert report.with_table(updated, "Run now", rows) == updated  # replaces, never appends


def test_without_torch_it_says_what_to_install(monkeypatch, capsys):
    """Found by a new-user check: after the examples install only, the benchmarks died in
    a traceback at `import torch`."""
    import importlib.util

    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.__main__ import main

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else find_spec(name)
    )
    assert main(["--quick"]) == 2
    assert 'needs torch: install the test extras first, pip install -e ".[test]"' in (
        capsys.readouterr().err
    )
