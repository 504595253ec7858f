"""Training a generator as the texture layer over a diffusion fill (see ``engine/tone.py``).

The composite the losses see is the one the engine will show: inside the hole, the diffusion
fill's low frequencies plus the generator's high frequencies. The texture-energy loss is a
minimal style loss (the diagonal of the Gram matrix of high-pass bands, cf. Gatys et al. 2015
and the style loss of Liu et al. 2018): per colour channel, the energy of two fine frequency
bands inside the hole must match that of the real skin there, so fills carry grain rather than
the blur an L1 loss rewards.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..engine.tone import (
    LATTICE_PERIOD, LATTICE_PRIOR, LATTICE_SIGMA, TEXTURE_SIGMA, diffusion_fill, texture_ramp,
)


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Separable Gaussian blur of ``(B, C, H, W)``, mirrored borders (as OpenCV's default)."""
    radius = max(1, math.ceil(3 * sigma))
    taps = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-taps**2 / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    channels = x.shape[1]
    x = F.pad(x, (radius, radius, radius, radius), mode="reflect")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
    return F.conv2d(x, kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)


def diffusion_fills(image: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """The engine's diffusion fill of each ``(B, 3, H, W)`` image's hole, and its texture ramp
    ``(B, 1, H, W)``, as tensors."""
    photos = (image.detach().permute(0, 2, 3, 1).cpu().numpy() * 255).round().astype(np.uint8)
    holes = mask.detach()[:, 0].cpu().numpy() > 0.5
    fills = np.stack([diffusion_fill(photo, hole) for photo, hole in zip(photos, holes)])
    ramps = np.stack([texture_ramp(hole) for hole in holes])
    return (torch.from_numpy(fills).permute(0, 3, 1, 2).float().div(255).to(image.device),
            torch.from_numpy(ramps)[:, None].to(image.device))


def remove_lattice_pattern(texture: Tensor, weight: Tensor, period: int = LATTICE_PERIOD) -> Tensor:
    """``tone.remove_lattice_pattern`` for ``(B, C, H, W)`` batches (``weight``: ``(B, 1, H, W)``)."""
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


def texture_composite(image: Tensor, mask: Tensor, prediction: Tensor, base: tuple[Tensor, Tensor],
                      sigma: float = TEXTURE_SIGMA) -> Tensor:
    """What the engine shows (``tone.frequency_separated_fill``): outside the hole the image;
    inside, the diffusion fill's low frequencies plus the prediction's high frequencies, faded
    in by the ramp. ``base`` is what :func:`diffusion_fills` returns."""
    fill, ramp = base
    reference = mask * fill + (1 - mask) * image
    fill_low = gaussian_blur(prediction * mask, sigma) / gaussian_blur(mask, sigma).clamp(min=1e-6)
    texture = prediction - fill_low  # the low part is a blur over the hole only: the seam is no texture
    texture = remove_lattice_pattern(texture, (ramp > 0).float())
    return (1 - mask) * image + mask * (gaussian_blur(reference, sigma) + ramp * texture)


def _band_energies(x: Tensor, mask: Tensor) -> list[Tensor]:
    """Per-sample, per-channel mean energy inside ``mask`` of the bands finer than 1 px and
    between 1 and 2 px."""
    blur1, blur2 = gaussian_blur(x, 1.0), gaussian_blur(x, 2.0)
    area = mask.sum(dim=(2, 3)).clamp(min=1)
    return [((band**2) * mask).sum(dim=(2, 3)) / area for band in (x - blur1, blur1 - blur2)]


def texture_energy_loss(result: Tensor, image: Tensor, region: Tensor, eps: float = 1e-5) -> Tensor:
    """Mean ``|log(band energy of result / band energy of image)|`` inside ``region`` (``(B, 1,
    H, W)``, 1 where the texture is judged); a sample with an empty region adds nothing."""
    losses = [(torch.log(got + eps) - torch.log(want + eps)).abs().mean()
              for got, want in zip(_band_energies(result, region), _band_energies(image, region))]
    return sum(losses) / len(losses)
