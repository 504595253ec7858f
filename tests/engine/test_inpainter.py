"""The engine on photo-sized inputs: regions, both results, exact pixels outside the mask."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from skingan_desktop.engine.runner import EmptyMaskError, InpaintSettings, Inpainter, apply_results
from skingan_desktop.model import load_generator


@pytest.fixture(scope="module")
def generator(fixtures_dir: Path):
    return load_generator(fixtures_dir / "parity_small.pt")


@pytest.fixture(scope="module")
def big_photo() -> np.ndarray:
    """A 3000x2000 photo-like image (smooth gradients plus grain)."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:2000, 0:3000]
    base = np.stack([150 + 60 * np.sin(xx / 400), 120 + 40 * np.cos(yy / 300), 100 + 0 * xx], axis=-1)
    return np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)


def _hole(shape: tuple[int, int], *boxes: tuple[int, int, int, int]) -> np.ndarray:
    hole = np.zeros(shape, bool)
    for left, top, right, bottom in boxes:
        hole[top:bottom, left:right] = True
    return hole


def _record_input_sizes(generator) -> tuple[list, object]:
    sizes: list[tuple[int, int]] = []
    handle = generator.model[0].register_forward_pre_hook(lambda _m, args: sizes.append(tuple(args[0].shape[-2:])))
    return sizes, handle


def _assert_outside_untouched(photo: np.ndarray, hole: np.ndarray, results) -> None:
    for refined in (False, True):
        out = apply_results(photo, results, refined=refined)
        assert out.shape == photo.shape
        assert np.array_equal(out[~hole], photo[~hole])
        assert not np.array_equal(out[hole], photo[hole])


def test_small_mask_on_a_big_photo_touches_only_a_region(generator, big_photo: np.ndarray) -> None:
    hole = _hole(big_photo.shape[:2], (1500, 1000, 1560, 1040))
    sizes, handle = _record_input_sizes(generator)
    try:
        results = Inpainter(generator, InpaintSettings(n_iters=3)).run(big_photo, hole)
    finally:
        handle.remove()

    assert len(results) == 1 and results[0].region.width == 512
    assert max(max(s) for s in sizes) <= 512 + 8  # never the whole photo on the device
    _assert_outside_untouched(big_photo, hole, results)


@pytest.mark.parametrize("box", [(1000, 700, 1400, 1000), (900, 500, 1500, 1000)],
                         ids=["region under 1024", "region over 1024 reuses the 512 pass"])
def test_both_results_on_a_big_photo(generator, big_photo: np.ndarray, box) -> None:
    hole = _hole(big_photo.shape[:2], box)
    sizes, handle = _record_input_sizes(generator)
    previews = []
    try:
        results = Inpainter(generator, InpaintSettings(n_iters=3)).run(
            big_photo, hole, on_preview=lambda i, r: previews.append(r.refined))
    finally:
        handle.remove()

    assert previews == [None]  # the 512 result arrived before refinement
    assert results[0].refined is not None and not np.array_equal(results[0].refined, results[0].preview)
    assert max(max(s) for s in sizes) <= 1024 + 8
    passes_at_512 = [s for s in sizes if max(s) <= 520]
    assert len(passes_at_512) == (2 if box[2] - box[0] < 512 else 1)
    _assert_outside_untouched(big_photo, hole, results)


def test_two_areas_a_border_and_odd_sizes(generator) -> None:
    rng = np.random.default_rng(2)
    photo = rng.integers(0, 256, (1201, 1999, 3), dtype=np.uint8)
    hole = _hole(photo.shape[:2], (0, 0, 40, 33), (1900, 1100, 1999, 1201))

    results = Inpainter(generator, InpaintSettings(n_iters=2)).run(photo, hole)

    assert len(results) == 2
    _assert_outside_untouched(photo, hole, results)


def test_full_mask(generator) -> None:
    photo = np.full((300, 200, 3), 90, np.uint8)
    hole = np.ones((300, 200), bool)

    (result,) = Inpainter(generator).run(photo, hole)

    assert result.preview.shape == photo.shape and result.refined is not None


def test_empty_mask_runs_nothing(generator) -> None:
    sizes, handle = _record_input_sizes(generator)
    try:
        with pytest.raises(EmptyMaskError, match="empty"):
            Inpainter(generator).run(np.zeros((50, 50, 3), np.uint8), np.zeros((50, 50), bool))
    finally:
        handle.remove()
    assert sizes == []


def test_mask_of_another_size_is_refused(generator) -> None:
    with pytest.raises(ValueError, match="30x40 but the photo is 50x50"):
        Inpainter(generator).run(np.zeros((50, 50, 3), np.uint8), np.ones((40, 30), bool))


def test_progress_reaches_total_and_cancel_stops_the_refinement(generator, big_photo: np.ndarray) -> None:
    hole = _hole(big_photo.shape[:2], (1000, 700, 1400, 1000))
    seen = []
    Inpainter(generator, InpaintSettings(n_iters=4)).run(big_photo, hole, progress=lambda *a: seen.append(a))
    stage, step, total = seen[-1]
    assert "refining" in stage and step == total == 1 + 4  # the coarse pass, then 4 iterations (the last predicts)

    cancel = threading.Event()
    steps = []

    def progress(stage: str, step: int, total: int) -> None:
        steps.append(step)
        if "refining" in stage and step >= 1:
            cancel.set()

    assert Inpainter(generator, InpaintSettings(n_iters=15)).run(big_photo, hole, progress=progress, cancel=cancel) is None
    assert max(steps) == 1  # stopped at the next iteration


def test_out_of_memory_steps_down_instead_of_crashing(generator, big_photo: np.ndarray, monkeypatch) -> None:
    import skingan_desktop.engine.runner as runner

    real = runner.refine_pyramid
    failures = {"left": 2}

    def refine_that_runs_out(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise torch.OutOfMemoryError("CPU out of memory (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "refine_pyramid", refine_that_runs_out)
    hole = _hole(big_photo.shape[:2], (900, 500, 1500, 1000))
    notices: list[str] = []
    settings = InpaintSettings(n_iters=2)

    results = Inpainter(generator, settings).run(big_photo, hole, on_notice=notices.append)

    assert len(notices) == 2 and "768" in notices[0]
    assert results[0].refined is not None and settings.refined_side < 1024
    _assert_outside_untouched(big_photo, hole, results)


def test_out_of_memory_at_the_smallest_size_is_a_clear_error(generator, monkeypatch) -> None:
    import skingan_desktop.engine.runner as runner

    def always_out(*args, **kwargs):
        raise torch.OutOfMemoryError("out of memory (simulated)")

    monkeypatch.setattr(runner, "refine_level", always_out)
    with pytest.raises(MemoryError, match="even for the 512 result"):
        Inpainter(generator).run(np.zeros((100, 100, 3), np.uint8), np.ones((100, 100), bool))


@pytest.mark.parametrize("shape", [(1, 3), (3, 5), (4, 4), (12, 2048), (2048, 12)],
                         ids=["3x1", "5x3", "4x4", "2048x12 strip", "12x2048 strip"])
def test_tiny_photos_and_thin_strips_are_filled(generator, shape: tuple[int, int]) -> None:
    """Too small to mirror for the generator's padding: repeated instead, never a traceback."""
    photo = np.random.default_rng(0).integers(100, 200, shape + (3,), dtype=np.uint8)
    hole = np.zeros(shape, bool)
    hole[shape[0] // 2, shape[1] // 2] = True
    for refine in (False, True):
        results = Inpainter(generator, InpaintSettings(refine=refine)).run(photo, hole)
        _assert_outside_untouched(photo, hole, results)


def test_a_feathered_seam_blends_the_fill_into_the_skin_around_even_at_native_size() -> None:
    """A tattoo whose dark rim runs 4 px beyond the mask: with a 6 px feather the rim is blended
    away, and pixels beyond the feather stay exact; without one, every pixel outside stays."""
    import cv2

    from skingan_desktop.resources import embedded_model_path
    from tests.conftest import lit_skin

    generator = load_generator(embedded_model_path())
    skin = lit_skin(240, 320)
    hole = _hole(skin.shape[:2], (120, 80, 200, 160))
    rim = cv2.dilate(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    photo = skin.copy()
    photo[rim] = (0.5 * skin[rim]).astype(np.uint8)  # ink, and a rim of it the mask left out
    distance = cv2.distanceTransform((~hole).astype(np.uint8), cv2.DIST_L2, 5)
    plain = Inpainter(generator, InpaintSettings(refine=False)).run(photo, hole)
    out = apply_results(photo, plain, refined=False)
    assert np.array_equal(out[~hole], photo[~hole])                      # region is 512 px: native size
    feathered = Inpainter(generator, InpaintSettings(refine=False, feather=6)).run(photo, hole)
    out = apply_results(photo, feathered, refined=False)
    beyond = distance > 7
    assert np.array_equal(out[beyond], photo[beyond])
    near = (distance > 0) & (distance <= 2)
    lift = (out[near].astype(np.float32) - photo[near]).mean()
    assert lift > 20, lift  # the dark rim next to the hole is brought most of the way to the skin


def test_a_refined_size_of_2048_refines_at_2048(generator, big_photo: np.ndarray) -> None:
    """The run panel's refined size reaches the pyramid: a large region is refined at 2048 px."""
    hole = _hole(big_photo.shape[:2], (700, 400, 2300, 1600))  # the region is the whole 3000x2000 photo
    sizes, handle = _record_input_sizes(generator)
    try:
        results = Inpainter(generator, InpaintSettings(n_iters=1, refined_side=2048)).run(big_photo, hole)
    finally:
        handle.remove()
    assert 2040 <= max(max(s) for s in sizes) <= 2048 + 8
    assert results[0].refined.shape == big_photo.shape  # back at the region's native size
    _assert_outside_untouched(big_photo, hole, results)
