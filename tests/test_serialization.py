"""minigrad.save / minigrad.load: exact round trips, atomic writes, and refusing bad files."""

import io
import json
import math
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.optim import Adam
from minigrad.serialization import CheckpointError


def assert_identical(loaded, original):
    """Same types all the way down; arrays with the same dtype, shape and bytes."""
    if isinstance(original, minigrad.Tensor):
        original = original.data  # Tensors come back as arrays
    if isinstance(original, np.ndarray):
        assert type(loaded) is np.ndarray
        assert loaded.dtype == original.dtype and loaded.shape == original.shape
        assert loaded.tobytes() == original.tobytes()
        return
    assert type(loaded) is type(original)
    if isinstance(original, np.generic):
        assert loaded.dtype == original.dtype and loaded.tobytes() == original.tobytes()
    elif isinstance(original, float):
        assert struct.pack(">d", loaded) == struct.pack(">d", original)  # -0.0, NaN bits
    elif isinstance(original, dict):
        assert list(loaded) == list(original)
        assert [type(k) for k in loaded] == [type(k) for k in original]
        for key in original:
            assert_identical(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for a, b in zip(loaded, original):
            assert_identical(a, b)
    else:
        assert loaded == original


def round_trip(obj, tmp_path, name="checkpoint"):
    path = tmp_path / name
    minigrad.save(obj, path)
    return minigrad.load(path)


NAN_WITH_PAYLOAD = struct.unpack(">d", bytes.fromhex("7ff800000000beef"))[0]


def test_nested_state_dict_round_trips_with_exact_types(tmp_path):
    f32 = np.array([1.5, -0.0, np.inf], np.float32)
    f32_nan = np.array([0x7FC00001, 0xFFC12345], np.uint32).view(np.float32)
    obj = {
        "model": {"linear.weight": f32, "linear.bias": minigrad.tensor([0.5, -0.0])},
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": f32_nan}, 1: {}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "amsgrad": False, "params": [0]}],
        },
        "epoch": 3,
        1: "int key",
        "1": "str key",
        "flags": [True, False, None, 1, 1.0, 0.0, -0.0, math.inf, -math.inf, NAN_WITH_PAYLOAD],
        "empty": ((), [], {}),
        "text": 'naïve \u2603 "quoted" \\ \x00',
        "big": 2**80,
        "numpy scalars": [np.float32(0.1), np.int64(-3), np.bool_(True)],
        "arrays": [np.zeros((0, 3)), np.arange(6).reshape(2, 3).T, np.array(7, np.int8)],
    }
    assert_identical(round_trip(obj, tmp_path), obj)


def test_float32_tensor_stays_float32_bit_for_bit(tmp_path):
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32))
    loaded = round_trip({"x": x}, tmp_path)["x"]
    assert loaded.dtype == np.float32 and loaded.tobytes() == x.data.tobytes()


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
arrays = hnp.arrays(
    st.sampled_from([np.float32, np.float64, np.float16, np.int64, np.int8, np.uint8, np.bool_]),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
)
values = st.recursive(
    scalars | arrays,
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.integers(-5, 5) | st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)


@given(values)
def test_any_supported_value_round_trips_exactly(tmp_path_factory, value):
    tmp_path = tmp_path_factory.mktemp("rt")
    assert_identical(round_trip(value, tmp_path), value)


def test_model_and_optimizer_resume_exactly(tmp_path):
    def train(params, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((params[0] * params[1]).sum() ** 2).backward()
            opt.step()

    rng = np.random.default_rng(0)
    start = [rng.standard_normal(3).astype(np.float32) for _ in range(2)]
    straight = [minigrad.tensor(w, requires_grad=True) for w in start]
    train(straight, Adam(straight, lr=0.1, amsgrad=True), 5)

    params = [minigrad.tensor(w, requires_grad=True) for w in start]
    opt = Adam(params, lr=0.1, amsgrad=True)
    train(params, opt, 2)
    minigrad.save({"params": params, "optimizer": opt.state_dict(), "epoch": 2}, tmp_path / "c")
    ckpt = minigrad.load(tmp_path / "c")
    resumed = [minigrad.tensor(w, requires_grad=True) for w in ckpt["params"]]
    new_opt = Adam(resumed, lr=0.5)
    new_opt.load_state_dict(ckpt["optimizer"])
    train(resumed, new_opt, 3)
    assert ckpt["epoch"] == 2
    for p, q in zip(resumed, straight):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize(
    "name", ["checkpoint", "model.pt", "weights.npz", "with space.ckpt", "n" * 250]
)
def test_writes_exactly_the_given_path(tmp_path, name):
    minigrad.save({"a": np.ones(2)}, str(tmp_path / name))
    assert os.listdir(tmp_path) == [name]
    assert zipfile.is_zipfile(tmp_path / name)  # an ordinary .npz archive
    assert_identical(minigrad.load(str(tmp_path / name)), {"a": np.ones(2)})


def test_overwrites_an_existing_file_with_the_usual_permissions(tmp_path):
    path = tmp_path / "c"
    minigrad.save([1], path)
    minigrad.save([2], path)
    assert minigrad.load(path) == [2]
    reference = tmp_path / "plain"
    reference.write_bytes(b"")
    assert os.stat(path).st_mode == os.stat(reference).st_mode  # umask applies as for open()


# ----- file objects and symbolic links, as torch.save and torch.load take them ---------------
def test_file_objects_round_trip_from_where_they_stand_and_stay_open_as_torch(tmp_path):
    """Found in audit: save and load took only paths; PyTorch's take file objects too."""
    for lib in (minigrad, torch):
        obj = {"w": lib.arange(3.0), "epoch": 2}
        buffer = io.BytesIO(b"header")  # what precedes the checkpoint is left alone
        buffer.seek(0, io.SEEK_END)
        lib.save(obj, buffer)
        buffer.seek(len(b"header"))
        loaded = lib.load(buffer)
        assert not buffer.closed and buffer.getvalue().startswith(b"header")
        assert loaded["epoch"] == 2 and np.array_equal(np.asarray(loaded["w"]), [0.0, 1.0, 2.0])
        with open(tmp_path / "file", "wb") as file:
            lib.save(obj, file)
            assert not file.closed
        with open(tmp_path / "file", "rb") as file:
            assert lib.load(file)["epoch"] == 2
    minigrad.save(obj := {"w": np.arange(3.0), "epoch": 2}, tmp_path / "file")
    assert_identical(minigrad.load(io.BytesIO((tmp_path / "file").read_bytes())), obj)


def test_a_file_object_holds_one_checkpoint_from_where_it_stands_to_its_end():
    """Found in review: zipfile reads the archive that ends the stream, so a checkpoint
    saved over a longer one loaded a mix of both, and of two appended checkpoints the
    second came back. Saving now cuts the old tail off; two in one stream are refused
    (torch returns the first)."""
    buffer = io.BytesIO()
    minigrad.save({"w": np.arange(1000.0), "epoch": 1}, buffer)
    buffer.seek(0)
    minigrad.save({"w": np.ones(3), "epoch": 2}, buffer)
    buffer.seek(0)
    assert_identical(minigrad.load(buffer), {"w": np.ones(3), "epoch": 2})
    buffer = io.BytesIO()
    minigrad.save({"a": 1}, buffer)
    minigrad.save({"b": 2}, buffer)
    buffer.seek(0)
    with pytest.raises(CheckpointError, match="more than one checkpoint"):
        minigrad.load(buffer)


class _NoTruncate(io.RawIOBase):
    """A seekable stream that cannot be truncated, as some devices and wrappers are."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def seekable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)

    def tell(self):
        return len(self.data)

    def seek(self, offset, whence=io.SEEK_SET):
        return len(self.data)


def test_streams_that_cannot_seek_back_or_truncate_take_a_checkpoint(tmp_path):
    """Found in review: cutting the tail broke a save into a stream that says it can seek
    but cannot truncate (stdout sent to /dev/null: OSError), and zipfile's patching of
    headers wrote a corrupt archive into a file opened for appending ('ab')."""
    stream = _NoTruncate()
    minigrad.save({"w": np.arange(3.0)}, io.BufferedWriter(stream))
    assert_identical(minigrad.load(io.BytesIO(bytes(stream.data))), {"w": np.arange(3.0)})
    with open(os.devnull, "wb") as devnull:
        minigrad.save({"w": np.arange(3.0)}, devnull)
    (tmp_path / "log").write_bytes(b"header")
    with open(tmp_path / "log", "ab") as file:
        minigrad.save({"epoch": 3}, file)
    with open(tmp_path / "log", "rb") as file:
        file.seek(len(b"header"))
        assert minigrad.load(file) == {"epoch": 3}


def test_file_object_errors_name_the_problem(tmp_path):
    buffer = io.BytesIO()
    minigrad.save([1], buffer)  # not rewound: nothing left to read
    with pytest.raises(CheckpointError, match=r"the BytesIO .*empty.*seek\(0\)"):
        minigrad.load(buffer)
    (tmp_path / "garbage").write_bytes(b"not a zip")
    with open(tmp_path / "garbage", "rb") as file:
        with pytest.raises(CheckpointError, match=r"'.*garbage' is not a minigrad checkpoint"):
            minigrad.load(file)
    with open(tmp_path / "text", "w") as file, pytest.raises(TypeError, match="'wb'"):
        minigrad.save([1], file)
    with open(tmp_path / "garbage") as file, pytest.raises(TypeError, match="'rb'"):
        minigrad.load(file)
    for f in (3, None, 2.5):
        with pytest.raises(TypeError, match="path or a binary file object"):
            minigrad.save([1], f)
        with pytest.raises(TypeError, match="path or a binary file object"):
            minigrad.load(f)


@pytest.mark.parametrize("dangling", [False, True], ids=["link", "dangling link"])
def test_saving_through_a_symlink_writes_the_file_it_names_as_torch(tmp_path, dangling):
    """Found in audit: the atomic rename replaced the link itself with a plain file."""
    for lib in (minigrad, torch):
        folder = tmp_path / lib.__name__
        folder.mkdir()
        if not dangling:
            lib.save([1], folder / "target")
        os.symlink("target", folder / "link")
        lib.save([2], folder / "link")
        assert os.path.islink(folder / "link") and sorted(os.listdir(folder)) == ["link", "target"]
        assert lib.load(folder / "target") == [2]


def write_then_fail(exception):
    """A stand-in for NumPy's array writer that dies after writing part of an array."""

    def write_array(fp, array, *args, **kwargs):
        fp.write(b"\x93NUMPY partial garbage")
        raise exception

    return write_array


@pytest.mark.parametrize("exception", [OSError(28, "No space left on device"), KeyboardInterrupt])
def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path, monkeypatch, exception
):
    path = tmp_path / "c"
    minigrad.save({"epoch": 1, "w": np.ones(3)}, path)
    old = path.read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail(exception))
    with pytest.raises(type(exception) if isinstance(exception, OSError) else exception):
        minigrad.save({"epoch": 2, "w": np.zeros(3)}, path)
    assert os.listdir(tmp_path) == ["c"]
    assert path.read_bytes() == old
    monkeypatch.undo()
    assert minigrad.load(path)["epoch"] == 1


def test_a_failed_rename_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "c"
    minigrad.save([1], path)

    def fail(src, dst):
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError):
        minigrad.save([2], path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["c"] and minigrad.load(path) == [1]


def test_file_system_failures_stay_oserror_and_leave_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.save([1], tmp_path / "missing" / "c")
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError):
        minigrad.save([1], tmp_path / "folder")
    assert sorted(os.listdir(tmp_path)) == ["folder"]
    assert os.listdir(tmp_path / "folder") == []
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "nothing")


@pytest.mark.parametrize(
    "obj, match",
    [
        ({"f": lambda: 0}, r"obj\['f'\] of type function"),
        ([1, {2.5: 1}], r"obj\[1\] has the key 2.5"),
        ({True: 1}, "key True of type bool"),
        ({"a": [np.array([object()])]}, r"obj\['a'\]\[0\]: an array of Python objects"),
        ({1, 2}, "of type set"),
        (b"bytes", "of type bytes"),
    ],
)
def test_unsupported_values_raise_type_error_and_write_nothing(tmp_path, obj, match):
    with pytest.raises(TypeError, match=match):
        minigrad.save(obj, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def valid_bytes(tmp_path):
    minigrad.save({"w": np.arange(1000.0), "epoch": 1}, tmp_path / "valid")
    return (tmp_path / "valid").read_bytes()


def pickled_object_array_checkpoint(path, marker):
    """A checkpoint whose structure is fine but whose array member is a pickled object."""

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    structure = b'{"format":"minigrad.save","version":1,"root":{"array":"a0"}}'
    array = np.empty(1, dtype=object)
    array[0] = Exploit()
    buffer = io.BytesIO()
    np.savez(buffer, a0=array, minigrad_checkpoint=np.frombuffer(structure, np.uint8))
    path.write_bytes(buffer.getvalue())


def write_with(numpy_save, path, *args, **kwargs):
    with open(path, "wb") as file:  # a file object, so NumPy adds no suffix
        numpy_save(file, *args, **kwargs)


def structure_checkpoint(path, structure: bytes):
    buffer = io.BytesIO()
    np.savez(buffer, minigrad_checkpoint=np.frombuffer(structure, np.uint8))
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p, t: p.write_bytes(valid_bytes(t)[:-100]), "damaged or truncated"),
        (lambda p, t: p.write_bytes(valid_bytes(t)[:30]), "damaged or truncated"),
        (lambda p, t: p.write_bytes(b""), "the file is empty"),
        (lambda p, t: p.write_text("epoch: 3\nlr: 0.1\n"), r"not a \.npz \(zip\) archive"),
        (lambda p, t: p.write_bytes(pickle.dumps({"epoch": 3})), "looks like a pickle"),
        (lambda p, t: write_with(np.save, p, np.ones(3)), r"single \.npy array"),
        (lambda p, t: write_with(np.savez, p, w=np.ones(3)), "written by numpy.savez"),
        (lambda p, t: torch.save({"w": torch.ones(3)}, p), "not a minigrad checkpoint"),
        (lambda p, t: structure_checkpoint(p, b"{not json"), "is not JSON"),
        (lambda p, t: structure_checkpoint(p, b'{"format": "other"}'), "is not minigrad's"),
        (
            lambda p, t: structure_checkpoint(p, b'{"format":"minigrad.save","version":9}'),
            "format version 9",
        ),
        (
            lambda p, t: structure_checkpoint(
                p, b'{"format":"minigrad.save","version":1,"root":{"array":"a7"}}'
            ),
            "structure is malformed",
        ),
    ],
)
def test_damaged_or_foreign_files_raise_a_clear_error(tmp_path, make, match):
    path = tmp_path / "bad file"
    make(path, tmp_path)
    with pytest.raises(CheckpointError, match=match) as info:
        minigrad.load(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)


def test_corrupted_bytes_inside_an_array_are_detected(tmp_path):
    data = bytearray(valid_bytes(tmp_path))
    data[len(data) // 2] ^= 0xFF  # inside the array's bytes: the zip CRC catches it
    (tmp_path / "c").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        minigrad.load(tmp_path / "c")


def test_load_never_unpickles(tmp_path):
    marker = tmp_path / "pwned"
    pickled_object_array_checkpoint(tmp_path / "c", marker)
    with pytest.raises(CheckpointError, match="Object arrays cannot be loaded"):
        minigrad.load(tmp_path / "c")
    assert not marker.exists()
    with np.load(tmp_path / "c", allow_pickle=True) as archive:  # the exploit is real
        archive["a0"][0].close()
    assert marker.exists()


@pytest.mark.parametrize("field,value", [("compression", 99), ("flags", 1)])
def test_a_zip_with_an_unknown_compression_or_encryption_is_a_clear_error(tmp_path, field, value):
    """Found in audit: these raised zipfile's NotImplementedError and RuntimeError."""
    path = tmp_path / "c.npz"
    minigrad.save({"w": np.ones(3)}, path)
    raw = bytearray(path.read_bytes())
    central, local = raw.find(b"PK\x01\x02"), raw.find(b"PK\x03\x04")
    offsets = {"compression": (10, 8), "flags": (8, 6)}[field]  # in each header
    struct.pack_into("<H", raw, central + offsets[0], value)
    struct.pack_into("<H", raw, local + offsets[1], value)
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="damaged"):
        minigrad.load(path)


def test_structures_nested_too_deeply_are_refused_clearly(tmp_path):
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(TypeError, match="nest too deeply"):
        minigrad.save(deep, tmp_path / "deep.npz")
    assert not list(tmp_path.iterdir())


def test_a_checkpoint_nested_too_deeply_is_a_clear_error(tmp_path):
    """Found in audit: RecursionError escaped from load."""
    from minigrad import serialization

    path = tmp_path / "deep.npz"
    header = {"format": serialization.FORMAT, "version": serialization.VERSION}
    text = json.dumps(header)[:-1] + ', "root": ' + "[" * 5000 + "]" * 5000 + "}"
    np.savez(path, **{serialization.STRUCTURE: np.frombuffer(text.encode(), np.uint8)})
    with pytest.raises(CheckpointError, match="nests too deeply"):
        minigrad.load(path)
