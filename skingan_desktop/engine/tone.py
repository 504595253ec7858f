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
"""

from __future__ import annotations

import cv2
import numpy as np

TEXTURE_SIGMA = 1.5      # pixels at the working resolution: finer detail comes from the generator
DIFFUSION_RADIUS = 5     # OpenCV inpainting radius of the diffusion fill
TEXTURE_RAMP = 2.0       # pixels over which the grain fades in, after the hole's first pixel
DEFAULT_TEXTURE_STRENGTH = 1.0


def texture_ramp(hole: np.ndarray) -> np.ndarray:
    """``(H, W)`` float32 weights: 0 on the hole's edge pixels and outside it, rising to 1 at
    ``TEXTURE_RAMP`` pixels further in."""
    distance = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip((distance - 1) / TEXTURE_RAMP, 0, 1).astype(np.float32)


def diffusion_fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``photo`` (uint8 RGB) with ``hole`` filled by Navier-Stokes diffusion."""
    return cv2.inpaint(photo, hole.astype(np.uint8) * 255, DIFFUSION_RADIUS, cv2.INPAINT_NS)


def frequency_separated_fill(original: np.ndarray, filled: np.ndarray, hole: np.ndarray, *,
                             sigma: float = TEXTURE_SIGMA, strength: float = 1.0) -> np.ndarray:
    """``filled`` (``(H, W, 3)`` uint8, the generator's composite) with, inside ``hole``, the
    low frequencies of a diffusion fill of ``original`` and ``strength`` times the fill's own
    high frequencies. The fill's low frequencies are a blur over the hole's pixels only, so the
    seam between fill and skin is not mistaken for texture."""
    if not hole.any():
        return filled.copy()
    low_target = cv2.GaussianBlur(diffusion_fill(original, hole).astype(np.float32), (0, 0), sigma)
    weight = hole.astype(np.float32)
    values = filled.astype(np.float32)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    low_fill = cv2.GaussianBlur(values * weight[..., None], (0, 0), sigma) / np.maximum(spread, 1e-6)
    corrected = low_target + (strength * texture_ramp(hole))[..., None] * (values - low_fill)
    out = filled.copy()
    out[hole] = np.clip(np.round(corrected[hole]), 0, 255).astype(np.uint8)
    return out
