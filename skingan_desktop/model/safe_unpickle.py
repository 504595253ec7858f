"""Reads PyTorch zip archives (checkpoints and TorchScript files) without running their code.

A pickle can name any Python callable and have it called while loading. This unpickler
resolves only tensor rebuilding and plain containers; every other class the file names
(OmegaConf configs, Lightning objects, TorchScript modules, or something hostile like
``os.system``) becomes an inert :class:`ForeignObject` that records its arguments and state and
is never called.
"""

from __future__ import annotations

import pickle
import re
import zipfile
from collections import OrderedDict
from typing import Any, Callable, Iterator

import torch
from torch import Tensor

_STORAGE_DTYPES: dict[str, torch.dtype] = {
    "FloatStorage": torch.float32,
    "DoubleStorage": torch.float64,
    "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16,
    "LongStorage": torch.int64,
    "IntStorage": torch.int32,
    "ShortStorage": torch.int16,
    "CharStorage": torch.int8,
    "ByteStorage": torch.uint8,
    "BoolStorage": torch.bool,
    "UntypedStorage": torch.uint8,
}

_STORAGE_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}$")


class UnsafeArchiveError(ValueError):
    """The archive is not shaped like a PyTorch file; the message says how."""


# PyTorch stores its members uncompressed; an archive re-zipped with compression shrinks float
# weights by a few per cent and its pickles a few times. A member that claims to expand more than
# this is a decompression bomb.
MAX_EXPANSION = 16
SMALL_MEMBER = 1 << 20  # a pickle or a tiny member may compress as well as it likes


def check_declared_sizes(archive: zipfile.ZipFile, file_size: int) -> None:
    """Refuse, before anything is decompressed, an archive whose members declare more data than
    the file can hold: compressed members expanding more than :data:`MAX_EXPANSION` times, or
    members together larger than the file itself."""
    members = archive.infolist()
    if sum(member.compress_size for member in members) > file_size:
        raise UnsafeArchiveError("its members claim more bytes than the file has (it is damaged)")
    for member in members:
        if member.compress_type == zipfile.ZIP_STORED:
            if member.file_size != member.compress_size:
                raise UnsafeArchiveError(f"the member '{member.filename}' is stored with two different sizes")
        elif member.file_size > max(SMALL_MEMBER, MAX_EXPANSION * member.compress_size):
            raise UnsafeArchiveError(
                f"the member '{member.filename}' would expand from {member.compress_size:,} to "
                f"{member.file_size:,} bytes: a decompression bomb, not weights")


class ForeignObject:
    """Stands in for an object of a class we refuse to import; it never runs anything.

    ``qualified_name`` is the class the file named; ``args`` and ``state`` are what the pickle
    would have passed to it.
    """

    qualified_name = "?"

    def __new__(cls, *args: Any, **kwargs: Any) -> "ForeignObject":
        obj = super().__new__(cls)
        obj.args = args
        obj.state = None
        obj.items = []
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __setitem__(self, key: Any, value: Any) -> None:
        self.items.append((key, value))

    def append(self, value: Any) -> None:
        self.items.append((None, value))

    def extend(self, values: Any) -> None:
        self.items.extend((None, v) for v in values)

    def __repr__(self) -> str:
        return f"<inert {self.qualified_name}>"


class _StorageKind:
    def __init__(self, dtype: torch.dtype) -> None:
        self.dtype = dtype


def _rebuild_tensor(storage: Tensor, offset: int, size: Any, stride: Any, *_: Any) -> Tensor:
    if not isinstance(storage, Tensor):
        raise UnsafeArchiveError("a tensor refers to something that is not a storage")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    # as_strided checks the view against the storage's bounds.
    return storage.as_strided(size, stride, int(offset))


def _rebuild_parameter(data: Tensor, *_: Any) -> Tensor:
    return data


_TRUSTED: dict[tuple[str, str], Callable[..., Any]] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): OrderedDict,
    **{(b, n): t for b in ("builtins", "__builtin__")
       for n, t in (("dict", dict), ("list", list), ("tuple", tuple), ("set", set),
                    ("frozenset", frozenset))},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, archive: zipfile.ZipFile, root: str, data: bytes) -> None:
        import io

        super().__init__(io.BytesIO(data))
        self._archive = archive
        self._root = root
        self._storages: dict[str, Tensor] = {}
        self.foreign_names: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _TRUSTED:
            return _TRUSTED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageKind(_STORAGE_DTYPES[name])
        qualified = f"{module}.{name}"
        self.foreign_names.add(qualified)
        return type(name, (ForeignObject,), {"qualified_name": qualified})

    def persistent_load(self, pid: Any) -> Tensor:
        if not (isinstance(pid, tuple) and len(pid) >= 3 and pid[0] == "storage"):
            raise UnsafeArchiveError("the file refers to data in a form PyTorch does not write")
        kind, key = pid[1], pid[2]
        if not isinstance(kind, _StorageKind) or not isinstance(key, str) or not _STORAGE_KEY.match(key):
            raise UnsafeArchiveError("the file refers to a storage of an unknown kind")
        if key not in self._storages:
            name = f"{self._root}/data/{key}"
            try:
                declared = self._archive.getinfo(name).file_size
            except KeyError:
                raise UnsafeArchiveError(f"the archive lacks the tensor data '{key}'") from None
            elements = pid[4] if len(pid) >= 5 and isinstance(pid[4], int) else None
            if elements is not None and declared != elements * kind.dtype.itemsize:
                raise UnsafeArchiveError(f"the tensor data '{key}' is {declared:,} bytes, not the "
                                         f"{elements * kind.dtype.itemsize:,} bytes its tensor needs")
            raw = self._archive.read(name)
            if len(raw) % kind.dtype.itemsize:
                raise UnsafeArchiveError(f"the tensor data '{key}' has a partial element")
            flat = torch.frombuffer(bytearray(raw), dtype=kind.dtype) if raw else torch.empty(0, dtype=kind.dtype)
            self._storages[key] = flat
        return self._storages[key]


def archive_root(archive: zipfile.ZipFile) -> str:
    """The single top folder every PyTorch zip archive has."""
    names = archive.namelist()
    pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise UnsafeArchiveError("it is a zip file but not a PyTorch archive (no data.pkl)")
    return pickles[0].split("/")[0]


def is_torchscript(archive: zipfile.ZipFile) -> bool:
    root = archive_root(archive)
    names = set(archive.namelist())
    return f"{root}/constants.pkl" in names or any(n.startswith(f"{root}/code/") for n in names)


def load_archive(archive: zipfile.ZipFile) -> tuple[Any, set[str]]:
    """Unpickle ``data.pkl`` of a PyTorch zip archive safely.

    Returns the object graph (tensors, plain containers, :class:`ForeignObject`) and the
    qualified names of the foreign classes the file named.
    """
    root = archive_root(archive)
    byteorder = f"{root}/byteorder"
    if byteorder in archive.namelist() and archive.read(byteorder).strip() not in (b"little", b""):
        raise UnsafeArchiveError("it was saved on a big-endian machine, which is not supported")
    unpickler = _RestrictedUnpickler(archive, root, archive.read(f"{root}/data.pkl"))
    return unpickler.load(), unpickler.foreign_names


def named_tensors(obj: Any, prefix: str = "", _seen: set[int] | None = None) -> Iterator[tuple[str, Tensor]]:
    """Every tensor reachable from ``obj`` with a dotted name, as a module's state dict names them.

    Walks plain dicts and the recorded state of foreign objects (how TorchScript stores a
    module's attributes); lists and other containers are not named and are skipped.
    """
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Tensor):
        yield prefix.rstrip("."), obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(key, str):
                yield from named_tensors(value, f"{prefix}{key}.", seen)
    elif isinstance(obj, ForeignObject) and isinstance(obj.state, dict):
        yield from named_tensors(obj.state, prefix, seen)
