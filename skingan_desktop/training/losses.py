"""LaMa's training losses: L1 on known pixels, a PatchGAN discriminator trained
non-saturating with an R1 penalty and "mask as fake target", and feature matching.

The high-receptive-field perceptual loss (``perceptual.py``) needs a segmentation ResNet-50's
weights, which this project does not ship or download: the user passes the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .perceptual import HighReceptiveFieldLoss
from ..engine.tone import TEXTURE_SIGMA, gaussian_blur


class PatchDiscriminator(nn.Module):
    """NLayer PatchGAN: ``(B, 3, H, W)`` -> per-patch logits ``(B, 1, h, w)`` and the
    intermediate features used for feature matching."""

    def __init__(self, channels: int = 64, layers: int = 3) -> None:
        super().__init__()
        blocks: list[nn.Module] = [nn.Sequential(nn.Conv2d(3, channels, 4, 2, 2), nn.LeakyReLU(0.2, True))]
        width = channels
        for i in range(1, layers + 1):
            out = min(width * 2, 512)
            stride = 2 if i < layers else 1
            blocks.append(nn.Sequential(nn.Conv2d(width, out, 4, stride, 2), nn.BatchNorm2d(out), nn.LeakyReLU(0.2, True)))
            width = out
        blocks.append(nn.Conv2d(width, 1, 4, 1, 2))
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        return x, features[:-1]


@dataclass
class LossWeights:
    """LaMa's weights (L1 known 10, adversarial 10, feature matching 100, R1 gamma 0.001),
    plus an optional L1 inside the hole (LaMa uses 0; short CPU runs learn colour from it) and
    an optional texture-energy loss (``texture.texture_energy_loss``)."""

    l1_known: float = 10.0
    l1_hole: float = 0.0
    adversarial: float = 10.0
    feature_matching: float = 100.0
    r1_gamma: float = 0.001
    texture: float = 0.0
    tone: float = 0.0                   # L1 of the composite's low frequencies around the hole (tone layer)
    lattice: float = 0.0                # the RMS of the prediction's 8 px pattern in the hole (lattice_loss)
    perceptual: float = 0.0             # the high-receptive-field loss (LaMa: 30), when its network is given


def _patch_mask(mask: Tensor, size: tuple[int, int]) -> Tensor:
    """1 for patches that touch the hole."""
    return (F.adaptive_max_pool2d(mask, size) > 0).float()


def _composite(image: Tensor, mask: Tensor, prediction: Tensor, composite: Optional[Tensor]) -> Tensor:
    return mask * prediction + (1 - mask) * image if composite is None else composite


def generator_loss(image: Tensor, mask: Tensor, prediction: Tensor, discriminator: PatchDiscriminator,
                   weights: LossWeights, composite: Optional[Tensor] = None,
                   perceptual: Optional[HighReceptiveFieldLoss] = None) -> tuple[Tensor, dict[str, float]]:
    """The generator's total loss for ``prediction`` of ``image`` inside ``mask`` (1 = hole).
    ``composite`` is what the user will see (default: the prediction pasted into the hole);
    ``perceptual``, when given, adds the high-receptive-field loss on the prediction, as LaMa does."""
    composite = _composite(image, mask, prediction, composite)
    known = 1 - mask
    l1_known = ((prediction - image).abs() * known).sum() / (known.sum() * 3).clamp(min=1)
    l1_hole = ((composite - image).abs() * mask).sum() / (mask.sum() * 3).clamp(min=1)
    total = weights.l1_known * l1_known + weights.l1_hole * l1_hole
    parts = {"l1_known": l1_known.item(), "l1_hole": l1_hole.item()}
    if weights.adversarial or weights.feature_matching:
        fake_logits, fake_features = discriminator(composite)
        with torch.no_grad():
            _, real_features = discriminator(image)
        hole_patches = _patch_mask(mask, fake_logits.shape[-2:])
        adversarial = (F.softplus(-fake_logits) * hole_patches).sum() / hole_patches.sum().clamp(min=1)
        matching = sum(F.l1_loss(f, r) for f, r in zip(fake_features, real_features)) / len(fake_features)
        total = total + weights.adversarial * adversarial + weights.feature_matching * matching
        parts |= {"adv_g": adversarial.item(), "fm": matching.item()}
    if weights.tone:
        tone = tone_loss(composite, image, mask)
        total = total + weights.tone * tone
        parts["tone"] = tone.item()
    if weights.lattice:
        lattice = lattice_loss(prediction, mask)
        total = total + weights.lattice * lattice
        parts["lattice"] = lattice.item()
    if weights.texture:
        texture = texture_energy_loss(composite, image, mask)
        total = total + weights.texture * texture
        parts["texture"] = texture.item()
    if perceptual is not None and weights.perceptual:
        hrf = perceptual(prediction, image)
        total = total + weights.perceptual * hrf
        parts["hrf"] = hrf.item()
    return total, parts


def tone_loss(composite: Tensor, image: Tensor, mask: Tensor, sigma: float = TEXTURE_SIGMA) -> Tensor:
    """Mean L1 between the Gaussian low pass (``sigma`` px) of the composite and of the image,
    over the hole and the band of ``2 * sigma`` px around it that its low pass reaches: the
    tone and structure the engine takes from the generator (the grain comes from the photo)."""
    reach = 2 * math.ceil(2 * sigma) + 1
    band = F.max_pool2d(mask, reach, stride=1, padding=reach // 2)
    difference = (gaussian_blur(composite, sigma) - gaussian_blur(image, sigma)).abs() * band
    return difference.sum() / (band.sum() * 3).clamp(min=1)


def lattice_loss(prediction: Tensor, mask: Tensor, period: int = 8) -> Tensor:
    """The root mean square of the part of the prediction's detail (finer than a Gaussian of
    ``period / 2`` px) that repeats every ``period`` px inside the hole: the mean of each phase
    (pixels with the same ``(y, x) mod period``) per image and channel. The strided decoder of a
    LaMa generator prints such a lattice; real skin has none, so this only pushes it out. H and W
    must be multiples of ``period``."""
    batch, channels, height, width = prediction.shape
    detail = (prediction - gaussian_blur(prediction, period / 2)) * mask

    def phases(x: Tensor) -> Tensor:  # (B, C, H, W) -> (B, C, P * P): sums per phase
        x = x.reshape(x.shape[0], x.shape[1], height // period, period, width // period, period)
        return x.sum(dim=(2, 4)).flatten(2)

    counts = phases(mask).clamp(min=1)
    means = phases(detail) / counts
    area = mask.sum(dim=(2, 3)).clamp(min=1)
    energy = (means**2 * counts).sum(-1) / area  # the periodic part's mean energy per pixel
    return (energy + 1e-12).sqrt().mean()


def discriminator_loss(image: Tensor, mask: Tensor, prediction: Tensor, discriminator: PatchDiscriminator,
                       weights: LossWeights, composite: Optional[Tensor] = None) -> tuple[Tensor, dict[str, float]]:
    """Real photos are real; in the composite, patches touching the hole are fake and the
    rest real ("mask as fake target"); plus the R1 penalty on real photos."""
    real = image.detach().requires_grad_(True)
    real_logits, _ = discriminator(real)
    real_loss = F.softplus(-real_logits).mean()
    (gradient,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
    r1 = gradient.pow(2).flatten(1).sum(1).mean()
    composite = _composite(image, mask, prediction, composite).detach()
    fake_logits, _ = discriminator(composite)
    hole_patches = _patch_mask(mask, fake_logits.shape[-2:])
    fake_loss = (F.softplus(fake_logits) * hole_patches + F.softplus(-fake_logits) * (1 - hole_patches)).mean()
    total = real_loss + fake_loss + weights.r1_gamma / 2 * r1
    return total, {"adv_d_real": real_loss.item(), "adv_d_fake": fake_loss.item(), "r1": r1.item()}


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
