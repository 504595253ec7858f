"""The skin's mottle laid deep in a large fill, with the ring's strength and colours."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.grain import LUMA
from skingan_desktop.engine.mottle import MAX_MOTTLE, MOTTLE_DEPTH, MOTTLE_SCALE, skin_mottle
from skingan_desktop.engine.tone import native_fill

SIGMA = 1.5
REDNESS = np.array([0.030, 0.018, 0.012])  # relative mottle per channel: redder where lighter


def _band(values: np.ndarray) -> np.ndarray:
    """The relative detail between Gaussians of SIGMA and MOTTLE_SCALE * SIGMA px."""
    values = values.astype(np.float32)
    return cv2.GaussianBlur(values, (0, 0), SIGMA) / cv2.GaussianBlur(values, (0, 0), SIGMA * MOTTLE_SCALE) - 1


def _mottled_skin(size: int = 256, strength: float = 1.0, seed: int = 0) -> np.ndarray:
    """Even skin mottled in the middle band (each channel by its REDNESS share of one field),
    with a fine grain over it."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((size, size)).astype(np.float32)
    field = cv2.GaussianBlur(noise, (0, 0), SIGMA) - cv2.GaussianBlur(noise, (0, 0), SIGMA * MOTTLE_SCALE)
    field /= field.std()
    base = np.array([200.0, 160.0, 140.0])
    skin = base * (1 + strength * field[..., None] * REDNESS) + rng.normal(0, 1.5, (size, size, 3))
    return np.clip(skin, 0, 255).astype(np.uint8)


def _square_hole(size: int = 256, margin: int = 64) -> np.ndarray:
    hole = np.zeros((size, size), bool)
    hole[margin:size - margin, margin:size - margin] = True
    return hole


def _depth(hole: np.ndarray) -> np.ndarray:
    return cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)


def test_deep_in_a_large_hole_the_rings_mottle_is_laid_with_its_strength_and_colours() -> None:
    skin, hole = _mottled_skin(), _square_hole()
    truth = _band(skin)[hole]  # the skin's own mottle where the hole is

    mottle = skin_mottle(skin, hole, SIGMA)

    deep = _depth(hole) > 2 * MOTTLE_DEPTH
    laid = mottle[deep]
    assert np.all(np.abs(laid.std(axis=0) / truth.std(axis=0) - 1) < 0.3)
    assert np.corrcoef(laid[:, 0], laid[:, 2])[0, 1] > 0.8  # one field in three colours, as the skin's
    assert not mottle[~hole].any()
    assert not mottle[hole & (_depth(hole) <= MOTTLE_DEPTH)].any()  # none near the edge


def test_a_hole_nowhere_deep_gets_no_mottle() -> None:
    skin = _mottled_skin()
    stroke = np.zeros(skin.shape[:2], bool)
    stroke[100:120, 20:236] = True  # 10 px deep at most
    assert skin_mottle(skin, stroke, SIGMA) is None


def test_a_rings_structure_is_laid_no_stronger_than_skins_mottle() -> None:
    """A hand's ring, wrinkled and veined, measures several times a forearm's mottle; laid at
    that strength, noise reads as dirt."""
    skin, hole = _mottled_skin(strength=4.0), _square_hole()
    assert (_band(skin) @ LUMA)[~hole].std() > 2 * MAX_MOTTLE

    mottle = skin_mottle(skin, hole, SIGMA)

    luma = mottle[_depth(hole) > 2 * MOTTLE_DEPTH] @ LUMA
    assert MAX_MOTTLE * 0.8 < luma.std() < MAX_MOTTLE * 1.2


def test_a_large_fill_of_mottled_skin_is_mottled_and_texture_strength_scales_it() -> None:
    """Through the engine's fill: a smooth generator's guess over a large hole becomes skin as
    mottled as the ring, and the texture control (0 %: the tone alone) takes it away."""
    skin, hole = _mottled_skin(), _square_hole()
    composite = skin.astype(np.float32)
    composite[hole] = cv2.GaussianBlur(skin, (0, 0), 8).astype(np.float32)[hole]
    deep = _depth(hole) > 2 * MOTTLE_DEPTH
    truth = (_band(skin) @ LUMA)[deep].std()

    mottled = (_band(native_fill(skin, hole, hole, skin, hole, composite)) @ LUMA)[deep].std()
    flat = (_band(native_fill(skin, hole, hole, skin, hole, composite, strength=0.0)) @ LUMA)[deep].std()

    assert flat < 0.3 * truth
    assert 0.7 * truth < mottled < 1.4 * truth


def test_the_mottle_keeps_the_tones_precision() -> None:
    """float32 like the tone it multiplies: a float64 mottle made every later array of a 26 MP
    fill twice the size (and the first result 0.4 s slower)."""
    skin, hole = _mottled_skin(), _square_hole()
    assert skin_mottle(skin, hole, SIGMA).dtype == np.float32
