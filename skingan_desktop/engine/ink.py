"""Snap a rough mask to the tattoo ink inside it.

A retoucher brushes roughly over a tattoo; this keeps the pixels of that area whose colour is
off from the skin around it, and grows them by a halo so that no fringe of ink is left for the
generator to grow the tattoo back from. The skin's colour at every masked pixel is the membrane
fill of the area (``engine/membrane.py``): the skin around, continued smoothly inwards, shading
included. Ink is where the photo differs from it by more than a threshold that separates the two
kinds of pixels (Otsu's, with a floor so that plain skin is never called ink), with hysteresis so
that the fine lines of a drawing stay joined. Gaps that ink surrounds on every side count as
tattoo too: skin-coloured highlights of a drawing would otherwise stay in the photo. Pure numpy
and OpenCV: no Qt, no model.
"""

from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from .anchor import halo_for
from .mask_ops import grow_mask, mask_bounds
from .membrane import membrane_fill

MIN_INK_DIFFERENCE = 12.0   # CIELAB distance below which a pixel is skin whatever Otsu says
WEAK_SHARE = 0.5            # hysteresis: pixels above this share of the threshold join strong ink
MIN_SPECK = 6               # ink pieces smaller than this (pixels) are noise
ENCLOSED_SHARE = 0.1        # gaps that ink surrounds count as tattoo up to this share of the area
NO_INK = "No ink found under the mask: it looks like the skin around it. The mask is unchanged."


class NoInkFound(ValueError):
    """Raised when nothing inside the rough mask stands out from the skin around it."""


def ink_difference(photo: np.ndarray, rough: np.ndarray) -> np.ndarray:
    """``(H, W)`` float32: how far each pixel's colour is from the skin's (CIELAB distance to the
    membrane fill of ``rough``); 0 outside ``rough``."""
    skin = membrane_fill(photo, rough)
    lab_photo = cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_skin = cv2.cvtColor(skin, cv2.COLOR_RGB2LAB).astype(np.float32)
    delta = lab_photo - lab_skin
    delta[..., 0] *= 100 / 255  # OpenCV stores L in 0-255; a and b are already in CIELAB units
    difference = np.sqrt((delta**2).sum(axis=-1))
    difference[~rough] = 0
    return difference


def snap_to_ink(photo: np.ndarray, rough: np.ndarray, *, halo: Optional[int] = None) -> np.ndarray:
    """The ink inside ``rough`` (``(H, W)`` bool, the area brushed over) of ``photo`` (``(H, W,
    3)`` uint8), grown by ``halo`` pixels but never beyond ``rough`` grown by as much: an
    ``(H, W)`` bool mask. Raises :class:`NoInkFound` when the area holds no ink."""
    if rough.shape != photo.shape[:2]:
        raise ValueError(f"The mask is {rough.shape[1]}x{rough.shape[0]} but the photo is "
                         f"{photo.shape[1]}x{photo.shape[0]}.")
    bounds = mask_bounds(rough)
    if bounds is None:
        raise NoInkFound("The mask is empty: brush roughly over the tattoo first.")
    if rough.all():
        raise NoInkFound("The mask covers the whole photo: there is no skin around it to compare with.")
    # Work in the area's box with a margin for the halo and the skin around it.
    left, top, right, bottom = bounds
    halo = halo_for(photo.shape) if halo is None else halo
    margin = halo + 2
    top, left = max(top - margin, 0), max(left - margin, 0)
    bottom, right = min(bottom + margin, rough.shape[0]), min(right + margin, rough.shape[1])
    box = (slice(top, bottom), slice(left, right))
    area = rough[box]
    difference = ink_difference(np.ascontiguousarray(photo[box]), area)

    values = np.clip(np.round(difference[area]), 0, 255).astype(np.uint8)
    otsu, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = max(float(otsu), MIN_INK_DIFFERENCE)
    strong = difference > threshold
    if not strong.any():
        raise NoInkFound(NO_INK)
    weak = (difference > WEAK_SHARE * threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(weak, connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[strong])] = True
    keep &= stats[:, cv2.CC_STAT_AREA] >= MIN_SPECK
    keep[0] = False
    ink = keep[labels]
    if not ink.any():
        raise NoInkFound(NO_INK)

    ink = cv2.morphologyEx(ink.astype(np.uint8) * 255, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)) > 0
    ink |= _enclosed_gaps(ink, area)
    snapped = (grow_mask(ink.astype(np.uint8) * 255, halo) > 0) & (grow_mask(area.astype(np.uint8) * 255, halo) > 0)
    out = np.zeros_like(rough)
    out[box] = snapped
    return out


def _enclosed_gaps(ink: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Pieces of ``area`` that are not ink but that ink surrounds on every side, up to
    ``ENCLOSED_SHARE`` of the area each: skin-coloured parts of the drawing (highlights, faces),
    which would otherwise be left standing in the fill."""
    gaps = (area & ~ink).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(gaps, connectivity=4)
    open_to_skin = cv2.dilate((~area).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    open_to_skin[[0, -1], :] = open_to_skin[:, [0, -1]] = True  # beyond the photo's edge counts as open
    enclosed = np.ones(count, bool)
    enclosed[np.unique(labels[open_to_skin & (gaps > 0)])] = False
    enclosed &= stats[:, cv2.CC_STAT_AREA] <= ENCLOSED_SHARE * area.sum()
    enclosed[0] = False
    return enclosed[labels]

