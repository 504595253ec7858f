"""Add the ink around a clicked point to a mask: for the part of a tattoo a mask missed (a bird's
eye, a shadow), where snap to ink, which only narrows a mask, cannot help.

Around the click, a disc of skin and ink is compared with the skin's colour continued inwards
(``engine/ink.py``'s difference, the membrane fill of the disc); the piece of ink the click is on
(or the nearest within a few pixels) is kept whole, with its weaker fringe, and grown by the ink
halo. Where the piece reaches the disc's edge the ink goes on, so the disc is taken twice as
large, up to ``MAX_GROWTHS`` times. Pure numpy and OpenCV: no Qt, no model.
"""

from __future__ import annotations

import cv2
import numpy as np

from .anchor import halo_for
from .ink import MIN_INK_DIFFERENCE, WEAK_SHARE, NoInkFound, ink_difference
from .mask_ops import grow_mask

REACH_SHARE = 0.06   # the first disc's radius, as a share of the photo's long side
MIN_REACH = 24       # ... and at least this many pixels
MAX_GROWTHS = 3      # the disc doubles at most this many times while the ink reaches its edge
SNAP_DISTANCE = 6    # a click this close to ink counts as on it
NO_INK_HERE = "No ink found where you clicked: it looks like the skin around it. The mask is unchanged."


def ink_at(photo: np.ndarray, point: tuple[int, int], mask: np.ndarray) -> np.ndarray:
    """``mask`` (``(H, W)`` bool) with the piece of ink at ``point`` (``(x, y)``) of ``photo``
    (``(H, W, 3)`` uint8) and its halo added. Raises :class:`NoInkFound` when there is no ink
    there."""
    height, width = photo.shape[:2]
    x, y = point
    if not (0 <= x < width and 0 <= y < height):
        raise NoInkFound("The click is outside the photo.")
    reach = max(MIN_REACH, round(REACH_SHARE * max(height, width)))
    for _ in range(MAX_GROWTHS + 1):
        piece, at_edge = _piece_in_disc(photo, (x, y), reach)
        if not at_edge or reach >= max(height, width):
            break
        reach *= 2
    halo = halo_for(photo.shape)
    return mask | (grow_mask(piece.astype(np.uint8) * 255, halo) > 0)


def _piece_in_disc(photo: np.ndarray, point: tuple[int, int], reach: int) -> tuple[np.ndarray, bool]:
    """The ink piece at ``point`` within the disc of radius ``reach`` around it (``(H, W)``
    bool), and whether it touches the disc's edge."""
    height, width = photo.shape[:2]
    x, y = point
    top, bottom = max(0, y - reach - 2), min(height, y + reach + 3)
    left, right = max(0, x - reach - 2), min(width, x + reach + 3)
    window = np.ascontiguousarray(photo[top:bottom, left:right])
    yy, xx = np.mgrid[top:bottom, left:right]
    disc = (yy - y) ** 2 + (xx - x) ** 2 <= reach**2
    if disc.all():  # the disc covers its whole window: no skin around it to compare with
        disc[[0, -1], :] = disc[:, [0, -1]] = False
    difference = ink_difference(window, disc)
    values = np.clip(np.round(difference[disc]), 0, 255).astype(np.uint8)
    otsu, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = max(float(otsu), MIN_INK_DIFFERENCE)
    weak = (difference > WEAK_SHARE * threshold).astype(np.uint8)
    count, labels, _, _ = cv2.connectedComponentsWithStats(weak, connectivity=8)
    local = (y - top, x - left)
    label = _label_near(labels, difference > threshold, local)
    if label == 0:
        raise NoInkFound(NO_INK_HERE)
    piece = labels == label
    rim = disc & ~(cv2.erode(disc.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    out = np.zeros((height, width), bool)
    out[top:bottom, left:right] = piece
    return out, bool((piece & rim).any())


def _label_near(labels: np.ndarray, strong: np.ndarray, at: tuple[int, int]) -> int:
    """The label of the weak-ink piece holding strong ink at ``at`` or nearest to it within
    ``SNAP_DISTANCE`` pixels; 0 for none."""
    row, col = at
    top, left = max(0, row - SNAP_DISTANCE), max(0, col - SNAP_DISTANCE)
    near_labels = labels[top:row + SNAP_DISTANCE + 1, left:col + SNAP_DISTANCE + 1]
    near_strong = strong[top:row + SNAP_DISTANCE + 1, left:col + SNAP_DISTANCE + 1] & (near_labels > 0)
    if not near_strong.any():
        return 0
    rows, cols = np.nonzero(near_strong)
    nearest = np.argmin((rows + top - row) ** 2 + (cols + left - col) ** 2)
    return int(near_labels[rows[nearest], cols[nearest]])
