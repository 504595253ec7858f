"""Measures of a fill against the truth, inside the hole, beyond PSNR, SSIM and texture gap
(``evaluate.py``): the mean colour's CIELAB distance, the lattice excess and the limb contour."""

from __future__ import annotations

import math

import cv2
import numpy as np

LATTICE_PERIOD = 8
MIN_LATTICE_PIXELS = 1024  # below this the phase means are mostly noise: no reading


def to_lab(photo: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB -> float32 CIELAB (L 0-100, a and b in their own units)."""
    return cv2.cvtColor(photo.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


def mean_colour_delta_e(truth: np.ndarray, result: np.ndarray, hole: np.ndarray) -> float:
    """CIELAB distance (ΔE 1976) between the mean colour of the fill and of the truth in ``hole``."""
    return float(np.linalg.norm(to_lab(truth)[hole].mean(axis=0) - to_lab(result)[hole].mean(axis=0)))


def lattice_share(photo: np.ndarray, region: np.ndarray, period: int = LATTICE_PERIOD) -> float:
    """The share of ``photo``'s high-pass luma energy in ``region`` that repeats with
    ``period`` pixels: the mean of each of the ``period**2`` phases (pixels with the same
    ``(y, x) mod period``), squared and weighted by its count, over the total energy."""
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float64)
    detail = gray - cv2.GaussianBlur(gray, (0, 0), period / 2)
    rows, cols = np.nonzero(region)
    values = detail[rows, cols]
    values = values - values.mean()
    phase = (rows % period) * period + cols % period
    counts = np.bincount(phase, minlength=period * period)
    sums = np.bincount(phase, weights=values, minlength=period * period)
    periodic = float(np.sum(sums[counts > 0] ** 2 / counts[counts > 0]))
    return periodic / max(float(np.sum(values**2)), 1e-9)


def lattice_shares(truth: np.ndarray, result: np.ndarray, hole: np.ndarray,
                   period: int = LATTICE_PERIOD) -> tuple[float, float]:
    """:func:`lattice_share` of the fill and of the true pixels, in the hole less its edge
    pixels; ``nan`` for holes too small to tell. Both carry the same noise floor (about
    ``period**2`` over the pixel count), so the lattice excess is the ratio of their means over
    many holes (:func:`lattice_excess`): 1.0 = no more of a ``period``-px lattice than real skin."""
    inner = cv2.erode(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if inner.sum() < MIN_LATTICE_PIXELS:
        return math.nan, math.nan
    return lattice_share(result, inner, period), lattice_share(truth, inner, period)


def lattice_excess(fill_shares: list[float], truth_shares: list[float]) -> float:
    """The mean lattice share of the fills over that of the truths, over the holes big enough
    to tell (``nan`` where there are none)."""
    pairs = [(f, t) for f, t in zip(fill_shares, truth_shares) if not (math.isnan(f) or math.isnan(t))]
    if not pairs:
        return math.nan
    return float(np.mean([f for f, _ in pairs]) / max(np.mean([t for _, t in pairs]), 1e-9))


def contour_iou(truth: np.ndarray, result: np.ndarray, hole: np.ndarray, skin: np.ndarray,
                ring: int = 8) -> float:
    """How well the fill continues a limb's contour across ``hole``: the pixels of the ring
    around the hole (``ring`` px wide) are split into skin and the rest by ``skin`` (the
    truth's skin map); every hole pixel of the truth and of the fill is given the class whose
    mean CIELAB colour in the ring is nearer; the score is the intersection over union of the
    two skin areas (1 = the contour runs where the truth's does). ``nan`` when the ring does not
    hold both classes."""
    around = (cv2.dilate(hole.astype(np.uint8), np.ones((2 * ring + 1, 2 * ring + 1), np.uint8)) > 0) & ~hole
    skin_ring, other_ring = around & skin, around & ~skin
    if skin_ring.sum() < 20 or other_ring.sum() < 20:
        return math.nan
    lab_truth = to_lab(cv2.GaussianBlur(truth, (0, 0), 1.0))
    means = np.stack([lab_truth[skin_ring].mean(axis=0), lab_truth[other_ring].mean(axis=0)])

    def skin_side(photo_lab: np.ndarray) -> np.ndarray:
        values = photo_lab[hole]
        distances = np.linalg.norm(values[:, None, :] - means[None], axis=-1)
        return distances[:, 0] < distances[:, 1]

    a, b = skin_side(lab_truth), skin_side(to_lab(cv2.GaussianBlur(result, (0, 0), 1.0)))
    union = np.sum(a | b)
    return float(np.sum(a & b) / union) if union else 1.0
