"""The heal brush's fill: a painted spot becomes the skin around it; nothing unpainted changes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from skingan_desktop.engine.heal import HEAL_SIDE, heal_reach, heal_spot
from skingan_desktop.engine.region import WorkRegion
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from tests.conftest import lit_skin


@pytest.fixture(scope="module")
def generator():
    return load_generator(embedded_model_path())


def _pimple(skin: np.ndarray, centre: tuple[int, int], radius: int) -> np.ndarray:
    """A red, darker spot with a soft edge on the skin."""
    spot = np.zeros(skin.shape[:2], np.float32)
    cv2.circle(spot, centre, radius, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), radius / 3)[..., None]
    red = np.array([150, 60, 60], np.float32)
    return np.clip(skin * (1 - 0.7 * spot) + red * 0.7 * spot, 0, 255).astype(np.uint8)


def _dab(shape: tuple[int, int], centre: tuple[int, int], diameter: int, hardness: float = 0.7) -> np.ndarray:
    """The alpha of one soft round brush dab, as the canvas paints it."""
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]]
    distance = np.hypot(cols - centre[0], rows - centre[1]) / (diameter / 2)
    return np.clip((1 - distance) / (1 - hardness), 0, 1).astype(np.float32)


def test_a_dab_heals_the_spot_into_the_skin_and_leaves_the_rest_alone(generator) -> None:
    skin = lit_skin(240, 320)
    spotted = _pimple(skin, (160, 120), 12)
    alpha = _dab(skin.shape[:2], (160, 120), 40)
    reach = heal_reach(WorkRegion(140, 100, 180, 140), spotted.shape)
    assert reach.width >= HEAL_SIDE and reach.height >= HEAL_SIDE
    crop = spotted[reach.slices]
    healed = heal_spot(generator, crop, alpha[reach.slices], photo_shape=spotted.shape)

    painted = alpha[reach.slices] > 0.02
    assert np.array_equal(healed[~painted], crop[~painted])       # unpainted pixels stay bit for bit
    core = alpha[reach.slices] >= 1
    truth = skin[reach.slices].astype(np.float32)
    before = np.abs(crop[core].astype(np.float32) - truth[core]).mean()
    after = np.abs(healed[core].astype(np.float32) - truth[core]).mean()
    assert before > 25 and after < 6, (before, after)
    # On the soft edge the fill is blended in: no rim of the spot's red around the dab.
    edge = painted & ~core
    assert np.abs(healed[edge].astype(np.float32) - truth[edge]).mean() < 6


def test_a_heal_near_the_photo_edge_stays_inside_the_photo(generator) -> None:
    skin = lit_skin(200, 150)
    spotted = _pimple(skin, (5, 195), 6)
    reach = heal_reach(WorkRegion(0, 180, 20, 200), spotted.shape)
    assert (reach.left, reach.bottom) == (0, 200) and reach.right <= 150 and reach.top >= 0
    alpha = _dab(skin.shape[:2], (5, 195), 20)[reach.slices]
    healed = heal_spot(generator, spotted[reach.slices], alpha, photo_shape=spotted.shape)
    assert healed.shape == spotted[reach.slices].shape


def test_a_spot_of_the_wrong_size_is_refused(generator) -> None:
    with pytest.raises(ValueError, match="spot is 10x10"):
        heal_spot(generator, lit_skin(20, 20), np.ones((10, 10), np.float32), photo_shape=(20, 20, 3))
