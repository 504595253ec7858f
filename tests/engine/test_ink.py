"""Snap to ink: a rough brush over a tattoo becomes a mask of its ink and a thin halo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from skingan_desktop.engine.anchor import halo_for
from skingan_desktop.engine.ink import NoInkFound, snap_to_ink
from tests.conftest import PHOTOS, drawn_tattoo, lit_skin


def test_a_rough_brush_over_a_drawing_snaps_to_its_ink() -> None:
    photo, ink = drawn_tattoo(lit_skin())
    rough = np.zeros(ink.shape, np.uint8)
    cv2.ellipse(rough, (155, 125), (80, 70), 0, 0, 360, 255, -1)  # brushed well around it
    rough = rough > 0

    snapped = snap_to_ink(photo, rough)

    assert snapped[ink].mean() > 0.99                     # all the ink is covered
    assert snapped.sum() < 0.5 * rough.sum()              # and most of the plain skin is not
    halo = halo_for(photo.shape)
    near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((2 * halo + 3,) * 2, np.uint8)) > 0
    assert not (snapped & ~near_ink).any()                # nothing beyond the halo


def test_the_halo_grows_with_the_photo() -> None:
    """The ink's soft edge spans as much of the skin on a 24 MP photo as on a small one: the
    halo is a share of the photo's size, not a fixed count of pixels."""
    photo, ink = drawn_tattoo(lit_skin())
    rough = cv2.dilate(ink.astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    big_photo = cv2.resize(photo, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    big_rough = cv2.resize(rough.astype(np.uint8), None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST) > 0

    small, big = snap_to_ink(photo, rough), snap_to_ink(big_photo, big_rough)

    assert halo_for(big_photo.shape) > 2 * halo_for(photo.shape)
    assert abs(big.sum() / 16 - small.sum()) < 0.25 * small.sum()  # the same share of the photo


def test_skin_coloured_parts_that_ink_surrounds_count_asdrawn_tattoo() -> None:
    skin = lit_skin()
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
    skin = lit_skin()
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
