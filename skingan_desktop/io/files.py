"""Writing files so that a crash or a full disk never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomically(path: str | Path, data: bytes) -> Path:
    """A temporary file in the same folder, flushed to disk, then renamed over ``path``: a crash
    never leaves a half-written file, and an existing file is replaced in one step. Raises
    :class:`OSError` (with the temporary file removed) when the folder cannot take it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        # mkstemp makes owner-only files; give the file the permissions a new file gets here
        # (or those of the file it replaces).
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
