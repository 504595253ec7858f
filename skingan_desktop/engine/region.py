"""Work regions around the masked areas of a photo, and pasting results back into it.

A 24-50 MP photo is never sent to the generator whole: each cluster of masked pixels gets a
region about twice its size (at least ``min_side`` where the photo allows); regions that
overlap are merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class WorkRegion:
    """A rectangle of the photo, ``[left, right) x [top, bottom)`` in pixels."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def slices(self) -> tuple[slice, slice]:
        """Index a ``(H, W, ...)`` array with this to get the region."""
        return slice(self.top, self.bottom), slice(self.left, self.right)

    def overlaps(self, other: "WorkRegion") -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


def _grow_span(start: int, end: int, limit: int, context: float, min_side: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to ``max(size * context, min_side)``, centred, kept inside ``[0, limit)``."""
    size = end - start
    target = min(limit, max(int(round(size * context)), min_side, size))
    new_start = start - (target - size) // 2
    new_start = max(0, min(new_start, limit - target))
    return new_start, new_start + target


def grow_box(box: WorkRegion, photo_size: tuple[int, int], context: float, min_side: int) -> WorkRegion:
    width, height = photo_size
    left, right = _grow_span(box.left, box.right, width, context, min_side)
    top, bottom = _grow_span(box.top, box.bottom, height, context, min_side)
    return WorkRegion(left, top, right, bottom)


def _union(a: WorkRegion, b: WorkRegion) -> WorkRegion:
    return WorkRegion(min(a.left, b.left), min(a.top, b.top), max(a.right, b.right), max(a.bottom, b.bottom))


def work_regions(hole: np.ndarray, *, context: float = 2.0, min_side: int = 512) -> list[WorkRegion]:
    """Regions to inpaint for ``hole`` (``(H, W)`` bool), sorted top-left first.

    Each connected cluster's bounding box is grown to ``context`` times its size (at least
    ``min_side``, clamped to the photo); clusters whose regions overlap share one region.
    """
    height, width = hole.shape
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    if rows.size == 0:
        return []
    # Clusters are found in the hole's box only: on a 26 MP photo that is a fraction of the pixels.
    top, left = int(rows[0]), int(cols[0])
    inside = hole[top:rows[-1] + 1, left:cols[-1] + 1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(inside.astype(np.uint8), connectivity=8)
    boxes = [WorkRegion(int(x) + left, int(y) + top, int(x + w) + left, int(y + h) + top)
             for x, y, w, h, _ in stats[1:count]]
    # Merge until no two grown regions overlap; each merge regrows from the union of the boxes.
    merged = True
    while merged:
        merged = False
        grown = [grow_box(b, (width, height), context, min_side) for b in boxes]
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                if grown[i].overlaps(grown[j]):
                    boxes[i] = _union(boxes[i], boxes.pop(j))
                    merged = True
                    break
            if merged:
                break
    regions = [grow_box(b, (width, height), context, min_side) for b in boxes]
    return sorted(regions, key=lambda r: (r.top, r.left))


def seam_weights(hole: np.ndarray, feather: int) -> np.ndarray:
    """``(h, w)`` float32 blend weights for the fill: 1 inside the hole, falling linearly to 0
    over ``feather`` pixels outside it. ``feather=0`` is the hole itself."""
    if feather <= 0:
        return hole.astype(np.float32)
    distance = cv2.distanceTransform((~hole).astype(np.uint8), cv2.DIST_L2, 5)
    return np.clip(1.0 - distance / float(feather + 1), 0.0, 1.0).astype(np.float32)


def paste(photo: np.ndarray, region: WorkRegion, fill: np.ndarray, hole: np.ndarray, feather: int = 0) -> np.ndarray:
    """A copy of ``photo`` with ``fill`` (the region's generated pixels) blended in where the
    region's ``hole`` is; with ``feather=0`` every pixel outside the hole stays bit for bit."""
    out = photo.copy()
    rows, cols = region.slices
    target = out[rows, cols]
    if feather <= 0:
        np.copyto(target, fill, where=hole[..., None])
        return out
    weights = seam_weights(hole, feather)[..., None]
    blended = weights * fill.astype(np.float32) + (1 - weights) * target.astype(np.float32)
    touched = weights[..., 0] > 0
    target[touched] = np.round(blended[touched]).astype(photo.dtype)
    return out
