"""How long a run will take, said before it starts (the run panel shows it).

A pass of the generator costs in proportion to the pixels it sees; a refinement iteration is a
forward and a backward pass at the refined size, about ``ITERATION_PASSES`` passes. The unit is
one 512x512 pass of the loaded model on this machine, timed when the model is loaded (its
warm-up). What the runs actually took then corrects the formula (:func:`corrected_scale`), so
the estimate learns the machine and the model.
"""

from __future__ import annotations

import math

import numpy as np

from .region import work_regions
from .runner import InpaintSettings
from .tensors import fit_size, touched

ITERATION_PASSES = 3.0
UNIT_PIXELS = 512 * 512
ESTIMATE_PIXELS = 1_000_000


def run_passes(hole: np.ndarray, settings: InpaintSettings) -> float:
    """The work of a run on ``hole`` (``(H, W)`` bool) in 512x512 passes: each region's 512
    result, and with refinement its coarse pass and its iterations at the refined size."""
    passes = 0.0
    for native in _region_sizes(hole, settings):
        preview = fit_size(*native, settings.preview_side)
        passes += preview[0] * preview[1] / UNIT_PIXELS
        fine = fit_size(*native, settings.refined_side)
        if settings.refine and max(fine) > settings.preview_side:
            fine_pixels = fine[0] * fine[1] / UNIT_PIXELS
            coarse_pixels = fine_pixels / 4
            if coarse_pixels > preview[0] * preview[1] / UNIT_PIXELS * 1.01:  # else the 512 pass is the coarse one
                passes += coarse_pixels
            passes += settings.n_iters * ITERATION_PASSES * fine_pixels + fine_pixels
    return passes


def _region_sizes(hole: np.ndarray, settings: InpaintSettings) -> list[tuple[int, int]]:
    """The ``(height, width)`` of the run's work regions. A big photo's mask is looked at shrunk
    to about ``ESTIMATE_PIXELS`` (the estimate follows every stroke, on the GUI thread: finding the
    regions of a 24 MP mask at full size takes half a second there)."""
    factor = max(1, math.ceil(math.sqrt(hole.size / ESTIMATE_PIXELS)))
    if factor == 1:
        regions = work_regions(hole, context=settings.context, min_side=settings.region_side)
        return [(r.height, r.width) for r in regions]
    height, width = hole.shape
    small = touched(hole, (math.ceil(width / factor), math.ceil(height / factor)))
    regions = work_regions(small, context=settings.context, min_side=max(1, settings.region_side // factor))
    return [(min(height, r.height * factor), min(width, r.width * factor)) for r in regions]


def run_seconds(hole: np.ndarray, settings: InpaintSettings, pass_seconds: float, scale: float = 1.0) -> float:
    """The estimate: :func:`run_passes` at ``pass_seconds`` per 512x512 pass, times ``scale``."""
    return run_passes(hole, settings) * pass_seconds * scale


def corrected_scale(scale: float, estimated: float, took: float) -> float:
    """``scale`` moved halfway towards what the last run showed (kept within 0.2-5)."""
    if estimated <= 0 or took <= 0:
        return scale
    seen = scale * took / estimated
    return float(min(5.0, max(0.2, (scale * seen) ** 0.5)))
