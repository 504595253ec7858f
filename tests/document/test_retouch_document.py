"""The retouch document on its own, with no Qt at all: steps, undo and redo, results that
cannot outlive their mask, and sessions that bring the History back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from skingan_desktop.document.retouch import RetouchDocument
from skingan_desktop.engine.region import WorkRegion
from skingan_desktop.engine.runner import RegionResult
from skingan_desktop.io.photos import PhotoFile
from skingan_desktop.io.session import load_session, save_session


def _document(height: int = 60, width: int = 80) -> RetouchDocument:
    rng = np.random.default_rng(0)
    return RetouchDocument(PhotoFile(Path("arm.png"), "PNG", rng.integers(0, 256, (height, width, 3), dtype=np.uint8)))


def _heard(document: RetouchDocument) -> list[tuple[str, object]]:
    heard: list[tuple[str, object]] = []
    document.watch(lambda layer, region: heard.append((layer, region)))
    return heard


def _run(document: RetouchDocument, fill: int) -> list[RegionResult]:
    region = WorkRegion(10, 10, 50, 40)
    hole = document.hole()[region.slices]
    preview = document.photo[region.slices].copy()
    preview[hole] = fill
    refined = preview.copy()
    refined[hole] = fill + 1
    return [RegionResult(region, hole, preview, refined, document.photo[region.slices].copy())]


def test_a_painted_stroke_is_one_step_that_undoes_and_redoes() -> None:
    document = _document()
    heard = _heard(document)
    region = WorkRegion(5, 5, 25, 20)
    before = document.mask[region.slices].copy()
    document.mask[8:15, 8:20] = 255  # what the canvas paints in place
    document.mask_painted(region, before, "Brush stroke")
    painted = document.mask.copy()

    assert [e.text for e in document.history.edits] == ["Brush stroke"] and document.unsaved
    assert ("mask", region) in heard and heard[-1] == ("history", None)
    assert document.undo() and not document.mask.any() and not document.unsaved
    assert document.redo() and np.array_equal(document.mask, painted)
    assert not document.redo()  # nothing more to redo


def test_a_replaced_mask_keeps_only_the_rectangle_it_changed_and_its_soft_edge() -> None:
    document = _document()
    soft = np.zeros(document.shape, np.uint8)
    soft[20:30, 30:40] = 255
    soft[19, 30:40] = 90  # a soft edge survives as it is
    document.set_mask(soft, "Lasso")
    change = document.history.edits[0].changes[0]
    assert change.region == WorkRegion(30, 19, 40, 30) and document.mask[19, 35] == 90
    assert document.set_mask(soft.copy(), "Lasso again") is None  # the same mask is no step
    assert np.array_equal(document.binary_mask() > 0, soft >= 128)


def test_an_applied_result_clears_the_mask_and_undo_brings_its_run_back() -> None:
    document = _document()
    original = document.photo.copy()
    mask = np.zeros(document.shape, np.uint8)
    mask[20:30, 20:40] = 255
    document.set_mask(mask, "Brush stroke")
    results = _run(document, fill=100)
    run = document.shelf.add(document.hole(), results, "test", 1.0)
    assert document.runs_on_offer() == [run]

    document.apply_results(run.results, refined=True)
    assert not document.mask.any() and (document.photo[20:30, 20:40] == 101).all()
    assert np.array_equal(document.photo[:20], original[:20])  # outside the hole: untouched
    assert document.runs_on_offer() == []  # no mask, no result: a stale fill cannot be applied

    document.undo()
    assert np.array_equal(document.photo, original) and np.array_equal(document.mask, mask)
    assert document.runs_on_offer() == [run]  # the other result can be tried without running again


def test_results_are_not_on_offer_once_the_mask_or_the_pixels_under_them_change() -> None:
    document = _document()
    mask = np.zeros(document.shape, np.uint8)
    mask[20:30, 20:40] = 255
    document.set_mask(mask, "Brush stroke")
    run = document.shelf.add(document.hole(), _run(document, 100), "test", 1.0)
    grown = mask.copy()
    grown[30, 20:40] = 255
    document.set_mask(grown, "Grow")
    assert document.runs_on_offer() == []
    document.undo()
    assert document.runs_on_offer() == [run]
    document.patch_photo(WorkRegion(12, 12, 16, 16), np.zeros((4, 4, 3), np.uint8), "Heal")
    assert document.runs_on_offer() == []  # a heal under the run's region


def test_a_new_step_after_undo_drops_the_redo_steps_and_the_saved_state() -> None:
    document = _document()
    document.patch_photo(WorkRegion(0, 0, 4, 4), np.zeros((4, 4, 3), np.uint8), "Heal")
    document.mark_saved()
    assert not document.unsaved
    document.undo()
    assert document.unsaved  # the exported photo had the heal
    document.patch_photo(WorkRegion(8, 8, 12, 12), np.zeros((4, 4, 3), np.uint8), "Clone")
    assert [e.text for e in document.history.edits] == ["Clone"]
    document.undo()
    assert document.unsaved  # the saved state is gone for good: never "saved" again by undoing


def test_a_session_brings_back_the_history_the_soft_mask_and_the_redo_steps(tmp_path: Path) -> None:
    document = _document()
    original = document.photo.copy()
    mask = np.zeros(document.shape, np.uint8)
    mask[20:30, 20:40] = 255
    mask[19, 20:40] = 60
    document.set_mask(mask, "Brush stroke")
    run = document.shelf.add(document.hole(), _run(document, 100), "test", 1.0)
    document.apply_results(run.results, refined=False)
    document.patch_photo(WorkRegion(50, 5, 60, 15), np.full((10, 10, 3), 7, np.uint8), "Heal")
    document.set_mask(mask, "Lasso")
    document.undo()  # the lasso can be redone
    path = save_session(tmp_path / "arm.skingan", document.session())

    restored = RetouchDocument.restored(document.photo_file, load_session(path, original))

    assert [e.text for e in restored.history.edits] == ["Brush stroke", "Apply 512 result", "Heal", "Lasso"]
    assert restored.history.done == 3 and restored.unsaved
    assert np.array_equal(restored.photo, document.photo) and np.array_equal(restored.mask, document.mask)
    restored.redo()
    assert restored.mask[19, 25] == 60  # the soft edge came back as it was
    while restored.undo():
        pass
    assert np.array_equal(restored.photo, original) and not restored.mask.any()


def test_the_document_needs_no_qt() -> None:
    code = ("import sys; import skingan_desktop.document.retouch; "
            "print(any(name.startswith('PySide6') for name in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
