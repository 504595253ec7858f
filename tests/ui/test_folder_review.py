"""Reviewing a folder in the real window: open it, let the finder mask each photo, correct,
run, apply, save and step on; a batch on the same folders then leaves the reviewed photos alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from skingan_desktop.io.photos import load_photo
from tests.conftest import PHOTOS, run_cli
from tests.ui.conftest import drag_on_canvas

ARM = PHOTOS / "23_1.jpg"    # validation subjects: the finder never saw them
BACK = PHOTOS / "103_1.JPG"


def _run_and_apply(qtbot, window) -> np.ndarray:
    """Fill the mask as it stands and apply the 512 result; the hole that was filled."""
    hole = window.mask_array() > 0
    window.actions_by_name["inpaint"].trigger()
    qtbot.waitUntil(window.compare.has_quick, timeout=60_000)
    window.actions_by_name["apply_quick"].trigger()
    return hole


def test_two_photos_go_through_find_correct_run_and_save_and_batch_leaves_them(qtbot, window, small_weights: Path,
                                                                                tmp_path: Path) -> None:
    folder, out = tmp_path / "shoot", tmp_path / "clean"
    folder.mkdir()
    shutil.copy(ARM, folder / "a_arm.jpg")
    shutil.copy(BACK, folder / "b_back.jpg")
    window.load_weights(small_weights)
    qtbot.waitUntil(lambda: window.generator is not None, timeout=30_000)
    window.settings.refine = False
    review = window.folder_review

    with qtbot.waitSignal(window.tattoos_found, timeout=60_000) as found:
        assert review.open_folder(folder, out)
    assert found.args == [True] and window.photo_path == folder / "a_arm.jpg"
    strip = review.filmstrip
    assert review.dock.isVisible() and strip.count() == 2
    assert strip.text(0) == "a_arm.jpg\nto do" and strip.text(1) == "b_back.jpg\nto do"
    assert window.last_status.startswith("Found 1 tattoo")
    assert window.actions_by_name["next_photo"].shortcut().toString() == "PgDown"

    # Correct the found mask: erase a band across it, as a person leaves a birthmark out.
    found_mask = window.mask_array() > 0
    window.set_tool("eraser")
    window.canvas.set_brush_size(30)
    drag_on_canvas(window, [(40, 250), (300, 250)])
    window.set_tool("brush")
    corrected = window.mask_array() > 0
    assert corrected.sum() < found_mask.sum() and not corrected[250, 60:260].any()
    hole = _run_and_apply(qtbot, window)

    with qtbot.waitSignal(window.tattoos_found, timeout=60_000):  # the next photo opens and is searched
        window.actions_by_name["save_and_next"].trigger()
    assert window.photo_path == folder / "b_back.jpg"
    assert strip.text(0) == "a_arm.jpg\n✓ done"
    original, cleaned = load_photo(folder / "a_arm.jpg"), load_photo(out / "a_arm.jpg")
    assert np.abs(cleaned[~hole].astype(int) - original[~hole]).mean() < 2    # JPEG again; no fill outside
    assert np.abs(cleaned[hole].astype(int) - original[hole]).mean() > 5       # the tattoo is gone

    # Step back and forth with the keys: a photo opens as the original with its starting mask,
    # which is no edit of the person's (stepping away asks nothing).
    with qtbot.waitSignal(window.tattoos_found, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.photo_path == folder / "a_arm.jpg" and window.undo_stack.isClean()
    with qtbot.waitSignal(window.tattoos_found, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.photo_path == folder / "b_back.jpg"

    _run_and_apply(qtbot, window)
    with qtbot.waitSignal(review.folder_done, timeout=30_000):
        window.actions_by_name["save_and_next"].trigger()
    assert strip.text(1) == "b_back.jpg\n✓ done" and "every photo of the folder is done" in window.last_status

    records = [json.loads(line) for line in (out / "skingan-batch.jsonl").read_text().splitlines()]
    assert [(r["photo"], r["status"], r["mask_source"]) for r in records] == [
        ("a_arm.jpg", "done", "reviewed"), ("b_back.jpg", "done", "reviewed")]
    written = {name: (out / name).stat().st_mtime_ns for name in ("a_arm.jpg", "b_back.jpg")}
    result = run_cli("batch", folder, out, "--find-tattoos", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    assert "0 filled" in result.stdout and "2 already done earlier" in result.stdout
    assert {name: (out / name).stat().st_mtime_ns for name in written} == written


def test_a_folder_with_sub_folders_is_reviewed_whole_when_asked(qtbot, window, tmp_path: Path) -> None:
    folder, out = tmp_path / "archive", tmp_path / "archive-clean"
    (folder / "day2").mkdir(parents=True)
    shutil.copy(ARM, folder / "a_arm.jpg")
    shutil.copy(BACK, folder / "day2" / "b_back.jpg")
    review = window.folder_review
    with qtbot.waitSignal(window.tattoos_found, timeout=60_000):
        assert review.open_folder(folder, out, recursive=True)
    assert [review.filmstrip.text(row).split("\n")[0] for row in range(review.filmstrip.count())] == [
        "a_arm.jpg", "day2/b_back.jpg"]
    assert not review.open_folder(tmp_path / "missing", out)
    assert "does not exist" in window.last_message.text()
