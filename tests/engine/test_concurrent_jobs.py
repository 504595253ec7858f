"""The app's heal brush and a run may use the one generator at the same time (two job slots,
``ui/jobs.py``): neither may change what the other makes."""

from __future__ import annotations

import threading
from dataclasses import replace

import cv2
import numpy as np
import pytest

from skingan_desktop.engine.heal import heal_reach, heal_spot
from skingan_desktop.engine.region import WorkRegion
from skingan_desktop.engine.runner import InpaintSettings, Inpainter
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from tests.conftest import drawn_tattoo, lit_skin


@pytest.fixture(scope="module")
def generator():
    return load_generator(embedded_model_path())


def _dab_alpha(shape: tuple[int, int], centre: tuple[int, int], diameter: int) -> np.ndarray:
    alpha = np.zeros(shape, np.float32)
    cv2.circle(alpha, centre, diameter // 2, 1.0, -1)
    return cv2.GaussianBlur(alpha, (0, 0), 2)


def test_heals_during_a_refined_run_change_neither(generator) -> None:
    photo = cv2.resize(lit_skin(240, 320), (800, 600), interpolation=cv2.INTER_CUBIC)
    tattooed, ink = drawn_tattoo(photo)
    hole = cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0
    settings = InpaintSettings(refined_side=768, n_iters=3, region_side=800)  # the whole photo: refined
    spots = [(560, 420), (620, 480), (700, 520)]

    def heal(centre: tuple[int, int]) -> np.ndarray:
        painted = WorkRegion(centre[0] - 12, centre[1] - 12, centre[0] + 12, centre[1] + 12)
        reach = heal_reach(painted, photo.shape)
        alpha = _dab_alpha((reach.height, reach.width), (centre[0] - reach.left, centre[1] - reach.top), 24)
        return heal_spot(generator, tattooed[reach.slices].copy(), alpha, photo_shape=photo.shape)

    alone_run = Inpainter(generator, replace(settings)).run(tattooed, hole)
    alone_heals = [heal(centre) for centre in spots]

    together: dict[str, object] = {}
    started = threading.Event()

    def run() -> None:
        together["run"] = Inpainter(generator, replace(settings)).run(
            tattooed, hole, on_preview=lambda *_: started.set())

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(timeout=120)
    heals = []  # (spot, result): dabs land one after another while the run refines
    while worker.is_alive():
        index = len(heals) % len(spots)
        heals.append((index, heal(spots[index])))
    worker.join()

    assert len(heals) >= 2, "the run ended before a second heal: too little ran at the same time"
    for index, healed in heals:
        np.testing.assert_array_equal(healed, alone_heals[index])
    (alone_result,), (result,) = alone_run, together["run"]
    np.testing.assert_array_equal(result.preview, alone_result.preview)
    assert result.refined is not None
    np.testing.assert_array_equal(result.refined, alone_result.refined)
