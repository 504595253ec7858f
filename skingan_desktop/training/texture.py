"""Training a generator as the texture layer over a diffusion fill (see ``engine/tone.py``).

The composite the losses see is the one the engine will show: inside the hole, the diffusion
fill's low frequencies plus the generator's high frequencies. The texture-energy loss is a
minimal style loss (the diagonal of the Gram matrix of high-pass bands, cf. Gatys et al. 2015
and the style loss of Liu et al. 2018): per colour channel, the energy of two fine frequency
bands inside the hole must match that of the real skin there, so fills carry grain rather than
the blur an L1 loss rewards.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ..engine.membrane import membrane_fill
from ..engine.tone import TEXTURE_SIGMA, gaussian_blur, lattice_pattern_removed_by_band, texture_ramp


def diffusion_fills(image: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """The engine's diffusion fill of each ``(B, 3, H, W)`` image's hole, and its texture ramp
    ``(B, 1, H, W)``, as tensors."""
    photos = (image.detach().permute(0, 2, 3, 1).cpu().numpy() * 255).round().astype(np.uint8)
    holes = mask.detach()[:, 0].cpu().numpy() > 0.5
    fills = np.stack([membrane_fill(photo, hole) for photo, hole in zip(photos, holes)])
    ramps = np.stack([texture_ramp(hole) for hole in holes])
    return (torch.from_numpy(fills).permute(0, 3, 1, 2).float().div(255).to(image.device),
            torch.from_numpy(ramps)[:, None].to(image.device))


def texture_composite(image: Tensor, mask: Tensor, prediction: Tensor, base: tuple[Tensor, Tensor],
                      sigma: float = TEXTURE_SIGMA) -> Tensor:
    """What the engine shows (``tone.frequency_separated_fill``): outside the hole the image;
    inside, the diffusion fill's low frequencies plus the prediction's high frequencies, faded
    in by the ramp. ``base`` is what :func:`diffusion_fills` returns."""
    fill, ramp = base
    reference = mask * fill + (1 - mask) * image
    fill_low = gaussian_blur(prediction * mask, sigma) / gaussian_blur(mask, sigma).clamp(min=1e-6)
    texture = prediction - fill_low  # the low part is a blur over the hole only: the seam is no texture
    texture = lattice_pattern_removed_by_band(texture, (ramp > 0).float(), mask)
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
