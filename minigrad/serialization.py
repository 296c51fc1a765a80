"""Checkpoints: `save` a nested state dict to one `.npz` file and `load` it, without pickle.

The file is an ordinary uncompressed `.npz` archive. Every array (and Tensor) is one
member, `a0`, `a1`, ...; the member `minigrad_checkpoint` holds the UTF-8 bytes of a JSON
document describing the structure, in which

    None, bool, int, str, finite float  ->  themselves
    list                                ->  a JSON list
    tuple                               ->  {"tuple": [...]}
    dict                                ->  {"dict": [[key, value], ...]}   (str or int keys)
    NumPy array or Tensor               ->  {"array": "a3"}
    NumPy scalar                        ->  {"scalar": "a3"}   (stored as a 0-d array)
    inf, nan                            ->  {"float": "7ff8000000000000"}   (the IEEE bits)

so that every type, dict key and array (dtype, shape, bits) comes back exactly.
"""

import io
import json
import math
import os
import string
import struct
import uuid
import zipfile
import zlib

import numpy as np

from .tensor import Tensor

STRUCTURE = "minigrad_checkpoint"
FORMAT = "minigrad.save"
VERSION = 1
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive, or an empty one


class CheckpointError(ValueError):
    """A file that is not a readable minigrad checkpoint (damaged, foreign or pickled)."""


def save(obj, f) -> None:
    """Write `obj` to exactly the path `f` as one `.npz` file, atomically, or into the
    binary file object `f`.

    A path is written under a temporary name in the same folder, flushed to disk and
    then renamed over it, so a crash leaves either the old file or the new one. A
    symbolic link is written through, as `open` would: the file it names is replaced.
    A file object (`io.BytesIO`, a file opened with "wb") is written from where it
    stands to its end (one checkpoint per file object) and left open; that cannot be
    atomic.

    Args:
        obj: dicts with str or int keys, lists, tuples, str, int, float, bool, None,
            NumPy arrays and Tensors, nested: e.g. `{"model": model.state_dict(),
            "optimizer": optimizer.state_dict(), "epoch": 3}`. Tensors load back as arrays;
            dict, list and tuple subclasses load back as the base type.
        f: the path to write (no suffix is added to it), or a file object with `write`.

    Raises:
        TypeError: `obj` holds something else, or `f` is neither a path nor a binary
            file object; nothing is written.
        OSError: the file cannot be written; no temporary file is left behind.
    """
    arrays = {}
    try:
        structure = {"format": FORMAT, "version": VERSION, "root": _encode(obj, arrays, "obj")}
        text = json.dumps(structure, allow_nan=False, separators=(",", ":"))
    except RecursionError:
        raise TypeError(
            "minigrad.save cannot store obj: its lists, tuples and dicts nest too deeply "
            "(or contain themselves)"
        ) from None
    arrays[STRUCTURE] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    if hasattr(f, "write"):
        _check_binary(f, "minigrad.save writes bytes: open the file with 'wb'")
        # Built in memory, then one write: zipfile would seek back to patch headers, which a
        # pipe or a file opened for appending cannot do. Nothing is pickled (see below).
        archive = io.BytesIO()
        np.savez(archive, **arrays)
        f.write(archive.getbuffer())
        _cut_tail(f)
        return
    path = os.path.realpath(_path(f, "save", "write"))  # a symlink's target, as open() would
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name[:100]}.{uuid.uuid4().hex[:16]}.tmp")  # fits NAME_MAX
    # os.open with mode 0o666 lets the umask decide the permissions, as a plain open() would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            # A file object, so no ".npz" is appended; object arrays were refused above, so
            # nothing is pickled (savez's allow_pickle= only exists from NumPy 2.1).
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.remove(temp)
        except FileNotFoundError:
            pass
        raise


def load(f):
    """Read a checkpoint written by `save`, from a path or a binary file object (read
    from where it stands, as `save` wrote it); arrays never go through pickle.

    Returns:
        The saved object, with arrays (and saved Tensors) as NumPy arrays.

    Raises:
        CheckpointError: (a ValueError) the file is damaged, truncated, pickled, or was
            not written by `minigrad.save`.
        TypeError: `f` is neither a path nor a binary file object.
        OSError: the file cannot be read.
    """
    if hasattr(f, "read"):
        _check_binary(f, "minigrad.load reads bytes: open the file with 'rb'")
        name = getattr(f, "name", None)
        return _load(f, repr(name) if isinstance(name, str) else f"the {type(f).__name__}")
    path = _path(f, "load", "read")
    with open(path, "rb") as file:
        return _load(file, repr(path))


def _cut_tail(f) -> None:
    """Drop what an older, longer checkpoint left after the one just written: `load` reads
    the archive that ends the stream."""
    if not (getattr(f, "seekable", None) and f.seekable()):
        return
    end = f.tell()
    if f.seek(0, io.SEEK_END) > end:
        f.seek(end)
        f.truncate()


def _path(f, what: str, method: str):
    if not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(
            f"minigrad.{what} takes a path or a binary file object with {method}(), got "
            f"{type(f).__name__}"
        )
    return os.fsdecode(f)


def _check_binary(f, message: str) -> None:
    if isinstance(f, io.TextIOBase):
        raise TypeError(message)


def _load(file, where: str):
    """Read the checkpoint at `file`'s position; `where` names it in errors."""
    start = file.tell()
    magic = file.read(4)
    if magic not in _ZIP_MAGIC:
        raise CheckpointError(f"{where} is not a minigrad checkpoint: {_kind(magic)}")
    file.seek(start)
    try:
        with np.load(file, allow_pickle=False) as archive:
            # zipfile reads the archive that ends the file: it must be the one at `start`
            if min((m.header_offset for m in archive.zip.infolist()), default=start) != start:
                raise CheckpointError(
                    f"{where} holds more than one checkpoint after the position read from "
                    "(save writes one, to the end); PyTorch would load the first"
                )
            structure = _read_structure(archive, where)
            return _decode(structure["root"], archive, where)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
        raise CheckpointError(f"{where} is damaged or truncated: {err}") from err
    except RecursionError:
        raise CheckpointError(f"{where}: the checkpoint structure nests too deeply") from None
    except RuntimeError as err:  # zipfile: a member marked encrypted
        raise CheckpointError(f"{where} is damaged: {err}") from err
    except CheckpointError:
        raise
    except ValueError as err:  # NumPy's refusal of pickled object arrays, bad headers
        raise CheckpointError(f"{where} holds an unreadable array: {err}") from err


# ----- encoding ----------------------------------------------------------------------------
def _encode(value, arrays: dict, where: str):
    """The JSON form of `value`; arrays go into `arrays` under new member names."""
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.hasobject:
            raise TypeError(f"minigrad.save cannot store {where}: an array of Python objects")
        name = f"a{len(arrays)}"
        arrays[name] = array
        return {"scalar" if isinstance(value, np.generic) else "array": name}
    if type(value) is float:
        if math.isfinite(value):
            return value
        return {"float": struct.pack(">d", value).hex()}  # JSON has no inf or nan
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if type(key) not in (str, int):
                raise TypeError(
                    f"minigrad.save can store dict keys that are str or int, but {where} has "
                    f"the key {key!r} of type {type(key).__name__}"
                )
            items.append([key, _encode(item, arrays, f"{where}[{key!r}]")])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        items = [_encode(item, arrays, f"{where}[{i}]") for i, item in enumerate(value)]
        return items if isinstance(value, list) else {"tuple": items}
    raise TypeError(
        f"minigrad.save cannot store {where} of type {type(value).__name__}; it stores dicts, "
        "lists, tuples, str, int, float, bool, None, NumPy arrays and Tensors"
    )


# ----- decoding ----------------------------------------------------------------------------
def _kind(magic: bytes) -> str:
    if not magic:
        return "the file is empty (a file object just written to needs seek(0) first)"
    if magic.startswith(b"\x80"):
        return "it looks like a pickle, which minigrad.load never reads (it could run code)"
    if magic.startswith(b"\x93NUM"):
        return "it is a single .npy array, not a .npz archive"
    return "it is not a .npz (zip) archive"


def _read_structure(archive, where: str) -> dict:
    if STRUCTURE not in archive.files:
        raise CheckpointError(
            f"{where} is a .npz archive but not a minigrad checkpoint: it has no "
            f"'{STRUCTURE}' member (was it written by numpy.savez rather than minigrad.save?)"
        )
    raw = archive[STRUCTURE]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise CheckpointError(f"{where}: the '{STRUCTURE}' member is not UTF-8 bytes")
    try:
        structure = json.loads(raw.tobytes().decode("utf-8"))
    except ValueError as err:  # bad UTF-8 or bad JSON
        raise CheckpointError(f"{where}: the '{STRUCTURE}' member is not JSON: {err}") from err
    if not isinstance(structure, dict) or structure.get("format") != FORMAT:
        raise CheckpointError(f"{where}: the '{STRUCTURE}' member is not minigrad's")
    if structure.get("version") != VERSION or "root" not in structure:
        raise CheckpointError(
            f"{where} has checkpoint format version {structure.get('version')!r}; this "
            f"minigrad reads version {VERSION}"
        )
    return structure


def _decode(node, archive, where: str):
    """Rebuild the object that `_encode` described as `node`."""
    if node is None or type(node) in (bool, int, float, str):
        return node
    if isinstance(node, list):
        return [_decode(item, archive, where) for item in node]
    if isinstance(node, dict) and len(node) == 1:
        ((tag, body),) = node.items()
        if tag == "tuple" and isinstance(body, list):
            return tuple(_decode(item, archive, where) for item in body)
        if tag == "dict" and isinstance(body, list):
            if all(_is_dict_item(item) for item in body):
                return {key: _decode(item, archive, where) for key, item in body}
        if tag in ("array", "scalar") and isinstance(body, str) and body in archive.files:
            array = archive[body]
            return array[()] if tag == "scalar" else array
        if tag == "float" and isinstance(body, str) and len(body) == 16:
            if all(c in string.hexdigits for c in body):
                return struct.unpack(">d", bytes.fromhex(body))[0]
    raise CheckpointError(f"{where}: the checkpoint structure is malformed near {node!r:.80}")


def _is_dict_item(item) -> bool:
    return isinstance(item, list) and len(item) == 2 and type(item[0]) in (str, int)
