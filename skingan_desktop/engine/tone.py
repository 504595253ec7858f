"""Tone matching for fills: keep the generator's texture, take the low frequencies from the
surrounding skin.

A short-trained generator gets skin texture right before it gets colour right (fills come out
pinkish or grey). This replaces the fill's low frequencies with those of a smooth classical
fill (OpenCV Telea at reduced size), which only knows the surrounding skin, and keeps the
generator's high frequencies. Outside the hole nothing changes.
"""

from __future__ import annotations

import cv2
import numpy as np


def match_fill_tone(original: np.ndarray, filled: np.ndarray, hole: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """``filled`` (``(H, W, 3)`` uint8, the composite) with its low frequencies inside ``hole``
    replaced by those of a smooth fill of ``original``. ``sigma`` (pixels) defaults to 2 % of
    the long side, at least 2."""
    if not hole.any():
        return filled.copy()
    height, width = hole.shape
    sigma = sigma or max(2.0, 0.02 * max(height, width))
    scale = min(1.0, 256 / max(height, width))
    small_size = (max(8, round(width * scale)), max(8, round(height * scale)))
    small = cv2.resize(original, small_size, interpolation=cv2.INTER_AREA)
    # Any touched pixel stays hole at the small size, then one more pixel against bleeding.
    small_hole = (cv2.resize(hole.astype(np.float32), small_size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    small_hole = cv2.dilate(small_hole, np.ones((3, 3), np.uint8))
    smooth = cv2.inpaint(small, small_hole * 255, 3, cv2.INPAINT_TELEA)
    smooth = cv2.resize(smooth, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    reference = np.where(hole[..., None], smooth, original.astype(np.float32))
    values = filled.astype(np.float32)
    low_target = cv2.GaussianBlur(reference, (0, 0), sigma)
    low_fill = cv2.GaussianBlur(values, (0, 0), sigma)
    corrected = values + (low_target - low_fill)
    out = filled.copy()
    out[hole] = np.clip(np.round(corrected[hole]), 0, 255).astype(np.uint8)
    return out
