"""What the finder learns from: per-pixel labels made from a photo's tattoo boxes.

A box (``NAME.txt``: ``x1 y1 x2 y2`` per line) says where a tattoo is, not which pixels are ink:
inside it, snap-to-ink (``engine/ink.py``, the app's own tool) picks the ink and its halo, which
is what the finder must mask. The rest of a box is skin between the lines, a weaker negative
(masking it is harmless: it is inside the tattoo's area); a thin ring around each box is left
out, since boxes are drawn by hand; everything else is a negative, skin and background alike.
"""

from __future__ import annotations

import numpy as np

from ..engine.ink import NoInkFound, snap_to_ink

NOT_TATTOO, TATTOO, SKIN_IN_BOX, UNKNOWN = 0, 1, 2, 255
RING = 4  # pixels around a hand-drawn box whose label is not trusted

Box = tuple[int, int, int, int]


def clipped(box: Box, shape: tuple[int, ...]) -> Box | None:
    """``box`` clipped to a photo of ``shape``, or ``None`` where nothing of it is inside."""
    x1, y1, x2, y2 = box
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(shape[1], x2), min(shape[0], y2)
    return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def box_ink(photo: np.ndarray, box: Box) -> np.ndarray:
    """``(H, W)`` bool: the ink of the tattoo in ``box`` with its halo, never beyond the box;
    the whole box where snap-to-ink finds nothing to tell apart (a box filled with ink)."""
    x1, y1, x2, y2 = box
    area = np.zeros(photo.shape[:2], bool)
    area[y1:y2, x1:x2] = True
    try:
        return snap_to_ink(photo, area) & area
    except NoInkFound:
        return area


def finder_labels(photo: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """``(H, W)`` uint8 of :data:`TATTOO`, :data:`SKIN_IN_BOX`, :data:`NOT_TATTOO` and
    :data:`UNKNOWN` for ``photo`` ``(H, W, 3)`` and its tattoo ``boxes``."""
    labels = np.full(photo.shape[:2], NOT_TATTOO, np.uint8)
    inside = [b for b in (clipped(box, photo.shape) for box in boxes) if b is not None]
    for x1, y1, x2, y2 in inside:
        labels[max(0, y1 - RING):y2 + RING, max(0, x1 - RING):x2 + RING] = UNKNOWN
    for x1, y1, x2, y2 in inside:
        labels[y1:y2, x1:x2] = np.where(labels[y1:y2, x1:x2] == TATTOO, TATTOO, SKIN_IN_BOX)
    for box in inside:
        labels[box_ink(photo, box)] = TATTOO
    return labels
