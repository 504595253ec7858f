"""Snap to ink: a rough brush over a tattoo becomes a mask of its ink and a thin halo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from skingan_desktop.engine.ink import HALO, NoInkFound, snap_to_ink
from tests.conftest import PHOTOS


def _lit_skin(height: int = 240, width: int = 320, seed: int = 0) -> np.ndarray:
    """Skin with a gradient of light across it and a little grain."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width]
    base = np.stack([205 - 0.15 * cols, 165 - 0.1 * rows - 0.05 * cols, 145 - 0.1 * rows], axis=-1)
    return np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8)


def _tattoo(skin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The skin with a line drawing and a filled shape in blue-black ink, and the ink's mask."""
    ink = np.zeros(skin.shape[:2], np.uint8)
    cv2.circle(ink, (150, 120), 45, 255, 2)
    cv2.line(ink, (110, 80), (200, 170), 255, 1)
    cv2.ellipse(ink, (170, 110), (14, 8), 30, 0, 360, 255, -1)
    tattooed = skin.copy()
    tattooed[ink > 0] = (0.35 * skin[ink > 0] + 0.65 * np.array([40, 45, 70])).astype(np.uint8)
    return tattooed, ink > 0


def test_a_rough_brush_over_a_drawing_snaps_to_its_ink() -> None:
    photo, ink = _tattoo(_lit_skin())
    rough = np.zeros(ink.shape, np.uint8)
    cv2.ellipse(rough, (155, 125), (80, 70), 0, 0, 360, 255, -1)  # brushed well around it
    rough = rough > 0

    snapped = snap_to_ink(photo, rough)

    assert snapped[ink].mean() > 0.99                     # all the ink is covered
    assert snapped.sum() < 0.5 * rough.sum()              # and most of the plain skin is not
    near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((2 * HALO + 3,) * 2, np.uint8)) > 0
    assert not (snapped & ~near_ink).any()                # nothing beyond the halo


def test_skin_coloured_parts_that_ink_surrounds_count_as_tattoo() -> None:
    skin = _lit_skin()
    photo = skin.copy()
    ring = np.zeros(skin.shape[:2], np.uint8)
    cv2.circle(ring, (160, 120), 22, 255, 4)
    photo[ring > 0] = (40, 45, 70)
    highlight = np.zeros(skin.shape[:2], np.uint8)
    cv2.circle(highlight, (160, 120), 10, 255, -1)  # skin-coloured inside the drawing, as in a face
    brushed = np.zeros(skin.shape[:2], bool)
    brushed[60:180, 90:230] = True

    snapped = snap_to_ink(photo, brushed)

    assert snapped[highlight > 0].all() and snapped[ring > 0].all()
    assert snapped.sum() < 0.5 * brushed.sum()  # the skin outside the ring is left


def test_plain_skin_empty_and_whole_masks_are_refused() -> None:
    skin = _lit_skin()
    patch = np.zeros(skin.shape[:2], bool)
    patch[60:160, 80:220] = True
    with pytest.raises(NoInkFound, match="No ink found"):
        snap_to_ink(skin, patch)
    with pytest.raises(NoInkFound, match="empty"):
        snap_to_ink(skin, np.zeros(skin.shape[:2], bool))
    with pytest.raises(NoInkFound, match="whole photo"):
        snap_to_ink(skin, np.ones(skin.shape[:2], bool))
    with pytest.raises(ValueError, match="10x10 but the photo is 320x240"):
        snap_to_ink(skin, np.ones((10, 10), bool))


def test_a_real_tattoo_box_snaps_to_the_ink_and_leaves_skin() -> None:
    photo = np.asarray(Image.open(PHOTOS / "65_1.JPG").convert("RGB"))
    x1, y1, x2, y2 = (int(float(v)) for v in (PHOTOS / "65_1.txt").read_text().split()[:4])
    box = np.zeros(photo.shape[:2], bool)
    box[y1:y2, x1:x2] = True

    snapped = snap_to_ink(photo, box)

    dark_outline = box & (cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY) < 70)  # the cupcake's black outline
    assert dark_outline.sum() > 500 and snapped[dark_outline].mean() > 0.97
    assert snapped[box].mean() < 0.8  # the skin between and around the drawing is left
