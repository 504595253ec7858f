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


def _saved_session(tmp_path: Path) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(1)
    original = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    edited = original.copy()
    edited[10:30, 20:50] = 90
    mask = np.zeros((60, 80), np.uint8)
    mask[5:25, 5:45] = 255
    path = tmp_path / "arm.skingan"
    save_session(path, Session(tmp_path / "arm.jpg", mask, edited), original=original)
    return path, original


def test_a_damaged_session_file_only_ever_gives_a_sentence(tmp_path: Path) -> None:
    """Flipped bits, cut files and foreign contents: every read ends in a readable session or in
    one PhotoError, never in another exception (zlib, OSError, TypeError, RecursionError...)."""
    path, original = _saved_session(tmp_path)
    data = path.read_bytes()
    rng = np.random.default_rng(0)
    damaged = tmp_path / "damaged.skingan"
    for trial in range(400):
        corrupt = bytearray(data)
        if trial % 4 == 0:
            corrupt = corrupt[:int(rng.integers(0, len(corrupt)))]
        else:
            for position in rng.integers(0, len(corrupt), size=int(rng.integers(1, 8))):
                corrupt[position] ^= 1 << int(rng.integers(0, 8))
        damaged.write_bytes(bytes(corrupt))
        try:
            read_session_header(damaged)
            load_session(damaged, original)
        except PhotoError as exc:
            assert str(exc).startswith("The session ")  # one sentence that names the file


def test_foreign_files_and_odd_headers_are_refused_plainly(tmp_path: Path) -> None:
    bare = tmp_path / "bare.skingan"
    with bare.open("wb") as f:
        np.save(f, np.arange(3))  # a bare array where an archive belongs
    with pytest.raises(PhotoError, match="bare array"):
        read_session_header(bare)
    odd = tmp_path / "odd.skingan"
    meta = np.frombuffer(b'{"version": 1, "photo": "a.jpg", "width": "288", "height": 480}', dtype=np.uint8)
    with odd.open("wb") as f:
        np.savez(f, meta=meta, mask=np.zeros((480, 288), np.uint8), edit_box=np.zeros(4, np.int64))
    with pytest.raises(PhotoError, match="size or path"):
        read_session_header(odd)


def test_a_damaged_recovery_file_is_set_aside_and_named(tmp_path: Path) -> None:
    from skingan_desktop.io.session import DamagedRecovery, recovery_candidate

    recovery = tmp_path / "recovery.skingan"
    with recovery.open("wb") as f:
        np.save(f, np.arange(3))
    with pytest.raises(DamagedRecovery, match="recovery.damaged-1.skingan"):
        recovery_candidate(recovery)
    assert not recovery.exists() and (tmp_path / "recovery.damaged-1.skingan").is_file()  # kept, not deleted
    assert recovery_candidate(recovery) is None  # the next start has nothing to trip on
