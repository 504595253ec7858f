"""The results shelf: runs are offered while their mask and their regions' pixels are as they were."""

from __future__ import annotations

import numpy as np

from skingan_desktop.engine.region import WorkRegion
from skingan_desktop.engine.runner import RegionResult
from skingan_desktop.engine.shelf import ResultsShelf


def _run_on(photo: np.ndarray, hole: np.ndarray, region: WorkRegion, value: int) -> list[RegionResult]:
    crop = photo[region.slices]
    preview = crop.copy()
    preview[hole[region.slices]] = value
    return [RegionResult(region, hole[region.slices], preview, preview + 1, source=crop.copy())]


def test_runs_are_offered_for_their_mask_and_photo_only() -> None:
    photo = np.full((100, 120, 3), 90, np.uint8)
    hole = np.zeros((100, 120), bool)
    hole[40:60, 50:70] = True
    region = WorkRegion(30, 20, 90, 80)
    shelf = ResultsShelf()
    first = shelf.add(hole, _run_on(photo, hole, region, 200), "refined 1024 px", 3.0)
    second = shelf.add(hole, _run_on(photo, hole, region, 210), "refined 2048 px, feather 8 px", 9.0)
    assert shelf.matching(hole, photo) == [first, second]
    assert second.describe() == "Run 2: refined 2048 px, feather 8 px, 9.0 s" and second.has_refined

    other = hole.copy()
    other[10, 10] = True
    assert shelf.matching(other, photo) == [] and shelf.matching(np.zeros_like(hole), photo) == []
    healed = photo.copy()
    healed[25, 35] = 0  # a heal inside the runs' region
    assert shelf.matching(hole, healed) == []
    healed[25, 35] = 90  # ... undone
    assert shelf.matching(hole, healed) == [first, second]
    away = photo.copy()
    away[5, 5] = 0  # outside every region: the runs still fit
    assert shelf.matching(hole, away) == [first, second]


def test_the_oldest_runs_go_beyond_the_memory_limit() -> None:
    photo = np.zeros((200, 200, 3), np.uint8)
    hole = np.zeros((200, 200), bool)
    hole[50:150, 50:150] = True
    region = WorkRegion(0, 0, 200, 200)
    one_run = _run_on(photo, hole, region, 1)
    size = sum(a.nbytes for a in (one_run[0].hole, one_run[0].preview, one_run[0].refined))  # the pixels seen are not kept
    shelf = ResultsShelf(limit_bytes=int(2.5 * size))
    runs = [shelf.add(hole, _run_on(photo, hole, region, v), f"run {v}", 1.0) for v in range(4)]
    assert shelf.runs == runs[2:] and shelf.nbytes <= 2.5 * size
    tiny = ResultsShelf(limit_bytes=1)
    kept = tiny.add(hole, one_run, "big", 1.0)
    assert tiny.runs == [kept]  # the newest always stays
