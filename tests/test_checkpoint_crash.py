"""Checkpoints under failure: a killed save, a failed load_state_dict, an unwritable path.

`minigrad.save` writes a temporary file next to the target and renames it over the target
only once it is complete and flushed, so a process killed at any moment leaves either the
old checkpoint or the new one, never a mix. `load_state_dict` checks everything before
copying anything.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

TIMEOUT = 60  # seconds
SIZE = 4_000_000  # float32 elements per array: 16 MB, so that a save takes a while

CHILD_PRELUDE = f"""
import os, sys, time
import numpy as np
import minigrad

path = sys.argv[1]

def state(step):
    return {{"step": step, "model": {{"w": np.full({SIZE}, step, np.float32),
                                    "b": np.full(7, step, np.float64)}}}}
"""

# Each write sleeps, and the first one says so: the parent kills it in the middle.
SLOW_WRITER = (
    CHILD_PRELUDE
    + """
class Slow:
    def __init__(self, file):
        self.file = file
    def write(self, data):
        print("writing", flush=True)
        time.sleep(0.05)
        return self.file.write(data)
    def __getattr__(self, name):
        return getattr(self.file, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.file.__exit__(*exc)

real_fdopen = os.fdopen
os.fdopen = lambda *args, **kwargs: Slow(real_fdopen(*args, **kwargs))
minigrad.save(state(1), path)
print("finished", flush=True)
"""
)

# Saves in a loop at full speed; the parent kills it whenever a temporary file exists.
LOOP_WRITER = (
    CHILD_PRELUDE
    + """
for step in range(1, 1000):
    minigrad.save(state(step), path)
"""
)


def start(code: str, path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )


def assert_consistent(path, steps):
    """The checkpoint loads, and is wholly one of the saves (no mix of two)."""
    loaded = mg.load(path)
    step = loaded["step"]
    assert step in steps
    w, b = loaded["model"]["w"], loaded["model"]["b"]
    assert w.shape == (SIZE,) and w.dtype == np.float32 and (w == step).all()
    assert b.shape == (7,) and b.dtype == np.float64 and (b == step).all()
    return step


def save_previous(path):
    mg.save({"step": 0, "model": {"w": np.zeros(SIZE, np.float32), "b": np.zeros(7)}}, path)


def temporary_files(folder):
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_a_save_killed_mid_write_leaves_the_previous_checkpoint(tmp_path):
    path = tmp_path / "model.ckpt"
    save_previous(path)
    before = path.read_bytes()
    child = start(SLOW_WRITER, path)
    try:
        assert child.stdout.readline() == "writing\n"
        assert temporary_files(tmp_path)  # the new checkpoint is being written beside it
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(TIMEOUT)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert assert_consistent(path, {0}) == 0


def test_saves_killed_at_random_moments_never_leave_a_broken_checkpoint(tmp_path):
    path = tmp_path / "model.ckpt"
    save_previous(path)
    rng = np.random.default_rng(0)
    for _ in range(3):
        child = start(LOOP_WRITER, path)
        try:
            deadline = time.monotonic() + TIMEOUT
            while not temporary_files(tmp_path):  # wait until a write is under way
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.02))  # somewhere in the write, flush or rename
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait(TIMEOUT)
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        assert_consistent(path, set(range(1000)))
        for name in temporary_files(tmp_path):  # what a killed process could not clean up
            os.remove(tmp_path / name)


# ----- load_state_dict: all or nothing ------------------------------------------------------
def model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def changed(sd):
    """A state dict whose every entry fits and differs from the model's."""
    return {k: v + 1 for k, v in sd.items()}


def missing(sd):
    sd = changed(sd)
    del sd["2.bias"]
    return sd


def unexpected(sd):
    return {**changed(sd), "2.gamma": np.ones(2, np.float32)}


def wrong_shape(sd):
    return {**changed(sd), "2.weight": np.ones((4, 2), np.float32)}


def not_numbers(sd):
    return {**changed(sd), "2.bias": np.array(["a", "b"])}


@pytest.mark.parametrize("corrupt", [missing, unexpected, wrong_shape, not_numbers])
def test_a_failed_load_state_dict_changes_no_parameter(corrupt):
    net = model()
    before = {k: v.copy() for k, v in net.state_dict().items()}
    # A graph that saved the parameters: a partial copy would also break its backward.
    loss = net(mg.ones(5, 3)).sum()
    with pytest.raises(RuntimeError, match=r"Error\(s\) in loading state_dict"):
        net.load_state_dict(corrupt(net.state_dict()))
    after = net.state_dict()
    assert after.keys() == before.keys()
    for key in before:
        assert after[key].tobytes() == before[key].tobytes(), key
    loss.backward()  # no parameter was modified in place
    assert all(p.grad is not None for p in net.parameters())


def test_a_load_that_fits_changes_every_parameter():
    net = model()
    new = changed(net.state_dict())
    net.load_state_dict(new)
    assert all(np.array_equal(v, new[k]) for k, v in net.state_dict().items())


# ----- paths that cannot be written ----------------------------------------------------------
def test_saving_into_a_missing_folder_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        mg.save({"a": np.ones(3)}, tmp_path / "missing" / "model.ckpt")
    assert os.listdir(tmp_path) == []


def test_saving_under_a_file_raises_even_for_root(tmp_path):
    """A path whose parent is a file cannot be created, whoever the user is (root too)."""
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(NotADirectoryError):
        mg.save({"a": np.ones(3)}, tmp_path / "file" / "model.ckpt")
    assert os.listdir(tmp_path) == ["file"]


def test_saving_into_a_folder_that_refuses_files_raises_and_leaves_nothing():
    """/proc refuses new files even for root (a chmod-ed folder would not stop root)."""
    with pytest.raises(OSError, match="minigrad-test"):
        mg.save({"a": np.ones(3)}, "/proc/minigrad-test.ckpt")
    assert not [name for name in os.listdir("/proc") if "minigrad-test" in name]


def test_a_rename_that_fails_after_the_write_leaves_no_temporary_file(tmp_path):
    """A name too long for the file system: the temporary file (short name) is written,
    then the rename onto the real name fails; the temporary file must go."""
    path = tmp_path / ("x" * 300)
    with pytest.raises(OSError) as info:
        mg.save({"a": np.ones(3)}, path)
    assert info.value.errno is not None
    assert os.listdir(tmp_path) == []
