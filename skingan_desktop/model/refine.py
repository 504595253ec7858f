"""Multiscale feature refinement (Kulshreshtha et al. 2022) for high-resolution inpainting.

The generator is split into ``front`` and ``rear``. The coarsest scale of an image pyramid gets
an ordinary pass; at each finer scale the mid-level features ``front(x)`` are optimised with
Adam so that the prediction matches the known pixels at that scale and, once blurred and
halved, the previous scale's result inside the hole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Protocol, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .devices import autocast_to, native_bfloat16
from .ffc import FeaturePair
from .generator import generator_input

ProgressCallback = Callable[[str, int, int], None]


class _Flag(Protocol):
    def is_set(self) -> bool: ...


CancelFlag = Union[_Flag, Callable[[], bool]]

_EPS = 1e-8


class SplitGenerator(Protocol):
    def front(self, x: Tensor) -> FeaturePair: ...

    def rear(self, features: FeaturePair) -> Tensor: ...

    def rear_crop(self, features: FeaturePair, top: int, left: int, bottom: int, right: int) -> Tensor: ...


@dataclass
class PyramidLevel:
    """One scale: ``image`` ``(1, 3, h, w)`` and binary ``mask`` ``(1, 1, h, w)``."""

    image: Tensor
    mask: Tensor


def _gaussian_kernel(device: torch.device, dtype: torch.dtype) -> Tensor:
    x = torch.arange(5, dtype=torch.float64) - 2
    g = torch.exp(-(x**2) / 2.0)
    g = g / g.sum()
    return torch.outer(g, g).to(device=device, dtype=dtype)


def blur(x: Tensor) -> Tensor:
    """5x5 Gaussian blur, sigma 1, reflect borders, per channel."""
    channels = x.shape[1]
    kernel = _gaussian_kernel(x.device, x.dtype).expand(channels, 1, 5, 5)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="reflect"), kernel, groups=channels)


def pyramid_down(x: Tensor) -> Tensor:
    """Blur then bilinear resize to half size (``h // 2``, ``w // 2``)."""
    height, width = x.shape[-2:]
    return F.interpolate(blur(x), size=(height // 2, width // 2), mode="bilinear", align_corners=False)


def _binarise(mask: Tensor, threshold: float) -> Tensor:
    return (mask >= threshold).to(mask.dtype)


def pyramid_down_mask(mask: Tensor) -> Tensor:
    """The pyramid's next mask: blurred, halved, any touched pixel is hole."""
    return _binarise(pyramid_down(mask), _EPS)


def hole_core_at_half_size(mask: Tensor, erosion_kernel: Tensor) -> Tensor:
    """Where the previous scale's result is trusted: the hole halved (no blur), only pixels that
    stay exactly 1, then eroded by a 15x15 ellipse (pixels outside the image do not erode)."""
    height, width = mask.shape[-2:]
    half = F.interpolate(mask, size=(height // 2, width // 2), mode="bilinear", align_corners=False)
    half = _binarise(half, 1 - _EPS)
    radius = erosion_kernel.shape[-1] // 2
    padded = F.pad(half, (radius,) * 4, value=1.0)
    inside = F.conv2d(padded, erosion_kernel[None, None])
    return (inside >= erosion_kernel.sum() - 0.5).to(mask.dtype)


def elliptical_kernel(size: int = 15, device: torch.device | str = "cpu") -> Tensor:
    ellipse = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)).astype(np.float32)
    return torch.from_numpy(ellipse).to(device)


def scale_count(height: int, width: int, min_side: int, max_scales: int) -> int:
    """How many scales the pyramid has: one per octave above ``min_side``, at most ``max_scales``."""
    return min(1 + int(round(max(0.0, math.log2(min(height, width) / min_side)))), max_scales)


def budget_size(height: int, width: int, px_budget: int) -> tuple[int, int]:
    """The working size: the input size, shrunk to fit ``px_budget`` pixels."""
    if height * width <= px_budget:
        return height, width
    ratio = math.sqrt(px_budget / float(height * width))
    return int(height * ratio), int(width * ratio)


def coarser(level: PyramidLevel) -> PyramidLevel:
    """The pyramid's next level up: the image blurred and halved, its mask grown to match
    (the one way every pyramid here is built: :func:`build_pyramid`, the app's runner)."""
    return PyramidLevel(pyramid_down(level.image), pyramid_down_mask(level.mask))


def build_pyramid(image: Tensor, mask: Tensor, *, min_side: int = 512, max_scales: int = 3,
                  px_budget: int = 1_800_000) -> list[PyramidLevel]:
    """The image/mask pyramid, coarsest first; the finest level is the input (or its
    downsized version when it exceeds ``px_budget``)."""
    height, width = image.shape[-2:]
    target = budget_size(height, width, px_budget)
    if target != (height, width):
        image = F.interpolate(image, size=target, mode="bilinear", align_corners=False)
        mask = _binarise(F.interpolate(mask, size=target, mode="bilinear", align_corners=False), _EPS)
    levels = [PyramidLevel(image, mask)]
    for _ in range(scale_count(*target, min_side, max_scales) - 1):
        levels.append(coarser(levels[-1]))
    return levels[::-1]


def _pad(x: Tensor, multiple: int) -> Tensor:
    """Pad on the bottom and right to a multiple of ``multiple``, and to at least two of them
    (the bottleneck must be 2 px for its reflection pads), mirrored where the image is large
    enough to mirror, else repeated (a photo of a few pixels, or a 12 px strip)."""
    height, width = x.shape[-2:]
    pad_h = max((-height) % multiple, 2 * multiple - height)
    pad_w = max((-width) % multiple, 2 * multiple - width)
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)


def is_cancelled(cancel: Optional[CancelFlag]) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if hasattr(cancel, "is_set") else bool(cancel())


class Cancelled(Exception):
    """Raised inside the refinement loop when the cancel flag is set."""


def fast_optimise_dtype(device: torch.device) -> Optional[torch.dtype]:
    """bfloat16 where the hardware computes it natively (CUDA with bf16, CPUs with AVX512-BF16
    or AMX), else ``None`` (float32)."""
    return torch.bfloat16 if native_bfloat16(device) else None


def refine_level(
    generator: SplitGenerator,
    level: PyramidLevel,
    previous: Optional[Tensor],
    *,
    n_iters: int = 15,
    lr: float = 0.002,
    multiple: int = 8,
    on_iteration: Optional[Callable[[int], None]] = None,
    cancel: Optional[CancelFlag] = None,
    losses: Optional[list[float]] = None,
    optimise_dtype: Optional[torch.dtype] = None,
) -> Tensor:
    """One scale: a plain pass when ``previous`` is ``None``, else ``n_iters`` iterations of
    feature optimisation against ``previous`` (the result one octave down). Returns the
    composited ``(1, 3, h, w)`` result; each iteration's loss is appended to ``losses``.

    ``optimise_dtype`` (e.g. ``torch.bfloat16``) runs the rear's convolutions of the
    optimisation iterations in that precision under autocast; the features, the loss, Adam
    and the final prediction stay float32."""
    height, width = level.image.shape[-2:]
    image = _pad(level.image, multiple)
    mask = _binarise(_pad(level.mask, multiple), _EPS)
    masked_input = generator_input(image, mask)
    with torch.no_grad():
        z_local, z_global = generator.front(masked_input)
    if previous is None:
        with torch.no_grad():
            return _composite_within_hole(generator, (z_local, z_global), image, mask)[..., :height, :width]

    # Constant across iterations, so selected once rather than per iteration.
    known3 = (mask < _EPS).expand_as(image)
    known_pixels = image[known3]
    core = hole_core_at_half_size(level.mask, elliptical_kernel(15, level.mask.device)) >= _EPS
    core3 = core.expand_as(previous)
    reference_pixels = previous.detach()[core3]

    z_local = z_local.detach().clone().requires_grad_(True)
    z_global = z_global.detach().clone().requires_grad_(True)
    optimiser = torch.optim.Adam([z_local, z_global], lr=lr)
    prediction = None
    for iteration in range(n_iters):
        if is_cancelled(cancel):
            raise Cancelled
        optimiser.zero_grad(set_to_none=True)
        last = iteration == n_iters - 1
        with autocast_to(z_local.device, None if last else optimise_dtype):
            prediction = generator.rear((z_local, z_global)).float()
        loss = (prediction[known3] - known_pixels).abs().mean()
        if reference_pixels.numel():
            down = pyramid_down(prediction[..., :height, :width])
            loss = loss + (down[core3] - reference_pixels).abs().mean()
        if losses is not None:
            losses.append(loss.item())
        if not last:  # the last iteration only predicts
            loss.backward()
            optimiser.step()
        if on_iteration is not None:
            on_iteration(iteration + 1)
    assert prediction is not None
    with torch.no_grad():
        return (mask * prediction.detach() + (1 - mask) * image)[..., :height, :width]


def _composite_within_hole(generator: SplitGenerator, features: FeaturePair, image: Tensor, mask: Tensor) -> Tensor:
    """``image`` with the rear's prediction inside the hole. The upscaling layers run only
    around the hole's bounding box: the composite keeps nothing of the prediction outside it."""
    rows = torch.nonzero(mask[0, 0].amax(dim=1), as_tuple=True)[0]
    cols = torch.nonzero(mask[0, 0].amax(dim=0), as_tuple=True)[0]
    if not len(rows):
        return image.clone()
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    left, right = int(cols[0]), int(cols[-1]) + 1
    prediction = generator.rear_crop(features, top, left, bottom, right).float()
    out = image.clone()
    box_mask, box_image = mask[..., top:bottom, left:right], image[..., top:bottom, left:right]
    out[..., top:bottom, left:right] = box_mask * prediction + (1 - box_mask) * box_image
    return out


def refine_pyramid(
    generator: SplitGenerator,
    levels: list[PyramidLevel],
    *,
    n_iters: int = 15,
    lr: float = 0.002,
    multiple: int = 8,
    coarsest_result: Optional[Tensor] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelFlag] = None,
    optimise_dtype: Optional[torch.dtype] = None,
) -> list[Tensor]:
    """Every scale's composited result, coarsest first. ``coarsest_result`` (a plain pass
    already made at the coarsest level) is reused instead of being computed again."""
    total = 1 + (len(levels) - 1) * n_iters  # the coarse pass, then every iteration (the last predicts)
    done = 0

    def report(stage: str, step: int) -> None:
        if progress is not None:
            progress(stage, step, total)

    results: list[Tensor] = []
    for index, level in enumerate(levels):
        if is_cancelled(cancel):
            raise Cancelled
        if index == 0 and coarsest_result is not None:
            results.append(coarsest_result)
        else:
            size = "x".join(map(str, level.image.shape[-2:][::-1]))
            base = done
            results.append(refine_level(
                generator, level, results[-1] if results else None,
                n_iters=n_iters, lr=lr, multiple=multiple, cancel=cancel, optimise_dtype=optimise_dtype,
                on_iteration=lambda i, s=size, b=base: report(f"refining {s}", b + i),
            ))
        done += 1 if index == 0 else n_iters
        report("refining" if index else "coarse pass", done)
    return results


def refine_inpaint(
    generator: SplitGenerator,
    image: Tensor,
    mask: Tensor,
    *,
    n_iters: int = 15,
    lr: float = 0.002,
    min_side: int = 512,
    max_scales: int = 3,
    px_budget: int = 1_800_000,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelFlag] = None,
) -> Optional[Tensor]:
    """Inpaint ``image`` ``(1, 3, H, W)`` in ``[0, 1]`` inside ``mask`` ``(1, 1, H, W)`` (1 = hole)
    with multiscale feature refinement; returns the composited ``(1, 3, H, W)`` result, or
    ``None`` when ``cancel`` was set (checked before every iteration).

    ``n_iters`` Adam iterations of ``lr`` per finer scale; the pyramid has one scale per octave
    of the short side above ``min_side``, at most ``max_scales``; inputs above ``px_budget``
    pixels are refined at a reduced size and the result resized back. ``progress(stage, step,
    total)`` is called as work completes.
    """
    levels = build_pyramid(image, mask, min_side=min_side, max_scales=max_scales, px_budget=px_budget)
    try:
        result = refine_pyramid(generator, levels, n_iters=n_iters, lr=lr, progress=progress, cancel=cancel)[-1]
    except Cancelled:
        return None
    if result.shape[-2:] != image.shape[-2:]:
        result = F.interpolate(result, size=image.shape[-2:], mode="bilinear", align_corners=False)
        hole = _binarise(mask, _EPS)
        result = hole * result + (1 - hole) * image
    return result
