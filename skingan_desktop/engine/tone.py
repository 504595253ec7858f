"""Frequency separation for fills: tone from a diffusion fill, texture from the generator.

This is the retoucher's frequency-separation technique applied to inpainting. A diffusion fill
(the harmonic membrane of ``engine/membrane.py``) gets the tone of the hole right -- colour and
shading continue smoothly from the skin around it, with no streaks -- but has no texture, so it
looks like plastic. A generator trained for texture (SkinGAN models, flagged in their weights
file) supplies the grain. Inside the hole the fill becomes::

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

import math
from typing import Optional

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .membrane import membrane_fill

TEXTURE_SIGMA = 1.5      # pixels at the working resolution: finer detail comes from the generator
TEXTURE_RAMP = 2.0       # pixels over which the grain fades in, after the hole's first pixel
DEFAULT_TEXTURE_STRENGTH = 1.4  # chosen on the training subjects over the membrane tone (model card)
LATTICE_PERIOD = 8       # 2**n_downsampling of LaMa's generators
LATTICE_SIGMA = 2.0      # lattice cells over which the repeating pattern is estimated
LATTICE_PRIOR = 8.0      # samples at which an estimate is trusted by half
EDGE_BAND = 9            # pixels along the hole's edge whose pattern is estimated on its own


def texture_ramp(hole: np.ndarray) -> np.ndarray:
    """``(H, W)`` float32 weights: 0 on the hole's edge pixels and outside it, rising to 1 at
    ``TEXTURE_RAMP`` pixels further in."""
    distance = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip((distance - 1) / TEXTURE_RAMP, 0, 1).astype(np.float32)


def lattice_period(generator: object) -> int:
    """The period of ``generator``'s upsampling pattern: 2 to the number of its downsamplings."""
    config = getattr(generator, "config", None)
    return 2 ** config.n_downsampling if config is not None else LATTICE_PERIOD


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Separable Gaussian blur of ``(B, C, H, W)``, mirrored borders (as OpenCV's default;
    repeated where the image is too small to mirror)."""
    radius = max(1, math.ceil(3 * sigma))
    taps = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-taps**2 / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    channels = x.shape[1]
    x = F.pad(x, (radius, radius, radius, radius), mode="reflect" if radius < min(x.shape[-2:]) else "replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
    return F.conv2d(x, kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)


def lattice_pattern_removed(texture: Tensor, weight: Tensor, period: int = LATTICE_PERIOD) -> Tensor:
    """``texture`` (``(B, C, H, W)``) less its local pattern of period ``period``.

    The texture is split into its ``period**2`` phases (pixels with the same ``(y, x) mod
    period``); each phase's local mean, over ``weight`` (``(B, 1, H, W)``: where the texture is
    trusted) and a Gaussian of ``LATTICE_SIGMA`` cells, less the local mean over all phases, is
    the lattice pattern there. Few samples make a noisy estimate (in a thin stroke it would be
    the grain itself), so the pattern is shrunk by ``n / (n + LATTICE_PRIOR)``, ``n`` the samples
    behind it. Differentiable: training uses it too."""
    batch, channels, height, width = texture.shape
    pad_h, pad_w = (-height) % period, (-width) % period
    rows, cols = (height + pad_h) // period, (width + pad_w) // period

    def phases(a: Tensor) -> Tensor:  # (B, C, H, W) -> (B, C * P * P, rows, cols)
        a = F.pad(a, (0, pad_w, 0, pad_h))
        a = a.reshape(a.shape[0], a.shape[1], rows, period, cols, period).permute(0, 1, 3, 5, 2, 4)
        return a.reshape(a.shape[0], -1, rows, cols)

    sums = gaussian_blur(phases(texture * weight), LATTICE_SIGMA)
    coverage = gaussian_blur(phases(weight), LATTICE_SIGMA).repeat(1, channels, 1, 1)
    local = sums / coverage.clamp(min=1e-6)
    sums_c = sums.reshape(batch, channels, period * period, rows, cols)
    coverage_c = coverage.reshape(batch, channels, period * period, rows, cols)
    overall = (sums_c.sum(2, keepdim=True) / coverage_c.sum(2, keepdim=True).clamp(min=1e-6))
    samples = coverage_c * 4 * math.pi * LATTICE_SIGMA**2
    pattern = (local.reshape_as(sums_c) - overall) * samples / (samples + LATTICE_PRIOR)
    pattern = pattern.reshape(batch, channels, period, period, rows, cols).permute(0, 1, 4, 2, 5, 3)
    pattern = pattern.reshape(batch, channels, rows * period, cols * period)
    return texture - pattern[..., :height, :width]


def lattice_pattern_removed_by_band(texture: Tensor, weight: Tensor, hole: Tensor,
                                    period: int = LATTICE_PERIOD) -> Tensor:
    """:func:`lattice_pattern_removed`, estimated apart in the band of ``EDGE_BAND`` pixels along
    the edge of ``hole`` (``(B, 1, H, W)``, 1 inside) and further in. The generator answers the
    edge with a pattern of its own (a dotted line of grain a few pixels in, twice as strong as
    inside); estimated together with the inside, it was diluted and mostly left in place."""
    reach = 2 * EDGE_BAND + 1  # a square window, as a row and then a column (19 + 19 looks, not 361)
    near_skin = F.max_pool2d(F.max_pool2d(1 - hole, (1, reach), stride=1, padding=(0, EDGE_BAND)),
                             (reach, 1), stride=1, padding=(EDGE_BAND, 0))
    near_edge = (near_skin > 0).to(texture.dtype)
    along_edge = lattice_pattern_removed(texture, weight * near_edge, period)
    further_in = lattice_pattern_removed(texture, weight * (1 - near_edge), period)
    return near_edge * along_edge + (1 - near_edge) * further_in


def remove_lattice_pattern(texture: np.ndarray, weight: np.ndarray, period: int = LATTICE_PERIOD,
                           hole: Optional[np.ndarray] = None) -> np.ndarray:
    """:func:`lattice_pattern_removed` for one ``(H, W, C)`` float32 texture and its ``(H, W)``
    weight; with ``hole`` (``(H, W)`` bool), :func:`lattice_pattern_removed_by_band`."""
    as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, np.float32))[None, None]  # noqa: E731
    with torch.no_grad():
        pixels = torch.from_numpy(np.ascontiguousarray(texture)).permute(2, 0, 1)[None]
        if hole is None:
            cleaned = lattice_pattern_removed(pixels, as_tensor(weight), period)
        else:
            cleaned = lattice_pattern_removed_by_band(pixels, as_tensor(weight), as_tensor(hole), period)
    return cleaned[0].permute(1, 2, 0).numpy()


def frequency_separated_fill(original: np.ndarray, filled: np.ndarray, hole: np.ndarray, *,
                             sigma: float = TEXTURE_SIGMA, strength: float = 1.0,
                             lattice_period: Optional[int] = LATTICE_PERIOD) -> np.ndarray:
    """``filled`` (``(H, W, 3)`` uint8, the generator's composite) with, inside ``hole``, the
    low frequencies of a diffusion fill of ``original`` and ``strength`` times the fill's own
    high frequencies. The fill's low frequencies are a blur over the hole's pixels only, so the
    seam between fill and skin is not mistaken for texture. ``lattice_period`` (``None``: off)
    is the period of the generator's pattern to take out."""
    if not hole.any() or hole.all():  # nothing to fill, or no skin around to take the tone from
        return filled.copy()
    low_target = cv2.GaussianBlur(membrane_fill(original, hole).astype(np.float32), (0, 0), sigma)
    weight = hole.astype(np.float32)
    values = filled.astype(np.float32)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    low_fill = cv2.GaussianBlur(values * weight[..., None], (0, 0), sigma) / np.maximum(spread, 1e-6)
    ramp = texture_ramp(hole)
    texture = values - low_fill
    if lattice_period:
        texture = remove_lattice_pattern(texture, (ramp > 0).astype(np.float32), lattice_period, hole)
    corrected = low_target + (strength * ramp)[..., None] * texture
    out = filled.copy()
    out[hole] = np.clip(np.round(corrected[hole]), 0, 255).astype(np.uint8)
    return out
