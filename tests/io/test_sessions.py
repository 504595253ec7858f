"""Session files: save and reopen on purpose; damaged or foreign files give clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skingan_desktop.io.photos import PhotoError
from skingan_desktop.io.session import Session, load_session, read_session_header, save_session


def test_a_session_round_trips_mask_and_edits(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    edited = original.copy()
    edited[30:50, 40:90] = 77
    edited[100:110, 5:15] = 200
    mask = np.zeros((120, 160), np.uint8)
    mask[60:80, 60:100] = 255
    path = tmp_path / "arm.skingan"

    save_session(path, Session(tmp_path / "arm.jpg", mask, edited), original=original)

    assert read_session_header(path)["photo"] == str(tmp_path / "arm.jpg")
    restored = load_session(path, original)
    assert np.array_equal(restored.mask, mask) and np.array_equal(restored.edited, edited)


def test_a_session_without_edits(tmp_path: Path) -> None:
    original = np.zeros((10, 10, 3), np.uint8)
    path = tmp_path / "s.skingan"
    save_session(path, Session(Path("p.png"), np.zeros((10, 10), np.uint8), original), original=original)
    assert np.array_equal(load_session(path, original).edited, original)


def test_bad_session_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.skingan"
    junk.write_bytes(b"not a session")
    with pytest.raises(PhotoError, match="junk.skingan"):
        read_session_header(junk)
    with pytest.raises(PhotoError, match="does not exist"):
        read_session_header(tmp_path / "missing.skingan")

    original = np.zeros((10, 10, 3), np.uint8)
    path = tmp_path / "s.skingan"
    save_session(path, Session(Path("p.png"), np.zeros((10, 10), np.uint8), original), original=original)
    with pytest.raises(PhotoError, match="10x10 photo"):
        load_session(path, np.zeros((20, 10, 3), np.uint8))


def test_exports_get_normal_file_permissions(tmp_path: Path) -> None:
    import os
    import stat

    from skingan_desktop.io.photos import save_photo

    out = save_photo(tmp_path / "clean.png", np.zeros((4, 4, 3), np.uint8))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
