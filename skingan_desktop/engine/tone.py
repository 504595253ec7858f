"""Frequency separation for fills: tone from a diffusion fill, texture from the generator.

This is the retoucher's frequency-separation technique applied to inpainting. A diffusion fill
(OpenCV Navier-Stokes) gets the tone of the hole right -- colour and shading continue smoothly
from the skin around it -- but has no texture, so it looks like plastic. A generator trained for
texture (SkinGAN models, flagged in their weights file) supplies the grain. Inside the hole the
fill becomes::

    blur(diffusion fill) + strength * ramp * (generator fill - blur(generator fill))

with a Gaussian blur of ``sigma`` pixels at the generator's working resolution. ``strength``
scales the grain (1 = as generated). ``ramp`` fades the grain in over the hole's first pixels:
right beside real skin the diffusion fill is anchored to its neighbours and already close to the
truth, so invented grain there only adds error; it matters further in. Outside the hole nothing
changes.

A generator that upsamples by strided steps tends to print a faint pattern that repeats every
``2**n_downsampling`` pixels (the "checkerboard" of transposed convolutions), most visible far
inside large holes where it has least to go on. Real grain has no such lattice, so the part of
the texture that repeats with that period, estimated locally, is taken out
(:func:`remove_lattice_pattern`).
"""

from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

TEXTURE_SIGMA = 1.5      # pixels at the working resolution: finer detail comes from the generator
DIFFUSION_RADIUS = 5     # OpenCV inpainting radius of the diffusion fill
TEXTURE_RAMP = 2.0       # pixels over which the grain fades in, after the hole's first pixel
DEFAULT_TEXTURE_STRENGTH = 0.75  # chosen on the training subjects (model card)
LATTICE_PERIOD = 8       # 2**n_downsampling of LaMa's generators
LATTICE_SIGMA = 2.0      # lattice cells over which the repeating pattern is estimated
LATTICE_PRIOR = 8.0      # samples at which an estimate is trusted by half


def texture_ramp(hole: np.ndarray) -> np.ndarray:
    """``(H, W)`` float32 weights: 0 on the hole's edge pixels and outside it, rising to 1 at
    ``TEXTURE_RAMP`` pixels further in."""
    distance = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip((distance - 1) / TEXTURE_RAMP, 0, 1).astype(np.float32)


def diffusion_fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``photo`` (uint8 RGB) with ``hole`` filled by Navier-Stokes diffusion."""
    return cv2.inpaint(photo, hole.astype(np.uint8) * 255, DIFFUSION_RADIUS, cv2.INPAINT_NS)


def lattice_period(generator: object) -> int:
    """The period of ``generator``'s upsampling pattern: 2 to the number of its downsamplings."""
    config = getattr(generator, "config", None)
    return 2 ** config.n_downsampling if config is not None else LATTICE_PERIOD


def remove_lattice_pattern(texture: np.ndarray, weight: np.ndarray, period: int = LATTICE_PERIOD) -> np.ndarray:
    """``texture`` (``(H, W, C)`` float32) less its local pattern of period ``period``.

    The texture is split into its ``period**2`` phases (pixels with the same ``(y, x) mod
    period``); each phase's local mean, over ``weight`` (where the texture is trusted) and a
    Gaussian of ``LATTICE_SIGMA`` cells, less the local mean over all phases, is the lattice
    pattern there, shrunk where few samples support it."""
    height, width, channels = texture.shape
    rows, cols = -(-height // period), -(-width // period)
    padded_height, padded_width = rows * period, cols * period

    def phases(a: np.ndarray) -> np.ndarray:  # (H, W, C) -> (P, P, rows, cols, C)
        a = np.pad(a, ((0, padded_height - height), (0, padded_width - width), (0, 0)))
        return a.reshape(rows, period, cols, period, -1).transpose(1, 3, 0, 2, 4)

    def smooth(a: np.ndarray) -> np.ndarray:  # blur every phase's (rows, cols) grid
        flat = a.transpose(2, 3, 0, 1, 4).reshape(rows, cols, -1)
        blurred = np.stack([cv2.GaussianBlur(flat[..., k], (0, 0), LATTICE_SIGMA) for k in range(flat.shape[-1])], -1)
        return blurred.reshape(rows, cols, period, period, -1).transpose(2, 3, 0, 1, 4)

    w = phases(weight[..., None].astype(np.float32))
    sums, coverage = smooth(phases(texture) * w), smooth(w)
    local = sums / np.maximum(coverage, 1e-6)
    overall = sums.sum(axis=(0, 1)) / np.maximum(coverage.sum(axis=(0, 1)), 1e-6)
    # Few samples make a noisy estimate (in a thin stroke it would be the grain itself), so the
    # pattern is shrunk by n / (n + LATTICE_PRIOR), n the samples behind it.
    samples = coverage * 4 * np.pi * LATTICE_SIGMA**2
    pattern = (local - overall) * samples / (samples + LATTICE_PRIOR)
    pattern = pattern.transpose(2, 0, 3, 1, 4).reshape(padded_height, padded_width, channels)
    return texture - pattern[:height, :width]


def frequency_separated_fill(original: np.ndarray, filled: np.ndarray, hole: np.ndarray, *,
                             sigma: float = TEXTURE_SIGMA, strength: float = 1.0,
                             lattice_period: Optional[int] = LATTICE_PERIOD) -> np.ndarray:
    """``filled`` (``(H, W, 3)`` uint8, the generator's composite) with, inside ``hole``, the
    low frequencies of a diffusion fill of ``original`` and ``strength`` times the fill's own
    high frequencies. The fill's low frequencies are a blur over the hole's pixels only, so the
    seam between fill and skin is not mistaken for texture. ``lattice_period`` (``None``: off)
    is the period of the generator's pattern to take out."""
    if not hole.any():
        return filled.copy()
    low_target = cv2.GaussianBlur(diffusion_fill(original, hole).astype(np.float32), (0, 0), sigma)
    weight = hole.astype(np.float32)
    values = filled.astype(np.float32)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    low_fill = cv2.GaussianBlur(values * weight[..., None], (0, 0), sigma) / np.maximum(spread, 1e-6)
    ramp = texture_ramp(hole)
    texture = values - low_fill
    if lattice_period:
        texture = remove_lattice_pattern(texture, (ramp > 0).astype(np.float32), lattice_period)
    corrected = low_target + (strength * ramp)[..., None] * texture
    out = filled.copy()
    out[hole] = np.clip(np.round(corrected[hole]), 0, 255).astype(np.uint8)
    return out
