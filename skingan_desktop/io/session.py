"""Retouching sessions on disk: the original's path, the mask and the applied edits.

One ``.skingan`` file (a numpy ``.npz`` archive, read with ``allow_pickle=False`` so it can hold
no code) serves both the autosaved recovery file and sessions saved on purpose. Edits are kept
as the changed pixels of the working photo against the original, inside their bounding box.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..engine.mask_ops import mask_bounds
from .photos import PhotoError, write_atomically

FORMAT_VERSION = 1
SESSION_SUFFIX = ".skingan"


@dataclass
class Session:
    """``mask``: ``(H, W)`` uint8; ``edited``: the working ``(H, W, 3)`` uint8 photo."""

    photo_path: Path
    mask: np.ndarray
    edited: np.ndarray


def save_session(path: str | Path, session: Session, original: np.ndarray) -> Path:
    """Write ``session`` (edits stored against ``original``, the photo as opened) atomically."""
    changed = (session.edited != original).any(axis=-1)
    bounds = mask_bounds(changed)
    arrays = {
        "meta": np.frombuffer(json.dumps({
            "version": FORMAT_VERSION, "photo": str(session.photo_path),
            "width": original.shape[1], "height": original.shape[0],
        }).encode(), dtype=np.uint8),
        "mask": session.mask,
        "edit_box": np.array(bounds if bounds else (0, 0, 0, 0), dtype=np.int64),
    }
    if bounds:
        left, top, right, bottom = bounds
        arrays["edit_changed"] = changed[top:bottom, left:right]
        arrays["edit_pixels"] = session.edited[top:bottom, left:right]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return write_atomically(Path(path), buffer.getvalue())


def read_session_header(path: str | Path) -> dict:
    """The session's metadata (photo path, size) without loading its arrays."""
    with _open(path) as archive:
        return _meta(archive, path)


def load_session(path: str | Path, original: np.ndarray) -> Session:
    """Rebuild a session on top of ``original`` (the photo at ``read_session_header()['photo']``)."""
    with _open(path) as archive:
        meta = _meta(archive, path)
        if (meta["height"], meta["width"]) != original.shape[:2]:
            raise PhotoError(f"The session {path} was made for a {meta['width']}x{meta['height']} photo, "
                             f"but the photo is now {original.shape[1]}x{original.shape[0]}.")
        try:
            # Every array's shape is checked from its header before it is decompressed: a
            # crafted file cannot make us inflate a 40000x40000 mask to find it does not fit.
            if _declared(archive, "mask") != (original.shape[:2], np.dtype(np.uint8)):
                raise PhotoError(f"The session {path} has a mask that does not fit its photo.")
            mask = archive["mask"]
            if _declared(archive, "edit_box") != ((4,), np.dtype(np.int64)):
                raise ValueError("its edit box is not four numbers")
            left, top, right, bottom = (int(v) for v in archive["edit_box"])
            edited = original.copy()
            if right > left and bottom > top:
                box = (bottom - top, right - left)
                if not (0 <= left and 0 <= top and right <= original.shape[1] and bottom <= original.shape[0]) \
                        or _declared(archive, "edit_changed") != (box, np.dtype(bool)) \
                        or _declared(archive, "edit_pixels") != (box + (3,), np.dtype(np.uint8)):
                    raise PhotoError(f"The session {path} has edits that do not fit its photo.")
                changed, pixels = archive["edit_changed"], archive["edit_pixels"]
                region = edited[top:bottom, left:right]
                region[changed] = pixels[changed]
        except PhotoError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to read a damaged file is "damaged"
            raise PhotoError(f"The session {path} is damaged ({_reason(exc)}).") from None
    return Session(Path(meta["photo"]), mask, edited)


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
        if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
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
