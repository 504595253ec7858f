"""The skin's mottle deep in a large fill: the middle band of detail the membrane lacks.

Deep in a whole tattoo's box the tone comes from the harmonic membrane (``engine/tone.py``),
which is flat at every scale, and the grain laid over it is only the finest band. Skin between
the two, a few working pixels across (redness, freckling, the shading of pores in clusters), is
missing there, and a large fill reads as a blurred patch in textured skin (129_1, 114_1, 6_1 at
100 %). Where the hole is that deep the mottle is laid back: a random field with the ring's own
statistics in that band, its colours included (skin's mottle is redder or browner where it is
darker, not grey).

The band is the detail between Gaussians of the tone's cut (``engine/tone.py``'s
``TEXTURE_SIGMA``, where the grain takes over) and ``MOTTLE_SCALE`` times that,
relative to the coarser one, as the grain is. Its 3x3 colour covariance is measured on the ring
of the skin the hole lies on, leaving out pixels whose band is an outlier (a hair, a fleck of
ink, a limb's edge), and three independent band-passed white noises are mixed by the
covariance's square root. A random field, not copies: copied at this scale, tiles of real skin
printed their ink flecks and hairs as dark blotches (158_1) and their tiles' grid.

Made at the working size (the band is coarser than a working pixel) and enlarged with the tone.
"""

from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from .grain import LUMA, known_low_pass, robust_spread

MOTTLE_SCALE = 4.0    # the band's coarse end, this many times its fine end (the cut between tone and grain)
# Working px: the mottle grows from nothing this deep into the hole to full at twice this. The
# flat look shows in large holes only; on the fill benchmark's held-out cases (most of them
# shallower), laid from the edge it cost 0.57 dB and 0.05 SSIM, from this depth 0.01 dB.
MOTTLE_DEPTH = 12.0
RING_REACH = 8.0      # the ring it is measured on reaches this many coarse ends (48 working px) out
MIN_SAMPLES = 64      # fewer ring pixels than this tell nothing: no mottle
# The luma's relative deviation in the band at most: a hand's ring (wrinkles, veins, a knuckle's
# shading) measures 0.05, structure rather than mottle, and noise that strong read as dirt (75_1);
# the ring of a forearm, a back or a thigh measures 0.01 to 0.02.
MAX_MOTTLE = 0.025
OUTLIER_DEVIATIONS = 3.0  # robust deviations of the band's luma beyond which a ring pixel is left out


def skin_mottle(photo: np.ndarray, redone: np.ndarray, sigma: float, skin: Optional[np.ndarray] = None,
                share: Optional[np.ndarray] = None, seed: int = 0) -> Optional[np.ndarray]:
    """The relative mottle coarser than ``sigma`` px (``(h, w, 3)`` float32: the fill's tone is
    to be multiplied by one plus it) for the ``redone`` pixels (``(h, w)`` bool) of ``photo``
    (``(h, w, 3)``, at the working size), 0 outside them and in their first ``MOTTLE_DEPTH``
    px; ``None`` where the hole is nowhere that deep or its ring is too small to measure.
    ``skin`` (``(h, w)`` bool) marks the known pixels of the skin the hole lies on (default:
    every known pixel), ``share`` (``(h, w)``) how much of each hole pixel is that skin
    (default: all of it)."""
    depth = cv2.distanceTransform(redone.astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.clip(depth / MOTTLE_DEPTH - 1, 0, 1)
    if share is not None:
        weight *= share
    if not weight.any():
        return None
    root = _band_covariance_root(photo, redone, skin, sigma)
    if root is None:
        return None
    return (_band_noise(redone.shape, sigma, seed) @ root.T) * weight[..., None]


def _band_covariance_root(photo: np.ndarray, redone: np.ndarray, skin: Optional[np.ndarray],
                          sigma: float) -> Optional[np.ndarray]:
    """The square root (``(3, 3)``) of the colour covariance of the band's relative detail on
    the skin's ring; ``None`` when too little of it is seen."""
    known = ~redone
    rgb = photo.astype(np.float32)
    coarse_sigma = sigma * MOTTLE_SCALE
    fine, fine_known = known_low_pass(rgb, known, sigma)
    coarse, coarse_known = known_low_pass(rgb, known, coarse_sigma)
    band = fine / np.maximum(coarse, 1.0) - 1
    reach = cv2.distanceTransform(known.astype(np.uint8), cv2.DIST_L2, 3)
    # Only pixels whose two blurs see no hole: the hole's edge is no texture.
    ring = known & (fine_known > 0.95) & (coarse_known > 0.95) & (reach < RING_REACH * coarse_sigma)
    if skin is not None:
        ring &= skin
    samples = band[ring]
    if len(samples) < MIN_SAMPLES:
        return None
    luma = samples @ LUMA
    samples = samples[np.abs(luma - np.median(luma)) <= OUTLIER_DEVIATIONS * robust_spread(luma)]
    if len(samples) < MIN_SAMPLES:
        return None
    covariance = np.cov(samples, rowvar=False)
    luma_deviation = float(np.sqrt(LUMA @ covariance @ LUMA))
    if luma_deviation > MAX_MOTTLE:
        covariance *= (MAX_MOTTLE / luma_deviation) ** 2
    values, vectors = np.linalg.eigh(covariance)
    return ((vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T).astype(np.float32)


def _band_noise(shape: tuple[int, int], sigma: float, seed: int) -> np.ndarray:
    """Three independent white noises (``(h, w, 3)`` float32) passed through the band, each of
    unit deviation."""
    rng = np.random.default_rng(seed)
    coarse_sigma = sigma * MOTTLE_SCALE
    margin = int(np.ceil(3 * coarse_sigma))  # the blurs see noise, not a mirrored border
    height, width = shape
    fields = []
    for _ in range(3):
        noise = rng.standard_normal((height + 2 * margin, width + 2 * margin)).astype(np.float32)
        field = cv2.GaussianBlur(noise, (0, 0), sigma) - cv2.GaussianBlur(noise, (0, 0), coarse_sigma)
        field = field[margin:margin + height, margin:margin + width]
        fields.append(field / max(float(field.std()), 1e-9))
    return np.stack(fields, axis=-1)
