"""Writing files so that a crash or a full disk never leaves a half-written one behind.

A file is written under a short hidden temporary name in its own folder (short, so that any name
the file system allows for the file itself still fits), flushed, then renamed into place. If the
process is killed outright mid-write, the temporary file stays; the next write to that folder
removes ours that are more than an hour old (``.skingan-*.part``: nothing else is touched).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".skingan-", ".part"
STALE_AFTER_S = 3600.0  # no write of ours takes an hour; an older temporary file was left by a kill


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomically(path: str | Path, data: bytes, *, replace: bool = True) -> Path:
    """A temporary file in the same folder, flushed to disk, then renamed over ``path``: a crash
    never leaves a half-written file, and an existing file is replaced in one step. With
    ``replace=False`` the rename itself refuses a file that exists (even one created a moment
    before): :class:`FileExistsError`. Raises :class:`OSError` (with the temporary file removed)
    when the folder cannot take it."""
    path = Path(path)
    remove_stale_temporaries(path.parent)
    tmp = path.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}{TEMPORARY_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # The temporary file is owner-only while written; give the file the permissions a new
        # file gets here (or those of the file it replaces).
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _rename_without_replacing(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _rename_without_replacing(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist, in one step: a hard link fails on
    an existing name (POSIX), as a rename does on Windows; where neither holds (a file system
    without hard links), the check and the rename are as close together as they can be."""
    if os.name == "nt":
        os.rename(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(17, "File exists", str(path)) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> None:
    """Delete our temporary files in ``folder`` left by a killed write (older than an hour)."""
    now = time.time() if now is None else now
    try:
        candidates = list(folder.glob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"))
    except OSError:
        return
    for candidate in candidates:
        try:
            if candidate.is_file() and now - candidate.stat().st_mtime > STALE_AFTER_S:
                candidate.unlink()
        except OSError:
            pass  # another process's, or already gone
