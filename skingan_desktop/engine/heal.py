"""The heal brush: a small painted spot (a pimple, a pore, a leftover dot of ink) filled at once
from the skin around it, as Photoshop's Spot Healing Brush does.

The spot goes through the engine's own fill (the generator, its tone and the photo's grain,
``engine/runner.py``) at the photo's native scale, in a region a few times the spot's size
(``HEAL_CONTEXT``, at least ``HEAL_SIDE`` px): no refinement, so a 40 px dab lands in about a
tenth of a second on a laptop CPU. The painted alpha keeps its soft edge: where the brush was
soft the fill is blended with the photo (as a run blends a soft mask), so a dab leaves no rim.

The caller cuts out :func:`heal_reach` (the part of the photo a heal reads) and passes that
crop, so a 24 MP photo is never copied for a dab.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from .anchor import halo_for
from .region import WorkRegion, grow_box
from .runner import InpaintSettings, Inpainter, apply_results
from .tone import DEFAULT_TEXTURE_STRENGTH

HEAL_SIDE = 128        # a heal's region is at least this many px a side (where the photo allows)
HEAL_CONTEXT = 3.0     # ... and this many times the spot's size
PAINTED = 0.02         # alpha above this is part of the spot


def heal_reach(painted: WorkRegion, photo_shape: tuple[int, ...]) -> WorkRegion:
    """The rectangle of the photo that a heal of a spot painted within ``painted`` reads and
    may change."""
    height, width = photo_shape[:2]
    return grow_box(painted, (width, height), HEAL_CONTEXT, HEAL_SIDE)


def heal_spot(generator: nn.Module, crop: np.ndarray, alpha: np.ndarray, *, photo_shape: tuple[int, ...],
              texture_strength: float = DEFAULT_TEXTURE_STRENGTH) -> np.ndarray:
    """``crop`` (``(h, w, 3)`` uint8, the photo at :func:`heal_reach`) with the painted spot
    ``alpha`` (``(h, w)`` float, 0-1) healed: the fill where ``alpha`` is 1, blended by it on
    the brush's soft edge, every unpainted pixel unchanged. ``photo_shape`` is the whole
    photo's, which sets the ink halo as it does for a run."""
    if crop.shape[:2] != alpha.shape:
        raise ValueError(f"The spot is {alpha.shape[1]}x{alpha.shape[0]} but the photo crop is "
                         f"{crop.shape[1]}x{crop.shape[0]}.")
    hole = alpha > PAINTED
    if not hole.any():
        return crop.copy()
    # The tile grain only: copying the edge's detail patch by patch would more than double a
    # dab's time (about 70 -> 150-230 ms at 24 MP), past what a brush may take to land (150 ms).
    settings = InpaintSettings(refine=False, region_side=HEAL_SIDE, context=HEAL_CONTEXT,
                               texture_strength=texture_strength, halo=halo_for(photo_shape), edge_copies=False)
    # The brush's soft edge is a soft mask, as a run's: the engine blends its fill by it.
    soft = np.round(np.clip(alpha, 0.0, 1.0) * 255).astype(np.uint8)
    results = Inpainter(generator, settings).run(crop, hole, alpha=soft)
    assert results is not None  # never cancelled
    return apply_results(crop, results, refined=False)
