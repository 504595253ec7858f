"""The fill's fine detail along the hole's edge, copied patch by patch from the photo around
it: the skin's own grain, the real detail at the edge continued, nothing copied from where it
must not be."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.membrane import membrane_fill
from skingan_desktop.engine.patch_detail import REACH, patch_detail
from skingan_desktop.engine.tone import native_fill
from skingan_desktop.io.photos import load_photo
from tests.conftest import PHOTOS, lit_skin

SIGMA = 1.5  # the engine's cut between tone and detail for a fill made at the photo's size


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.clip(image, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)


def _fine(gray: np.ndarray) -> np.ndarray:
    return gray - cv2.GaussianBlur(gray, (0, 0), SIGMA)


def _spread(values: np.ndarray) -> float:
    return float(np.median(np.abs(values - np.median(values))))


def _tone(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A smooth tone for the hole, as the engine's is (no detail finer than the cut)."""
    return cv2.GaussianBlur(membrane_fill(photo, hole).astype(np.float32), (0, 0), SIGMA)


def _filled(photo: np.ndarray, hole: np.ndarray, **options) -> tuple[np.ndarray, np.ndarray]:
    tone = _tone(photo, hole)
    copied = patch_detail(photo, hole, tone, (0, 0), SIGMA, **options)
    assert copied is not None
    detail, _ = copied
    return np.where(hole[..., None], tone + detail, photo.astype(np.float32)), detail


def test_the_copied_detail_has_the_skins_statistics() -> None:
    photo = load_photo(PHOTOS / "58_1.JPG")[200:340, 80:220]  # real chest skin, as the photo has it
    hole = np.zeros(photo.shape[:2], bool)
    hole[40:100, 40:100] = True

    fill, detail = _filled(photo, hole, seed=1)

    assert not detail[~hole].any()
    depth = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    laid = hole & (depth > 2) & (depth <= REACH)  # the copies' band, past the edge's first pixels
    ring = ~(cv2.dilate(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)
    made, real = _fine(_gray(fill))[laid], _fine(_gray(photo))[ring]
    # Laid at 0.8 of the skin's amplitude (patch_detail.DETAIL_ENERGY), its features included.
    assert 0.5 < _spread(made) / _spread(real) < 1.0


def test_the_fills_detail_reaches_the_holes_edge() -> None:
    """Real skin at the photo's own size, a fill through the engine: on the hole's edge pixels
    the copies give the skin's fine detail in full (each patch there is mostly real skin, so its
    copy continues it); the tile grain, which must fade in from nothing at the edge (a random
    grain there would only disagree with the real detail a pixel away), gives two thirds of it.
    Faint detail along the edge is an outline a retoucher sees."""
    photo = load_photo(PHOTOS / "58_1.JPG")[200:340, 80:220]
    hole = np.zeros(photo.shape[:2], bool)
    hole[40:100, 40:100] = True
    composite = membrane_fill(photo, hole).astype(np.float32)
    depth = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    band = hole & (depth <= 1)
    ring = cv2.dilate(hole.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~hole
    real = _spread(_fine(_gray(photo))[ring])

    copied = native_fill(photo, hole, hole, photo, hole, composite, structure=0)
    tiled = native_fill(photo, hole, hole, photo, hole, composite, structure=0, edge_copies=False)

    assert _spread(_fine(_gray(copied))[band]) > 0.85 * real  # the truth there: 0.93
    assert _spread(_fine(_gray(tiled))[band]) < 0.8 * real


def test_no_patch_is_copied_from_avoided_pixels_or_another_tattoo() -> None:
    """Beside the hole lies a band of pixels to avoid (ink's halo, bright) and further off a
    dark tattoo: neither is copied into the skin's fill, whose detail stays within the skin's."""
    photo = lit_skin(200, 200, seed=5)
    rng = np.random.default_rng(2)
    photo = np.clip(photo + rng.normal(0, 3, photo.shape), 0, 255).astype(np.uint8)
    avoid = np.zeros(photo.shape[:2], bool)
    avoid[50:150, 40:46] = True
    photo[avoid] = 250
    cv2.circle(photo, (160, 160), 18, (40, 45, 70), 3)  # another tattoo's lines
    hole = np.zeros(photo.shape[:2], bool)
    hole[60:140, 46:120] = True

    _, detail = _filled(photo, hole, avoid=avoid, seed=4)

    skin_detail = np.abs(_fine(_gray(photo))[80:120, 130:140]).max()
    assert np.abs(_gray(128 + detail) - 128)[hole].max() < 1.5 * skin_detail


def test_no_detail_without_skin_to_copy_or_beyond_its_size() -> None:
    photo = lit_skin(60, 60)
    tone = photo.astype(np.float32)
    hole = np.ones(photo.shape[:2], bool)
    hole[:3] = False  # a strip too thin for a whole patch
    assert patch_detail(photo, hole, tone, (0, 0), SIGMA) is None
    large = lit_skin(520, 520)
    hole = np.zeros(large.shape[:2], bool)
    hole[5:-5, 5:-5] = True  # more pixels than copying patches is worth: the tile grain takes it
    assert patch_detail(large, hole, large.astype(np.float32), (0, 0), SIGMA) is None
