"""The clone stamp's pixels: another part of the photo laid over the painted area.

The source is the photo at a fixed offset from the brush (Photoshop's "aligned" clone): the
offset is set by the first stroke after the source point is chosen and kept for the strokes
after it. The painted alpha blends source over target, so a soft brush leaves no edge. Source
pixels beyond the photo's border are not invented: the target stays there.
"""

from __future__ import annotations

import numpy as np

from .region import WorkRegion


def cloned(photo: np.ndarray, area: WorkRegion, alpha: np.ndarray, offset: tuple[int, int]) -> np.ndarray:
    """``photo[area]`` (``(h, w, 3)`` uint8) with the pixels ``offset = (dx, dy)`` away laid
    over it by ``alpha`` (``(h, w)`` float, 0-1); ``photo`` itself is not changed."""
    if alpha.shape != (area.height, area.width):
        raise ValueError(f"The stroke is {alpha.shape[1]}x{alpha.shape[0]} but the area is {area.width}x{area.height}.")
    height, width = photo.shape[:2]
    dx, dy = offset
    target = photo[area.slices]
    out = target.copy()
    # The part of the area whose source lies inside the photo.
    left, top = max(area.left, -dx), max(area.top, -dy)
    right, bottom = min(area.right, width - dx), min(area.bottom, height - dy)
    if left >= right or top >= bottom:
        return out
    inside = (slice(top - area.top, bottom - area.top), slice(left - area.left, right - area.left))
    source = photo[top + dy:bottom + dy, left + dx:right + dx].astype(np.float32)
    weight = np.clip(alpha[inside], 0.0, 1.0)[..., None].astype(np.float32)
    here = target[inside].astype(np.float32)
    painted = weight[..., 0] > 0
    blended = np.round(here + weight * (source - here)).astype(np.uint8)
    out[inside] = np.where(painted[..., None], blended, target[inside])
    return out
