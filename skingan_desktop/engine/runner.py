"""Runs the generator on photos: work regions, the 512 result, the refined 1024 result.

The 512 result is one plain pass of the region at up to 512 px; the refined result is the
region at up to 1024 px, refined from the 512 result with multiscale feature refinement.
When the region is 1024 px or more the 512 pass *is* the coarsest scale of the refinement and
is not computed twice.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from ..model.refine import CancelFlag, Cancelled, ProgressCallback, PyramidLevel, is_cancelled
from ..model.refine import coarser, fast_optimise_dtype, refine_level, refine_pyramid
from .allocator import reusing_freed_memory
from .mask_ops import grow_mask
from .region import WorkRegion, paste, work_regions
from .anchor import anchored_hole, halo_for
from .surfaces import SPLIT_DEPTH
from .tone import DEFAULT_TEXTURE_STRENGTH, LIGHT_REACH, STRUCTURE_REACH, native_fill
from .tensors import fit_size, mask_to_tensor, photo_to_tensor, shrunk_hole, shrunk_photo, tensor_to_photo


class EmptyMaskError(ValueError):
    """Raised before any work when the mask has no pixel to fill."""


@dataclass
class RegionResult:
    """The generated pixels for one work region, at the region's native size.

    ``preview`` and ``refined`` are ``(h, w, 3)`` uint8 composites (the region's own pixels
    outside ``hole``); ``refined`` is ``None`` until made (or when refinement is off).
    """

    region: WorkRegion
    hole: np.ndarray
    preview: np.ndarray
    refined: Optional[np.ndarray] = None
    source: Optional[np.ndarray] = None  # the region's pixels as the run saw them

    def chosen(self, refined: bool) -> np.ndarray:
        """The refined result when asked for and made, else the 512 one."""
        return self.refined if refined and self.refined is not None else self.preview


@dataclass
class InpaintSettings:
    preview_side: int = 512      # long side of the quick result
    refined_side: int = 1024     # long side of the refined result
    n_iters: int = 15            # refinement iterations per finer scale
    lr: float = 0.002            # refinement Adam learning rate
    context: float = 2.0         # region size relative to the masked area
    region_side: int = 512       # regions are at least this big where the photo allows
    feather: int = 0             # seam feather in native pixels; 0 keeps outside pixels exact
    refine: bool = True
    precision: str = "auto"      # refinement iterations: "auto" (bf16 where native) or "float32"
    texture_strength: float = DEFAULT_TEXTURE_STRENGTH  # the photo's grain in fills (engine/tone.py)
    structure_weight: Optional[float] = None  # share of the tone from the generator; None: the model's own
    structure_reach: float = STRUCTURE_REACH  # working px into the hole over which that share of colour halves
    light_reach: float = LIGHT_REACH  # ... and of light and shade
    split_depth: float = SPLIT_DEPTH  # working px: deeper holes are split into surfaces (engine/surfaces.py)
    edge_copies: bool = True     # the detail along the hole's edge copied patch by patch (engine/patch_detail.py)
    halo: Optional[int] = None   # the ink's soft edge in px; None: scaled to the photo given (anchor.halo_for)


@dataclass
class Inpainter:
    """Photo + mask in, per-region 512 and refined results out. No Qt; safe in a worker thread."""

    generator: nn.Module
    settings: InpaintSettings = field(default_factory=InpaintSettings)

    @property
    def device(self) -> torch.device:
        return next(self.generator.parameters()).device

    def run(
        self,
        photo: np.ndarray,
        hole: np.ndarray,
        *,
        on_preview: Optional[Callable[[int, RegionResult], None]] = None,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelFlag] = None,
        on_notice: Optional[Callable[[str], None]] = None,
        alpha: Optional[np.ndarray] = None,
    ) -> Optional[list[RegionResult]]:
        """Inpaint every work region of ``hole`` (``(H, W)`` bool) in ``photo`` (``(H, W, 3)``
        uint8). ``on_preview(index, result)`` fires as soon as a region's 512 result exists;
        ``on_notice(message)`` tells of a fallback after running out of memory. ``alpha``
        (``(H, W)`` uint8, a soft brush's mask) blends the fill by it where it is below 255:
        a soft edge. Returns ``None`` if cancelled."""
        if photo.shape[:2] != hole.shape:
            raise ValueError(
                f"The mask is {hole.shape[1]}x{hole.shape[0]} but the photo is {photo.shape[1]}x{photo.shape[0]}."
            )
        if not hole.any():
            raise EmptyMaskError("The mask is empty: paint over the area to remove first.")
        regions = work_regions(hole, context=self.settings.context, min_side=self.settings.region_side)
        results: list[RegionResult] = []
        try:
            with reusing_freed_memory():  # engine/allocator.py
                for index, region in enumerate(regions):
                    stage = f"region {index + 1}/{len(regions)}"
                    while True:
                        try:
                            result = self._run_region(photo, hole, region, stage, on_preview, index, progress, cancel,
                                                      None if alpha is None else alpha[region.slices])
                            break
                        except (torch.OutOfMemoryError, MemoryError) as exc:
                            self._recover_from_oom(exc, on_notice)
                    results.append(result)
        except Cancelled:
            return None
        return results

    def _recover_from_oom(self, exc: BaseException, on_notice: Optional[Callable[[str], None]]) -> None:
        """Free memory, then step down: GPU -> CPU, then a smaller refined size, then no
        refinement; re-raise as ``MemoryError`` with advice when nothing smaller is left."""
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        settings = self.settings
        if self.device.type == "cuda":
            self.generator = self.generator.to("cpu")
            notice = "The GPU ran out of memory; continuing on the CPU (slower)."
        elif settings.refine and settings.refined_side > settings.preview_side * 1.25:
            settings.refined_side = max(settings.preview_side, int(settings.refined_side * 0.75) // 8 * 8)
            notice = f"Out of memory; refining at {settings.refined_side} px instead."
        elif settings.refine:
            settings.refine = False
            notice = "Out of memory; showing the 512 result without refinement."
        else:
            raise MemoryError("Out of memory even for the 512 result: close other programs or use a smaller mask.") from exc
        if on_notice is not None:
            on_notice(notice)

    def _run_region(
        self, photo: np.ndarray, hole: np.ndarray, region: WorkRegion, stage: str,
        on_preview: Optional[Callable[[int, RegionResult], None]], index: int,
        progress: Optional[ProgressCallback], cancel: Optional[CancelFlag], alpha: Optional[np.ndarray] = None,
    ) -> RegionResult:
        settings = self.settings
        crop, crop_hole = photo[region.slices], hole[region.slices]
        # A feathered seam blends the fill into the skin beyond the hole: fill that band too.
        filled_hole = grown_hole(crop_hole, settings.feather)
        halo = halo_for(photo.shape) if settings.halo is None else settings.halo
        redone = anchored_hole(crop, filled_hole, halo)  # the hole and ring pixels tinted by ink
        native = crop.shape[:2]
        fine_size = fit_size(*native, settings.refined_side)
        preview_size = fit_size(*native, settings.preview_side)
        refine = settings.refine and max(fine_size) > settings.preview_side
        coarse = None
        if refine:
            fine = self._level(crop, redone, fine_size)
            coarse = coarser(fine)
        reuse = coarse is not None and max(coarse.image.shape[-2:]) >= max(preview_size)
        preview_level = coarse if reuse else self._level(crop, redone, preview_size)

        if is_cancelled(cancel):
            raise Cancelled
        preview_scaled = refine_level(self.generator, preview_level, None)
        preview = soft_edged(crop, self._to_native(preview_scaled, preview_level, crop, crop_hole, filled_hole, redone),
                             crop_hole, alpha)
        result = RegionResult(region, crop_hole, preview, source=crop.copy())
        if progress is not None:
            progress(f"{stage}: 512 result", 0, 1)
        if on_preview is not None:
            on_preview(index, result)
        if not refine:
            if settings.refine:  # the region is small: the native pass is already the best result
                result.refined = result.preview
            return result

        def report(_: str, step: int, total: int) -> None:
            if progress is not None:
                progress(f"{stage}: refining", step, total)

        optimise_dtype = fast_optimise_dtype(self.device) if settings.precision == "auto" else None
        refined = refine_pyramid(
            self.generator, [coarse, fine], n_iters=settings.n_iters, lr=settings.lr,
            coarsest_result=preview_scaled if reuse else None, progress=report, cancel=cancel,
            optimise_dtype=optimise_dtype,
        )[-1]
        result.refined = soft_edged(crop, self._to_native(refined, fine, crop, crop_hole, filled_hole, redone),
                                    crop_hole, alpha)
        return result

    def _level(self, crop: np.ndarray, redone: np.ndarray, size: tuple[int, int]) -> PyramidLevel:
        """The region and what is to be redone at ``size``, as tensors on the generator's device."""
        return PyramidLevel(photo_to_tensor(shrunk_photo(crop, size), self.device),
                            mask_to_tensor(shrunk_hole(redone, size), self.device))

    def _structure_weight(self) -> float:
        if self.settings.structure_weight is not None:
            return self.settings.structure_weight
        return getattr(self.generator, "structure_weight", 1.0)

    def _to_native(self, scaled: torch.Tensor, level: PyramidLevel, crop: np.ndarray, crop_hole: np.ndarray,
                   filled_hole: np.ndarray, redone: np.ndarray) -> np.ndarray:
        """A working-size composite back at the region's native size: its tone with the photo's
        own grain (``engine/tone.py``) inside ``crop_hole``, the region's pixels elsewhere; with a
        feather, the fill of ``filled_hole`` (the hole and the feather's band) blended across it."""
        working_redone = level.mask[0, 0].cpu().numpy() > 0.5
        working_composite = scaled[0].permute(1, 2, 0).mul(255).cpu().numpy()
        filled = native_fill(crop, filled_hole, redone, tensor_to_photo(level.image), working_redone, working_composite,
                             strength=self.settings.texture_strength,
                             structure=self._structure_weight(), structure_reach=self.settings.structure_reach,
                             light_reach=self.settings.light_reach, split_depth=self.settings.split_depth,
                             edge_copies=self.settings.edge_copies)
        if self.settings.feather <= 0:  # the fill already keeps every pixel outside the hole
            return filled
        return paste(crop, WorkRegion(0, 0, crop.shape[1], crop.shape[0]), filled, crop_hole, self.settings.feather)


def soft_edged(crop: np.ndarray, filled: np.ndarray, hole: np.ndarray, alpha: Optional[np.ndarray]) -> np.ndarray:
    """``filled`` with the hole's pixels blended back towards ``crop`` where ``alpha`` (uint8)
    is below 255: the soft edge of a soft brush. Unchanged without ``alpha``."""
    if alpha is None:
        return filled
    soft = hole & (alpha < 255)
    if not soft.any():
        return filled
    weight = alpha[soft].astype(np.float32)[:, None] / 255.0
    out = filled.copy()
    here = crop[soft].astype(np.float32)
    out[soft] = np.round(here + weight * (filled[soft].astype(np.float32) - here)).astype(np.uint8)
    return out


def grown_hole(hole: np.ndarray, feather: int) -> np.ndarray:
    """``hole`` and the ``feather`` px around it (the hole itself when ``feather`` is 0)."""
    if feather <= 0:
        return hole
    return grow_mask(hole.astype(np.uint8), feather) > 0


def warm_up(generator: nn.Module, side: int = 512) -> None:
    """One small fill through the whole engine, so that the user's first run does not pay for
    the first pass's set-up (memory pools, kernel choices): the app calls it at load, in the
    background, while the photo opens."""
    rng = np.random.default_rng(0)
    photo = rng.integers(90, 200, (side, side, 3), dtype=np.uint8)
    hole = np.zeros((side, side), bool)
    hole[side // 3:side // 2, side // 4:side // 2] = True
    Inpainter(generator, InpaintSettings(refine=False)).run(photo, hole)


def apply_results(photo: np.ndarray, results: list[RegionResult], *, refined: bool) -> np.ndarray:
    """A copy of ``photo`` with each region's preview (or refined) result put in place."""
    out = photo.copy()
    for result in results:
        out[result.region.slices] = result.chosen(refined)
    return out


def results_area(results: list[RegionResult]) -> WorkRegion:
    """The rectangle that holds every result's region."""
    return WorkRegion(min(r.region.left for r in results), min(r.region.top for r in results),
                      max(r.region.right for r in results), max(r.region.bottom for r in results))


def composite_crop(photo: np.ndarray, results: list[RegionResult], refined: Optional[bool]) -> np.ndarray:
    """:func:`results_area` of ``photo`` as it is (``refined=None``) or with the 512 (False) or
    refined (True, where made) results in place: what the compare panes show."""
    area = results_area(results)
    crop = photo[area.slices]
    if refined is None:
        return crop.copy()
    shifted = [RegionResult(WorkRegion(r.region.left - area.left, r.region.top - area.top,
                                       r.region.right - area.left, r.region.bottom - area.top),
                            r.hole, r.preview, r.refined) for r in results]
    return apply_results(crop, shifted, refined=refined)
