"""Mask edits that are plain array maths (kept out of the Qt code)."""

from __future__ import annotations

import cv2
import numpy as np


def grow_mask(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Grow (``pixels > 0``) or shrink (``pixels < 0``) a ``(H, W)`` uint8 mask by a round
    structuring element; values stay 0 or 255."""
    if pixels == 0:
        return mask.copy()
    size = 2 * abs(pixels) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    binary = np.where(mask > 0, 255, 0).astype(np.uint8)
    if pixels > 0:
        return cv2.dilate(binary, kernel)
    # Pixels beyond the border do not erode (a mask touching the edge stays on the edge).
    return cv2.erode(binary, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=255)


def mask_bounds(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(left, top, right, bottom)`` of the non-zero pixels, or ``None`` when empty."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
