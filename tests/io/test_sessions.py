"""Session files: save and reopen on purpose; damaged or foreign files give clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skingan_desktop.io.photos import PhotoError
from skingan_desktop.io.session import SavedStep, Session, load_session, read_session_header, save_session


def _steps(height: int, width: int) -> list[SavedStep]:
    mask = np.zeros((10, 40), np.uint8)
    mask[2:8, 5:35] = 255
    mask[1, 5:35] = 90  # a soft edge
    return [SavedStep("Brush stroke", [("mask", (20, 15, 60, 25), mask)]),
            SavedStep("Apply 512 result", [("photo", (10, 10, 70, 40), np.full((30, 60, 3), 77, np.uint8)),
                                           ("mask", (20, 15, 60, 25), np.zeros((10, 40), np.uint8))])]


def test_a_session_round_trips_its_steps(tmp_path: Path) -> None:
    path = tmp_path / "arm.skingan"
    save_session(path, Session(tmp_path / "arm.jpg", 160, 120, _steps(120, 160), done=1))

    assert read_session_header(path)["photo"] == str(tmp_path / "arm.jpg")
    restored = load_session(path, np.zeros((120, 160, 3), np.uint8))
    assert restored.done == 1 and [s.text for s in restored.steps] == ["Brush stroke", "Apply 512 result"]
    for saved, read in zip(_steps(120, 160), restored.steps):
        for (layer, box, pixels), (layer_read, box_read, pixels_read) in zip(saved.changes, read.changes):
            assert (layer, box) == (layer_read, box_read) and np.array_equal(pixels, pixels_read)


def _version_1_file(path: Path, original: np.ndarray, edited: np.ndarray, mask: np.ndarray) -> Path:
    """A session as the first version wrote it: the edits against the original, the mask."""
    changed = (edited != original).any(axis=-1)
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    box = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1) if rows.size else (0, 0, 0, 0)
    meta = json.dumps({"version": 1, "photo": "arm.jpg", "width": original.shape[1], "height": original.shape[0]})
    arrays = {"meta": np.frombuffer(meta.encode(), np.uint8), "mask": mask, "edit_box": np.array(box, np.int64)}
    if rows.size:
        left, top, right, bottom = box
        arrays["edit_changed"], arrays["edit_pixels"] = changed[top:bottom, left:right], edited[top:bottom, left:right]
    with path.open("wb") as f:
        np.savez_compressed(f, **arrays)
    return path


def test_a_first_version_session_is_read_as_one_step(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    edited = original.copy()
    edited[30:50, 40:90] = 77
    mask = np.zeros((120, 160), np.uint8)
    mask[60:80, 60:100] = 255
    path = _version_1_file(tmp_path / "old.skingan", original, edited, mask)

    session = load_session(path, original)
    (step,) = session.steps
    assert step.text == "Restored from old.skingan" and session.done == 1
    (_, box, pixels), (_, mask_box, mask_read) = step.changes
    left, top, right, bottom = box
    merged = original.copy()
    merged[top:bottom, left:right] = pixels
    assert np.array_equal(merged, edited) and mask_box == (0, 0, 160, 120) and np.array_equal(mask_read, mask)


def test_a_session_without_steps(tmp_path: Path) -> None:
    path = tmp_path / "s.skingan"
    save_session(path, Session(Path("p.png"), 10, 10, [], 0))
    assert load_session(path, np.zeros((10, 10, 3), np.uint8)).steps == []


def test_bad_session_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.skingan"
    junk.write_bytes(b"not a session")
    with pytest.raises(PhotoError, match="junk.skingan"):
        read_session_header(junk)
    with pytest.raises(PhotoError, match="does not exist"):
        read_session_header(tmp_path / "missing.skingan")

    path = tmp_path / "s.skingan"
    save_session(path, Session(Path("p.png"), 10, 10, [], 0))
    with pytest.raises(PhotoError, match="10x10 photo"):
        load_session(path, np.zeros((20, 10, 3), np.uint8))


def test_steps_that_do_not_fit_the_photo_or_ask_for_too_much_are_refused(tmp_path: Path, monkeypatch) -> None:
    original = np.zeros((120, 160, 3), np.uint8)
    outside = tmp_path / "outside.skingan"
    save_session(outside, Session(Path("p.png"), 160, 120, [SavedStep("Heal", [
        ("photo", (150, 0, 170, 10), np.zeros((10, 20, 3), np.uint8))])], 1))
    with pytest.raises(PhotoError, match="does not fit its photo"):
        load_session(outside, original)
    wrong_shape = tmp_path / "shape.skingan"
    save_session(wrong_shape, Session(Path("p.png"), 160, 120, [SavedStep("Heal", [
        ("photo", (0, 0, 20, 10), np.zeros((10, 20), np.uint8))])], 1))  # a mask's shape for the photo
    with pytest.raises(PhotoError, match="does not fit its photo"):
        load_session(wrong_shape, original)
    from skingan_desktop.io import session as session_module
    big = tmp_path / "big.skingan"
    save_session(big, Session(Path("p.png"), 160, 120, _steps(120, 160), 2))
    monkeypatch.setattr(session_module, "MAX_SESSION_BYTES", 1000)  # as if the steps inflated to gigabytes
    with pytest.raises(PhotoError, match="GB of pixels"):
        load_session(big, original)


def test_exports_get_normal_file_permissions(tmp_path: Path) -> None:
    import os
    import stat

    from skingan_desktop.io.photos import save_photo

    out = save_photo(tmp_path / "clean.png", np.zeros((4, 4, 3), np.uint8))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def _saved_session(tmp_path: Path) -> tuple[Path, np.ndarray]:
    path = tmp_path / "arm.skingan"
    save_session(path, Session(tmp_path / "arm.jpg", 80, 60, [
        SavedStep("Heal", [("photo", (20, 10, 50, 30), np.full((20, 30, 3), 90, np.uint8))]),
        SavedStep("Brush stroke", [("mask", (5, 5, 45, 25), np.full((20, 40), 255, np.uint8))])], 2))
    return path, np.zeros((60, 80, 3), np.uint8)


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


def _version_2_file(path: Path, session: Session) -> Path:
    """A session as the second version wrote it: each rectangle a compressed ``.npy`` member."""
    arrays, steps = {}, []
    for i, step in enumerate(session.steps):
        for j, (_, _, pixels) in enumerate(step.changes):
            arrays[f"s{i}_{j}"] = pixels
        steps.append({"text": step.text, "changes": [{"layer": layer, "box": list(box)}
                                                     for layer, box, _ in step.changes]})
    meta = {"version": 2, "photo": str(session.photo_path), "width": session.width, "height": session.height,
            "done": session.done, "steps": steps}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with path.open("wb") as f:
        np.savez_compressed(f, **arrays)
    return path


def test_a_second_version_session_still_opens(tmp_path: Path) -> None:
    path = _version_2_file(tmp_path / "v2.skingan", Session(tmp_path / "arm.jpg", 160, 120, _steps(120, 160), 2))
    restored = load_session(path, np.zeros((120, 160, 3), np.uint8))
    assert [s.text for s in restored.steps] == ["Brush stroke", "Apply 512 result"] and restored.done == 2
    assert np.array_equal(restored.steps[1].changes[0][2], np.full((30, 60, 3), 77, np.uint8))


def test_each_rectangle_is_deflated_once_however_often_the_history_is_saved(tmp_path: Path, monkeypatch) -> None:
    """The autosave writes the whole History after every edit: only the new step's pixels cost."""
    from skingan_desktop.io import session as session_module

    deflated = []
    compress = session_module.zlib.compress
    monkeypatch.setattr(session_module.zlib, "compress", lambda data, level: deflated.append(len(data))
                        or compress(data, level))
    steps = _steps(120, 160)
    save_session(tmp_path / "a.skingan", Session(Path("p.png"), 160, 120, steps[:1], 1))
    save_session(tmp_path / "a.skingan", Session(Path("p.png"), 160, 120, steps, 2))
    assert deflated == [10 * 40, 30 * 60 * 3, 10 * 40]  # the stroke once, then the apply's two rectangles
    restored = load_session(tmp_path / "a.skingan", np.zeros((120, 160, 3), np.uint8))
    assert np.array_equal(restored.steps[0].changes[0][2], steps[0].changes[0][2])


def _third_version_file(path: Path, member: bytes, compression: int = 0) -> Path:
    """A version 3 session whose one step, a 10x20 mask rectangle, holds ``member``."""
    import zipfile

    meta = {"version": 3, "photo": "p.png", "width": 160, "height": 120, "done": 1,
            "steps": [{"text": "Brush stroke", "changes": [{"layer": "mask", "box": [0, 0, 20, 10]}]}]}
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("s0_0.deflate", member)
        with archive.open("meta.npy", "w") as f:
            np.lib.format.write_array(f, np.frombuffer(json.dumps(meta).encode(), np.uint8))
    return path


def test_pixels_that_would_inflate_past_their_rectangle_are_refused_unread(tmp_path: Path) -> None:
    import zipfile
    import zlib

    original = np.zeros((120, 160, 3), np.uint8)
    fits = _third_version_file(tmp_path / "fits.skingan", zlib.compress(bytes(range(200))))
    assert load_session(fits, original).steps[0].changes[0][2].shape == (10, 20)
    # 200 bytes are due: a stream of 20 kB of zeros (40 bytes deflated) is cut at 200 and refused,
    # and one of 100 MB (100 kB deflated) is refused before it is read.
    bomb = _third_version_file(tmp_path / "bomb.skingan", zlib.compress(bytes(20_000), 9))
    with pytest.raises(PhotoError, match="does not fit its photo"):
        load_session(bomb, original)
    big_bomb = _third_version_file(tmp_path / "big-bomb.skingan", zlib.compress(bytes(100 << 20), 9))
    with pytest.raises(PhotoError, match="damaged"):
        load_session(big_bomb, original)
    short = _third_version_file(tmp_path / "short.skingan", zlib.compress(bytes(150)))
    with pytest.raises(PhotoError, match="does not fit its photo"):
        load_session(short, original)
    # The archive's own compression may hide a member far larger than the step: refused unread.
    hidden = _third_version_file(tmp_path / "hidden.skingan", bytes(100 << 20), zipfile.ZIP_DEFLATED)
    with pytest.raises(PhotoError, match="damaged"):
        load_session(hidden, original)
