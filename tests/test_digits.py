"""examples/digits.py: run as a script on a small slice; its PNGs and its output format."""

import importlib.util
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "examples" / "digits.py"
EPOCH_LINE = re.compile(
    r"^epoch +(\d+)  train loss (\d+\.\d{4})  acc +(\d+\.\d\d)%  "
    r"test loss (\d+\.\d{4})  acc +(\d+\.\d\d)%$"
)


def load_digits_example():
    spec = importlib.util.spec_from_file_location("digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG, after checking its signature and every chunk's CRC."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name}: not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path.name}: bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and len(chunks[0][1]) == 13
    assert chunks[-1][0] == b"IEND"
    assert any(kind == b"IDAT" for kind, _ in chunks)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    return width, height


def test_short_run_prints_progress_and_writes_pngs(tmp_path):
    out = tmp_path / "plots"
    result = run("--epochs", "2", "--limit", "200", "--seed", "1", "--plot", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    epochs = [EPOCH_LINE.match(line) for line in lines[:2]]
    assert all(epochs), lines
    assert [int(m[1]) for m in epochs] == [1, 2]
    for m in epochs:
        assert all(0 <= float(m[i]) <= 100 for i in (3, 5))
    final = re.fullmatch(r"test accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)", lines[2])
    assert final, lines[2]
    assert int(final[3]) == 40  # 20% of the first 200 samples
    assert float(final[1]) == pytest.approx(100 * int(final[2]) / 40, abs=0.005)
    assert float(final[1]) == float(epochs[-1][5])  # the last epoch's test accuracy
    names = ["curves.png", "predictions.png", "confusion.png"]
    assert lines[3:6] == [f"wrote {out / name}" for name in names]
    assert re.fullmatch(r"wall time: \d+\.\d s", lines[6]) and len(lines) == 7
    # Sizes at 100 dpi: two curves panels, a 5 x 8 grid for 40 test digits, one matrix.
    assert png_size(out / "curves.png") == (1000, 400)
    assert png_size(out / "predictions.png") == (960, 800)
    assert png_size(out / "confusion.png") == (550, 500)
    assert "epoch 2/2" in result.stderr  # the tqdm bar of each epoch


def test_same_seed_same_result_and_bad_arguments_rejected(capsys):
    digits = load_digits_example()
    args = ["--epochs", "1", "--limit", "150", "--seed", "3"]
    first = digits.main(args)
    assert digits.main(args) == first
    assert 0.0 <= first <= 1.0
    capsys.readouterr()
    for bad in (["--limit", "5"], ["--epochs", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            digits.parse_args(bad)
        assert exit_info.value.code == 2
        assert bad[0] in capsys.readouterr().err


def test_default_run_reaches_97_percent():
    result = run()
    assert result.returncode == 0, result.stderr
    accuracy = re.search(r"^test accuracy: (\d+\.\d\d)%", result.stdout, re.MULTILINE)
    assert accuracy and float(accuracy[1]) >= 97.0, result.stdout
