"""Retouching sessions on disk: the original's path, and the History of the steps made on it.

One ``.skingan`` file (a zip archive: numpy's ``.npz``, read with ``allow_pickle=False`` so it
can hold no code) serves both the autosaved recovery file and sessions saved on purpose. Each
step of the History is kept as the rectangles it changed, of the photo or of the mask (with its
soft edge), with their pixels after it; the pixels before follow from replaying the steps on the
photo as opened, and ``done`` says how many of them are in effect (the rest can be redone).

The autosave writes the whole History after every edit, so each rectangle's pixels are deflated
once and kept (a step's pixels never change): an edit costs the deflating of its own pixels, not
of the whole History again (on a 24 MP photo, 100 steps with 10 applied fills took 3.0 s a write before, 0.19 s now:
``benchmarks/bench_autosave.py``).
From version 3 on, the pixels are therefore stored as zlib streams of exactly the
rectangle's bytes, the archive itself storing them as they are; their size follows from the
rectangle, and nothing is inflated beyond it. Version 2 held them as compressed ``.npy``
members; files of version 1 (the edits and the mask as they stood, no History) are read as one
step.
"""

from __future__ import annotations

import io
import json
import threading
import weakref
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from .photos import PhotoError, write_atomically

FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
SESSION_SUFFIX = ".skingan"
LAYERS = ("photo", "mask")  # what a step changes: the working photo's pixels or the mask's alpha
MAX_STEPS = 100_000
MAX_SESSION_BYTES = 8 << 30  # the pixels a session may inflate to, at most (a crafted file asks for more)
DEFLATE_LEVEL = 1  # a photo's pixels are noise to deflate: level 6 saved 3 % more, 20 % slower
MAX_KEPT_BYTES = 1 << 30  # deflated pixels kept for the next write, at most
PIXELS_SUFFIX = ".deflate"

Box = tuple[int, int, int, int]  # (left, top, right, bottom)


@dataclass(frozen=True)
class SavedStep:
    """One step: its History text and its changes, each ``(layer, box, pixels after)``:
    ``(h, w, 3)`` uint8 for the photo, ``(h, w)`` uint8 alpha for the mask."""

    text: str
    changes: list[tuple[str, Box, np.ndarray]]


@dataclass(frozen=True)
class Session:
    photo_path: Path
    width: int
    height: int
    steps: list[SavedStep]
    done: int  # how many steps are in effect


def save_session(path: str | Path, session: Session) -> Path:
    """Write ``session`` atomically."""
    steps = []
    buffer = io.BytesIO()
    # Stored as they are: the pixels come deflated (once for all writes, ``deflated_pixels``), and the
    # rest is a few kilobytes of text.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for i, step in enumerate(session.steps):
            changes = []
            for j, (layer, box, pixels) in enumerate(step.changes):
                archive.writestr(f"s{i}_{j}{PIXELS_SUFFIX}", deflated_pixels(pixels))
                changes.append({"layer": layer, "box": [int(v) for v in box]})
            steps.append({"text": step.text, "changes": changes})
        meta = np.frombuffer(json.dumps({
            "version": FORMAT_VERSION, "photo": str(session.photo_path),
            "width": session.width, "height": session.height, "done": session.done, "steps": steps,
        }).encode(), dtype=np.uint8)
        with archive.open("meta.npy", "w") as member:
            np.lib.format.write_array(member, meta, allow_pickle=False)
    return write_atomically(Path(path), buffer.getvalue())


class _DeflatedPixels:
    """The deflated bytes of the History's pixel arrays, each made once and kept while its array
    lives (and ``MAX_KEPT_BYTES`` allow): the autosave runs after every edit, and a step's
    pixels never change. Safe across threads (the autosave and the kept unsaved edits)."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[weakref.ref, bytes]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, pixels: np.ndarray) -> bytes:
        key = id(pixels)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0]() is pixels:
            return kept[1]
        data = zlib.compress(pixels.tobytes(), DEFLATE_LEVEL)  # C order, whatever the array's layout
        with self._lock:
            if self._bytes + len(data) <= MAX_KEPT_BYTES and key not in self._kept:
                try:
                    ref = weakref.ref(pixels, lambda _ref, key=key: self._forget(key, _ref))
                except TypeError:  # an object that takes no weak reference: not kept
                    return data
                self._kept[key] = (ref, data)
                self._bytes += len(data)
        return data

    def clear(self) -> None:
        """Keep nothing (as right after a start: the benchmark's cold write)."""
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def _forget(self, key: int, ref: weakref.ref) -> None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] is ref:
                del self._kept[key]
                self._bytes -= len(kept[1])


deflated_pixels = _DeflatedPixels()


def _inflated(archive, name: str, shape: tuple[int, ...]) -> Optional[np.ndarray]:
    """The pixels of member ``name``, ``shape`` uint8, or ``None`` when they are not exactly that
    many bytes. Never inflates more than the shape holds (a crafted stream cannot balloon)."""
    size = int(np.prod(shape))
    # Nor is the archive's member (the zip layer stops at the size it declares): deflate never
    # makes bytes much bigger than they were.
    if archive.zip.getinfo(name).file_size > size + size // 1000 + 64:
        raise ValueError(f"{name} is larger than its step")
    inflater = zlib.decompressobj()
    data = inflater.decompress(archive.zip.read(name), size)
    if len(data) != size or inflater.unconsumed_tail or not inflater.eof:
        return None
    return np.frombuffer(data, np.uint8).reshape(shape).copy()


def read_session_header(path: str | Path) -> dict:
    """The session's metadata (photo path, size) without loading its arrays."""
    with _open(path) as archive:
        return _meta(archive, path)


def load_session(path: str | Path, original: np.ndarray) -> Session:
    """Read the session made on ``original`` (the photo at ``read_session_header()['photo']``,
    as opened), every array's shape checked against its step before it is inflated."""
    with _open(path) as archive:
        meta = _meta(archive, path)
        if (meta["height"], meta["width"]) != original.shape[:2]:
            raise PhotoError(f"The session {path} was made for a {meta['width']}x{meta['height']} photo, "
                             f"but the photo is now {original.shape[1]}x{original.shape[0]}.")
        try:
            if meta["version"] == 1:
                steps = _version_1_steps(archive, path, original)
                done = len(steps)
            else:
                steps, done = _steps(archive, path, meta, original.shape[:2]), meta["done"]
        except PhotoError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to read a damaged file is "damaged"
            raise PhotoError(f"The session {path} is damaged ({_reason(exc)}).") from None
    return Session(Path(meta["photo"]), meta["width"], meta["height"], steps, done)


def _steps(archive, path: str | Path, meta: dict, size: tuple[int, int]) -> list[SavedStep]:
    height, width = size
    listed, done = meta.get("steps"), meta.get("done")
    if not isinstance(listed, list) or len(listed) > MAX_STEPS or not isinstance(done, int) \
            or not 0 <= done <= len(listed):
        raise ValueError("its History is not readable")
    planned, total = [], 0
    for i, step in enumerate(listed):
        if not isinstance(step, dict) or not isinstance(step.get("text"), str) \
                or not isinstance(step.get("changes"), list):
            raise ValueError(f"step {i + 1} is not readable")
        changes = []
        for j, change in enumerate(step["changes"]):
            layer, box = (change.get("layer"), change.get("box")) if isinstance(change, dict) else (None, None)
            if layer not in LAYERS or not isinstance(box, list) or len(box) != 4 \
                    or not all(isinstance(v, int) for v in box):
                raise ValueError(f"step {i + 1} has a change that is not readable")
            left, top, right, bottom = box
            if not (0 <= left < right <= width and 0 <= top < bottom <= height):
                raise PhotoError(f"The session {path} has a step that does not fit its photo.")
            shape = (bottom - top, right - left) + ((3,) if layer == "photo" else ())
            if meta["version"] == 2 and _declared(archive, f"s{i}_{j}") != (shape, np.dtype(np.uint8)):
                raise PhotoError(f"The session {path} has a step that does not fit its photo.")
            total += int(np.prod(shape))
            changes.append((layer, (left, top, right, bottom), f"s{i}_{j}", shape))
        planned.append((step["text"][:500], changes))
    if total > MAX_SESSION_BYTES:
        raise PhotoError(f"The session {path} asks for {total / 2**30:.1f} GB of pixels, more than a session "
                         "of this photo can hold; it was not opened.")
    return [SavedStep(text, [(layer, box, _pixels(archive, path, meta["version"], name, shape))
                             for layer, box, name, shape in changes]) for text, changes in planned]


def _pixels(archive, path: str | Path, version: int, name: str, shape: tuple[int, ...]) -> np.ndarray:
    if version == 2:
        return archive[name]
    pixels = _inflated(archive, name + PIXELS_SUFFIX, shape)
    if pixels is None:
        raise PhotoError(f"The session {path} has a step that does not fit its photo.")
    return pixels


def _version_1_steps(archive, path: str | Path, original: np.ndarray) -> list[SavedStep]:
    """A version 1 file (the edits against the photo as opened, the mask as it stood) as one step."""
    height, width = original.shape[:2]
    # Every array's shape is checked from its header before it is decompressed: a crafted file
    # cannot make us inflate a 40000x40000 mask to find it does not fit.
    if _declared(archive, "mask") != ((height, width), np.dtype(np.uint8)):
        raise PhotoError(f"The session {path} has a mask that does not fit its photo.")
    if _declared(archive, "edit_box") != ((4,), np.dtype(np.int64)):
        raise ValueError("its edit box is not four numbers")
    changes: list[tuple[str, Box, np.ndarray]] = []
    left, top, right, bottom = (int(v) for v in archive["edit_box"])
    if right > left and bottom > top:
        box = (bottom - top, right - left)
        if not (0 <= left and 0 <= top and right <= width and bottom <= height) \
                or _declared(archive, "edit_changed") != (box, np.dtype(bool)) \
                or _declared(archive, "edit_pixels") != (box + (3,), np.dtype(np.uint8)):
            raise PhotoError(f"The session {path} has edits that do not fit its photo.")
        changed, pixels = archive["edit_changed"], archive["edit_pixels"]
        region = original[top:bottom, left:right].copy()
        region[changed] = pixels[changed]
        changes.append(("photo", (left, top, right, bottom), region))
    mask = archive["mask"]
    if mask.any():
        changes.append(("mask", (0, 0, width, height), mask))
    return [SavedStep(f"Restored from {Path(path).name}", changes)] if changes else []


def _declared(archive, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype an array of the archive declares in its header (nothing inflated
    beyond the header)."""
    with archive.zip.open(f"{name}.npy") as member:
        version = np.lib.format.read_magic(member)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(member)
    return tuple(shape), dtype


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _open(path: str | Path):
    try:
        archive = np.load(Path(path), allow_pickle=False)
    except FileNotFoundError:
        raise PhotoError(f"The session {path} does not exist.") from None
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail in any way while it is read
        raise PhotoError(f"The session {path} is not a session file or is damaged ({_reason(exc)}).") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # a bare .npy array saved under the name
        raise PhotoError(f"The session {path} is not a session file (it holds a bare array).")
    return archive


def _meta(archive, path: str | Path) -> dict:
    try:
        meta = json.loads(bytes(archive["meta"]).decode())
        if not isinstance(meta, dict) or meta.get("version") not in READABLE_VERSIONS:
            raise ValueError("unknown format version")
        width, height, photo = meta["width"], meta["height"], meta["photo"]
        if not all(isinstance(v, int) and 0 < v < 1_000_000 for v in (width, height)) or not isinstance(photo, str):
            raise ValueError("its photo size or path is not readable")
        return meta
    except Exception as exc:  # noqa: BLE001 - as above: any failure means the file cannot be read
        raise PhotoError(f"The session {path} is not a session file this version can read ({_reason(exc)}).") from None


def default_session_path(photo_path: Path) -> Path:
    return photo_path.with_suffix(SESSION_SUFFIX)


def recovery_candidate(recovery_path: Path) -> Optional[dict]:
    """The header of a recovery file left by a crash, or ``None``. A recovery file that cannot
    be read raises :class:`DamagedRecovery` after it is set aside (renamed, never deleted), so
    that it cannot stop the next start too."""
    if not recovery_path.is_file():
        return None
    try:
        return read_session_header(recovery_path)
    except PhotoError as exc:
        kept = set_aside(recovery_path)
        raise DamagedRecovery(f"{exc} It was kept as {kept.name}; nothing of it could be restored.") from None


class DamagedRecovery(PhotoError):
    """The recovery file could not be read; it has been set aside. The message says where."""


def set_aside(path: Path) -> Path:
    """Rename an unreadable session file to ``NAME.damaged-N.skingan`` beside it (the first
    free ``N``) and return the new path."""
    for number in range(1, 10_000):
        kept = path.with_name(f"{path.stem}.damaged-{number}{path.suffix}")
        if not kept.exists():
            path.rename(kept)
            return kept
    raise PhotoError(f"Too many damaged session files beside {path}.")
