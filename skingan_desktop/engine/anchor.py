"""The ring of real skin a fill is anchored on, free of the ink's tint.

A fill continues the pixels around the hole. Where the mask stops a little short of a tattoo's
soft edge, those pixels are still greyed or blued by ink, and the fill carries the tint inwards:
a ghost of the tattoo in the cleaned skin. Ring pixels darker than the skin just beyond them by
a clear colour distance therefore join the hole *for the generator and the tone* (they are
redone from the skin further out); the fill is still only pasted inside the user's mask, so no
pixel outside it changes.
"""

from __future__ import annotations

import cv2
import numpy as np

from .membrane import ESTIMATE_CYCLES, membrane_fill
from .tensors import touched

HALO_SHARE = 1 / 160      # the ink's soft edge: 3 px on a 480 px photo, as a share of the long side
MIN_HALO = 3
TINT_DIFFERENCE = 7.0     # CIELAB distance from the skin beyond (blurred a pixel), above which a ring pixel is tinted
TINT_DARKER = 3.0         # ... and it must be this much darker (ink darkens skin; light hair, shine do not)
TINT_AREA = 4             # a tint runs along the ink: pieces smaller than this many squared bands are
                          # freckles, pores or hairs, and stay (the ring is the fill's best guide)
WORK_SIDE = 768           # the tint is judged on the region shrunk to this long side at most


def halo_for(shape: tuple[int, ...]) -> int:
    """The width of an ink's soft edge on a photo of ``shape``: it scales with the photo."""
    return max(MIN_HALO, round(HALO_SHARE * max(shape[:2])))


def tinted_ring(photo: np.ndarray, hole: np.ndarray, band: int) -> np.ndarray:
    """``(H, W)`` bool: the pixels of the ``band``-px ring around ``hole`` whose colour is off
    from the skin beyond them (the membrane fill of hole and ring) by ``TINT_DIFFERENCE`` and
    darker, joined to the hole through tinted pixels, in pieces of ``TINT_AREA`` squared bands
    or more, and one pixel beyond."""
    height, width = hole.shape
    scale = min(1.0, WORK_SIDE / max(height, width))
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small_photo = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
        small_hole = touched(hole, size)
        small = tinted_ring(small_photo, small_hole, max(1, round(band * scale)))
        tinted = cv2.resize(small.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
        return tinted & ~hole
    ring = _ring(hole, band)
    if not ring.any() or (hole | ring).all():
        return np.zeros_like(hole)
    skin = membrane_fill(photo, hole | ring, ESTIMATE_CYCLES)
    lab_photo = cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_skin = cv2.cvtColor(skin, cv2.COLOR_RGB2LAB).astype(np.float32)
    delta = lab_photo - lab_skin
    delta[..., 0] *= 100 / 255  # OpenCV stores L in 0-255; a and b are in CIELAB units
    # Tint spreads over pixels, grain does not: judge the difference a little blurred.
    delta = cv2.GaussianBlur(delta * ring[..., None], (0, 0), 0.7) / np.maximum(
        cv2.GaussianBlur(ring.astype(np.float32), (0, 0), 0.7), 1e-3)[..., None]
    tint = ring & (np.sqrt((delta**2).sum(-1)) > TINT_DIFFERENCE) & (delta[..., 0] < -TINT_DARKER)
    count, labels = cv2.connectedComponents((tint | hole).astype(np.uint8), connectivity=4)
    touching = np.unique(labels[hole])
    tint &= np.isin(labels, touching[touching > 0])
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(tint.astype(np.uint8), connectivity=8)
    tint &= (stats[:, cv2.CC_STAT_AREA] >= TINT_AREA * band * band)[pieces] & (pieces > 0)
    # The tint fades out: its last pixel reads as skin. Take one more.
    return (cv2.dilate(tint.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & ring


def anchored_hole(photo: np.ndarray, hole: np.ndarray, band: int | None = None) -> np.ndarray:
    """``hole`` and the :func:`tinted_ring` pixels around it (``band``: default
    :func:`halo_for` the photo): what the generator and the tone redo."""
    if not hole.any():
        return hole.copy()
    return hole | tinted_ring(photo, hole, halo_for(photo.shape) if band is None else band)


def _ring(hole: np.ndarray, band: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    return (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & ~hole
