"""Held-out evaluation against the classical baselines (OpenCV Telea and Navier-Stokes, and the membrane fill).

On skin crops of the validation subjects, with seeded tattoo-like masks: masked PSNR and masked
SSIM (inside the hole), and a texture measure that punishes blur: the absolute log ratio of the
high-frequency energy inside the fill to that of the real skin in a ring around it (0 = the fill
has the texture of the surrounding skin; a smooth fill scores high).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import cv2
import numpy as np
import torch

from ..engine.tensors import mask_to_tensor, photo_to_tensor
from ..model.generator import generator_input
from ..engine.tone import DEFAULT_TEXTURE_STRENGTH, native_fill
from .data import load_or_harvest, split
from .fid import FIDInception, frechet_distance, inception_features
from .lpips import LPIPS
from .masks import make_mask

Inpaint = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (uint8 RGB, bool hole) -> uint8 RGB


def masked_psnr(truth: np.ndarray, result: np.ndarray, hole: np.ndarray) -> float:
    diff = (truth[hole].astype(np.float64) - result[hole].astype(np.float64)) / 255
    mse = float(np.mean(diff**2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)


def masked_ssim(truth: np.ndarray, result: np.ndarray, hole: np.ndarray) -> float:
    """Mean SSIM (11x11 Gaussian window, sigma 1.5, on luma) over the hole's pixels."""
    a = cv2.cvtColor(truth, cv2.COLOR_RGB2GRAY).astype(np.float64)
    b = cv2.cvtColor(result, cv2.COLOR_RGB2GRAY).astype(np.float64)
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)  # noqa: E731
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b, cov = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2, blur(a * b) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim[hole].mean())


def texture_gap(result: np.ndarray, hole: np.ndarray, ring: int = 12) -> float:
    """|log(high-frequency energy in the hole / in the surrounding ring)|; lower is better."""
    gray = cv2.cvtColor(result, cv2.COLOR_RGB2GRAY).astype(np.float64)
    detail = gray - cv2.GaussianBlur(gray, (0, 0), 1.5)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * ring + 1, 2 * ring + 1))
    around = cv2.dilate(hole.astype(np.uint8), kernel).astype(bool) & ~hole
    inner = cv2.erode(hole.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    inner = inner if inner.any() else hole
    if not around.any():
        return 0.0
    energy_in, energy_out = np.mean(detail[inner] ** 2) + 1e-6, np.mean(detail[around] ** 2) + 1e-6
    return float(abs(np.log(energy_in / energy_out)))


def opencv_baseline(flag: int) -> Inpaint:
    def run(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        return cv2.inpaint(photo, hole.astype(np.uint8) * 255, 5, flag)
    return run


def generator_inpaint(generator: torch.nn.Module, texture_strength: float = DEFAULT_TEXTURE_STRENGTH) -> Inpaint:
    """The engine's 512 pass at the crop's own size: the generator's tone, the crop's own grain."""
    return generator_inpaints(generator, [texture_strength])[0]


def generator_inpaints(generator: torch.nn.Module, texture_strengths: list[float]) -> list[Inpaint]:
    """:func:`generator_inpaint` at several texture strengths, sharing one generator pass per crop
    (the strength only changes the composition after it)."""
    device = next(generator.parameters()).device
    last: list = [None, None, None]  # photo, hole, composite of the latest crop

    def composite(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        if last[0] is not None and np.array_equal(last[0], photo) and np.array_equal(last[1], hole):
            return last[2]
        image, mask = photo_to_tensor(photo, device), mask_to_tensor(hole, device)
        with torch.inference_mode():
            prediction = generator(generator_input(image, mask)).float()
        filled = (mask * prediction + (1 - mask) * image)[0].permute(1, 2, 0).mul(255).cpu().numpy()
        last[:] = [photo.copy(), hole.copy(), filled]
        return last[2]

    def textured(strength: float) -> Inpaint:
        return lambda photo, hole: native_fill(photo, hole, hole, photo, hole, composite(photo, hole), strength=strength)

    return [textured(strength) for strength in texture_strengths]


MASK_SEED_STRIDE = 100_000  # mask k of crop i uses seed + i + k * stride: k = 0 is the one-mask table


def evaluate(methods: dict[str, Inpaint], data: Path, cache_dir: Path, *, seed: int = 0, masks_per_crop: int = 1,
             limit: Optional[int] = None, size: int = 128, training_subjects: bool = False,
             paired_with: Optional[str] = None, lpips: Optional[LPIPS] = None,
             fid: Optional[FIDInception] = None) -> dict[str, dict[str, float]]:
    """Mean metrics per method over the held-out crops, each filled under ``masks_per_crop``
    seeded tattoo masks. ``training_subjects`` evaluates on the training side of the split
    instead: for choosing settings without looking at the held-out figures. ``paired_with`` (a
    method's name) adds, for every other method, the share of fills whose texture gap is below
    that method's on the same crop and mask. With ``lpips`` or ``fid`` (their weights are local
    files) an LPIPS or FID column is added (FID: the results against the real crops)."""
    crops = load_or_harvest(data, cache_dir, size)
    training, held_out = split(crops)
    if training_subjects:
        held_out = training
    if limit is not None:
        held_out = held_out[:limit]
    columns = ["psnr", "ssim", "texture"] + (["lpips"] if lpips is not None else [])
    scores: dict[str, dict[str, list[float]]] = {name: {c: [] for c in columns} for name in methods}
    outputs: dict[str, list[torch.Tensor]] = {name: [] for name in methods}
    for index, truth in enumerate(held_out):
        for k in range(masks_per_crop):
            hole = make_mask("tattoo", truth.shape[:2], seed + index + k * MASK_SEED_STRIDE)
            for name, method in methods.items():
                result = method(truth.copy(), hole)
                scores[name]["psnr"].append(masked_psnr(truth, result, hole))
                scores[name]["ssim"].append(masked_ssim(truth, result, hole))
                scores[name]["texture"].append(texture_gap(result, hole))
                if lpips is not None:
                    with torch.no_grad():
                        scores[name]["lpips"].append(lpips(photo_to_tensor(truth), photo_to_tensor(result)).item())
                if fid is not None:
                    outputs[name].append(photo_to_tensor(result))
    summary = {name: {k: float(np.mean(v)) for k, v in parts.items()} | {"count": len(held_out), "masks": masks_per_crop}
               for name, parts in scores.items()}
    if paired_with is not None:
        reference = np.array(scores[paired_with]["texture"])
        for name in methods:
            if name != paired_with:
                summary[name]["texture_wins"] = float(np.mean(np.array(scores[name]["texture"]) < reference))
    if fid is not None:
        real = inception_features(fid, (photo_to_tensor(truth) for truth in held_out))
        for name in methods:
            summary[name]["fid"] = frechet_distance(real, inception_features(fid, outputs[name]))
    return summary


def markdown_table(results: dict[str, dict[str, float]], paired_with: Optional[str] = None) -> str:
    """The results as a Markdown table; ``paired_with`` names the method of the paired column."""
    extra = [(key, title, digits) for key, title, digits in (("lpips", "LPIPS ↓", 4), ("fid", "FID ↓", 2))
             if all(key in row for row in results.values())]
    paired = paired_with is not None and any("texture_wins" in row for row in results.values())
    head = "| method | masked PSNR (dB) ↑ | masked SSIM ↑ | texture gap ↓ |" + "".join(f" {t} |" for _, t, _ in extra)
    if paired:
        head += f" fills with less texture gap than {paired_with} ↑ |"
    lines = [head + " crops × masks |", "|---" * (5 + len(extra) + paired) + "|"]
    for name, row in results.items():
        cells = "".join(f" {row[key]:.{digits}f} |" for key, _, digits in extra)
        if paired:
            cells += f" {100 * row['texture_wins']:.0f} % |" if "texture_wins" in row else " — |"
        lines.append(f"| {name} | {row['psnr']:.2f} | {row['ssim']:.4f} | {row['texture']:.3f} |{cells} "
                     f"{int(row['count'])} × {int(row['masks'])} |")
    return "\n".join(lines)
