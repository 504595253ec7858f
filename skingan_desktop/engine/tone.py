"""Frequency separation for fills: the tone from the generator, the grain from the photo.

This is the retoucher's frequency-separation technique applied to inpainting. The generator
works at 512 or 1024 px, so on a 24 MP photo its fill is enlarged several times: its coarse
part (the tone: colour, shading, the contour of a limb, light across a large hole) is what it
is good at, its fine part is missing after the enlargement, and a briefly trained generator
prints a faint 8 px lattice there. Inside the hole the fill is therefore::

    blur(generator's composite) + strength * grain

with a Gaussian blur of ``TEXTURE_SIGMA`` px at the generator's working size (as many photo
pixels times the enlargement), and the grain made at the photo's own resolution from the real
skin around the hole (``engine/grain.py``). ``strength`` scales the grain (1 = the skin's own).
Outside the hole nothing changes.

At the hole's edge the skin's real detail is known a pixel away, and a random grain there would
only disagree with it: the detail of the edge's own pixels is carried into the hole by the
harmonic membrane, fading to nothing ``EDGE_DETAIL_REACH`` px in (a thin line of ink is crossed
by its real continuation, 1 dB nearer the truth on tattoo shapes), and the grain grows from
nothing at the edge to full ``GRAIN_RAMP`` px in. Where the fill is made at the photo's own
size, the fine detail along the edge is instead copied patch by patch from the photo around it
(``engine/patch_detail.py``), which continues the real detail at full strength, and the grain
takes over deeper in.

Deep inside a large hole the tone comes from the membrane rather than the generator, which is
flat at every scale: there the middle band between tone and grain, the skin's mottle, is laid
from the ring's own statistics (``engine/mottle.py``), scaled by ``strength`` too. Where
the hole lies across a limb's edge, every membrane and seam is stretched surface by surface
(skin over the skin's ring, background over the background's: ``engine/surfaces.py``), as is
the grain.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Optional

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .grain import LUMA, grain_sources, known_low_pass, lay_grain, relative_detail
from .membrane import ESTIMATE_CYCLES, membrane_values
from .mottle import skin_mottle
from .patch_detail import patch_detail
from .surfaces import SPLIT_DEPTH, HoleSurfaces, hole_surfaces

TEXTURE_SIGMA = 1.5      # pixels at the working resolution: finer detail comes from the photo's grain
DEFAULT_TEXTURE_STRENGTH = 1.0  # the grain of the skin around the hole, as it is
EDGE_DETAIL_REACH = 12   # photo pixels: how far the edge's own detail is carried into the hole
GRAIN_RAMP = 3.0         # photo pixels: the grain grows from nothing at the edge to full over this depth
EDGE_TILE = 192          # photo pixels: the edge's band is solved in tiles of this side
GREY_SHARE = 0.995       # a region this much grey around the hole is a black-and-white photo: the fill is grey
# Working px: the generator's share of the tone's colour, and of its light and shade, halves
# every this far into the hole. Deep in a whole tattoo's box (hundreds of px at 512) a generator
# trained on small holes drifts to a grey or mauve guess, the ghost of the tattoo, and prints its
# blocks; the membrane there, stretched over the skin's own ring (``engine/surfaces.py``), is
# the skin's colour and light. Chosen on whole tattoos at 100 % (benchmarks/whole_tattoos.py):
# with the light from the generator a 2-3 working px grid of bands showed on 129_1, 158_1, 18_2;
# on bench_fill.py's training subjects a light reach of 16 px changed PSNR by under 0.05 dB.
# (Before the membrane was split by surfaces, light from it cost 0.2 dB on boxes across a
# limb's edge: it blended the background into the arm.)
STRUCTURE_REACH = 16.0
LIGHT_REACH = 16.0
# 8-bit levels: the generator's colour is followed where it is near the membrane's (stretched
# over the skin's own ring), its share falling as a Gaussian of their distance in this. Where a
# hole's edge meets jeans, a wall or strands of ink left outside the mask, the generator carries
# their colour into the arm, a blue or grey band along the edge (118_1, 158_1, 23_3, 103_1);
# skin's own colour varies less across a hole. On the fill benchmark's held-out cases 12 cost
# 0.02 dB (8: 0.03 dB).
COLOUR_TRUST = 12.0


def tone_sigma(native: tuple[int, int], working: tuple[int, int]) -> float:
    """The cut between tone and grain in photo pixels, for a fill made at ``working`` size
    ``(h, w)`` and enlarged to ``native``."""
    return TEXTURE_SIGMA * max(1.0, max(native) / max(1, max(working)))


def fill_tone(photo: np.ndarray, hole: np.ndarray, composite: np.ndarray, sigma: float,
              surfaces: Optional[HoleSurfaces] = None) -> np.ndarray:
    """The tone of the fill in ``composite`` (``(H, W, 3)``, the generator's fill pasted into
    ``photo``), seamlessly joined to the skin around ``hole``: ``(H, W, 3)`` float32, the
    photo's values outside the hole.

    The fill's tone is its Gaussian blur over the hole's pixels only, so that the skin around
    does not leak in. Where it meets the skin it is off by the difference of the two tones
    (a generator's colour drift, or a seam); that difference, taken on the ring around the
    hole, is carried across the hole by the harmonic membrane and added, as seamless cloning
    does (Pérez et al. 2003): the fill keeps its own shapes and shading, and joins the skin's
    tone all round."""
    tone = photo.astype(np.float32)
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    if rows.size == 0 or hole.all():
        return tone
    margin = math.ceil(3 * sigma) + 2
    top, bottom = max(rows[0] - margin, 0), min(rows[-1] + 1 + margin, hole.shape[0])
    left, right = max(cols[0] - margin, 0), min(cols[-1] + 1 + margin, hole.shape[1])
    window = (slice(top, bottom), slice(left, right))
    inside = hole[window]
    fill_low, _ = known_low_pass(composite[window].astype(np.float32), inside, sigma)
    skin_low, _ = known_low_pass(tone[window], ~inside, sigma)
    difference = skin_low - fill_low  # the ring's difference, carried across
    seam = (membrane_values(difference, inside, ESTIMATE_CYCLES) if surfaces is None
            else surfaces.membrane(difference, window, ESTIMATE_CYCLES))
    tone[window][inside] = (fill_low + seam)[inside]
    return tone


def native_fill(photo: np.ndarray, hole: np.ndarray, redone: np.ndarray, working_photo: np.ndarray,
                working_redone: np.ndarray, working_composite: np.ndarray, *,
                strength: float = DEFAULT_TEXTURE_STRENGTH, structure: float = 1.0,
                structure_reach: float = STRUCTURE_REACH, light_reach: float = LIGHT_REACH,
                split_depth: float = SPLIT_DEPTH, edge_copies: bool = True, seed: int = 0) -> np.ndarray:
    """The fill of a work region at its native size: ``photo`` (``(H, W, 3)`` uint8) with its
    ``hole`` filled, pixels outside it as they are. The tone comes from the generator's
    ``working_composite`` (``(h, w, 3)`` float in 8-bit units) of ``working_photo`` with
    ``working_redone`` (:func:`fill_tone`, made at the working size where the generator drew it,
    then enlarged), and ``strength`` times the photo's own detail finer than the enlargement is
    laid over it: the tile grain (``engine/grain.py``), and along the hole's edge, where the fill
    is made at the photo's own size, detail copied patch by patch from the photo around it
    (``engine/patch_detail.py``). ``redone`` (``(H, W)`` bool) is what the generator filled:
    the hole and ring pixels tinted by ink (``engine/anchor.py``), where no grain is taken from.
    ``structure`` is the share of the tone taken from the generator, the rest from
    the harmonic membrane over the redone pixels (a generator's structure weight); for the
    colour (the tone less its luma) that share halves every ``structure_reach`` working pixels
    into the hole, where the generator, far from anything it was shown, drifts to a grey guess
    and the membrane's colour is the skin's, and for the light and shade every ``light_reach``.
    In a hole deeper than ``split_depth`` working px the membrane and the seam are stretched
    surface by surface (``engine/surfaces.py``), and each surface's grain is taken from its own
    pixels. Deep in the hole the skin's mottle (``engine/mottle.py``) is laid between the tone
    and the grain. Without ``edge_copies`` the tile grain is laid everywhere (the heal brush, whose dab
    must land fast: ``engine/heal.py``)."""
    out = photo.copy()
    redone = redone | hole
    rows, cols = np.flatnonzero(redone.any(axis=1)), np.flatnonzero(redone.any(axis=0))
    if rows.size == 0:
        return out
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    surfaces = hole_surfaces(working_photo, working_redone, split_depth)
    sigma = tone_sigma(photo.shape[:2], working_photo.shape[:2])
    # Made at the photo's own size, the fill's detail along the hole's edge is copied patch by
    # patch from the photo around it (``engine/patch_detail.py``): it continues what crosses the
    # edge. Deeper, and everywhere in a fill enlarged from the working size, it is the tile grain.
    copies = edge_copies and bool(strength) and sigma <= TEXTURE_SIGMA
    box = (top, bottom, left, right)
    with ThreadPoolExecutor(max_workers=1) as helper:
        # The tile grain is made on the other core while the tone is: first the skin it is taken
        # from (it needs no tone), then, once the tone is enlarged, the grain laid (it needs the
        # tone only to choose sources of a like tone) while the tone is joined to the skin and
        # the edge's own detail carried in. Each surface's grain comes from its own pixels: a
        # background's texture (crumpled plastic, denim) laid into skin prints as cracks.
        sources = helper.submit(grain_sources, photo, hole, sigma, box, avoid=redone,
                                surfaces=surfaces.surface_map(photo.shape[:2])) if strength else None
        tone_small = fill_tone(working_photo, working_redone, working_composite, TEXTURE_SIGMA, surfaces)
        share = structure * (1 - surfaces.near_contour())  # where two surfaces meet, the membrane's edge
        if (share.min() < 1 or math.isfinite(min(structure_reach, light_reach))) and not working_redone.all():
            # The membrane meets the ring already: only the generator's share needs the seam's
            # correction, so the two are mixed after it (an all-hole region has no membrane).
            membrane = surfaces.membrane(working_photo)
            tone_small = _mixed_tone(tone_small, membrane, working_redone, share, structure_reach, light_reach)
        # Deep in a large hole, the middle band the flat membrane lacks (``engine/mottle.py``):
        # coarser than a working pixel, it is laid before the tone is enlarged.
        skin, skin_share = surfaces.main_skin()
        mottle = skin_mottle(working_photo, working_redone, TEXTURE_SIGMA, skin, skin_share, seed) if strength else None
        if mottle is not None:
            tone_small = tone_small * (1 + strength * mottle)
        tone = enlarged(tone_small, photo.shape[:2], box)  # the redone pixels' box only
        grain = None if sources is None else helper.submit(_grain_when_found, sources, hole, tone, (top, left), seed)
        # The copies (None for a hole too large to copy for, or too little photo around it), and
        # where they are laid.
        copied = patch_detail(photo, hole, tone, (top, left), sigma, avoid=redone, seed=seed) if copies else None
        laid, laid_weight = copied if copied is not None else (None, None)
        tone = _joined_at_native_size(photo, redone, tone, box, sigma)
        detail, depth = edge_detail(photo, redone, box, sigma)
        # The tone times (1 + the edge's detail + the grain), in place: on a 26 MP photo each
        # of these arrays is a few hundred MB.
        if grain is not None:
            ramp = np.clip(np.divide(depth, GRAIN_RAMP), 0, 1)  # 0 at the edge, full GRAIN_RAMP px in
            ramp *= strength
            if laid_weight is not None:
                ramp *= 1 - laid_weight  # where the copies are laid, the grain is not
            relative = grain.result()
            relative *= ramp
            detail += relative
    detail += 1
    tone *= detail[..., None]
    if laid is not None:
        laid *= strength
        tone += laid
    step = max(1, int(np.sqrt(redone.size / ACHROMATIC_SAMPLE)))  # a million pixels tell as well as all
    if is_achromatic(photo[::step, ::step][~redone[::step, ::step]]):  # black and white: a tint would show
        tone[:] = (tone @ LUMA)[..., None]
    inside = hole[top:bottom, left:right]
    np.clip(np.round(tone, out=tone), 0, 255, out=tone)
    np.copyto(out[top:bottom, left:right], tone.astype(np.uint8), where=inside[..., None])
    return out


def _grain_when_found(sources: Future, hole: np.ndarray, tone: np.ndarray, origin: tuple[int, int],
                      seed: int) -> np.ndarray:
    return lay_grain(sources.result(), hole, tone, origin, seed=seed)


def _mixed_tone(generated: np.ndarray, membrane: np.ndarray, redone: np.ndarray, structure: np.ndarray,
                colour_reach: float, light_reach: float) -> np.ndarray:
    """``structure`` (``(h, w)`` shares) of the generator's tone with the rest the membrane's at
    the hole's edge; inward, the generator's share of the colour halves every ``colour_reach``
    px and of the light and shade (the luma) every ``light_reach`` px. The colour's share also
    falls where the generator's colour is far from the membrane's (``COLOUR_TRUST``)."""
    depth = cv2.distanceTransform(redone.astype(np.uint8), cv2.DIST_L2, 3)
    light_share = (structure * np.exp2(-depth / light_reach))[..., None]
    generated_light, membrane_light = (generated @ LUMA)[..., None], (membrane @ LUMA)[..., None]
    apart = np.linalg.norm((generated - generated_light) - (membrane - membrane_light), axis=-1)
    colour_share = (structure * np.exp2(-depth / colour_reach) * np.exp(-((apart / COLOUR_TRUST) ** 2)))[..., None]
    light = light_share * generated_light + (1 - light_share) * membrane_light
    colour = colour_share * (generated - generated_light) + (1 - colour_share) * (membrane - membrane_light)
    return light + colour


ACHROMATIC_SAMPLE = 1_000_000  # pixels of the region looked at to tell a black-and-white photo


def is_achromatic(pixels: np.ndarray) -> bool:
    """Whether ``pixels`` (``(n, 3)`` uint8) are grey, as a black-and-white photo's are: red,
    green and blue within one level of each other nearly everywhere."""
    if not len(pixels):
        return False
    spread = pixels.max(axis=1).astype(np.int16) - pixels.min(axis=1)
    return float(np.mean(spread <= 1)) > GREY_SHARE


def edge_detail(photo: np.ndarray, redone: np.ndarray, box: tuple[int, int, int, int],
                sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """For ``box`` (top, bottom, left, right: the redone pixels' box), the relative luma detail
    finer than ``sigma`` of the clean skin around ``redone``, carried into it by the harmonic
    membrane and fading to nothing ``EDGE_DETAIL_REACH`` px in (``(h, w)`` float32, 0 outside
    ``redone``), and each pixel's distance to that skin (``(h, w)`` float32 px, 0 outside)."""
    top, bottom, left, right = box
    height, width = redone.shape
    margin = math.ceil(3 * sigma) + 2
    grown = (max(top - margin, 0), min(bottom + margin, height), max(left - margin, 0), min(right + margin, width))
    window = (slice(grown[0], grown[1]), slice(grown[2], grown[3]))
    inner = (slice(top - grown[0], bottom - grown[0]), slice(left - grown[2], right - grown[2]))
    unknown = redone[window]
    depth = cv2.distanceTransform(unknown.astype(np.uint8), cv2.DIST_L2, 3)
    carried = np.zeros(unknown.shape, np.float32)
    if unknown.all():
        return carried[inner], depth[inner]
    reach = unknown & (depth <= EDGE_DETAIL_REACH)  # deeper pixels hold the membrane at 0
    # Only the band along the edge is solved, tile by tile (each with the skin and the band
    # around it): on a 26 MP photo the band is a sliver of the hole's box.
    tile, overlap = EDGE_TILE, EDGE_DETAIL_REACH + margin
    for y in range(0, unknown.shape[0], tile):
        for x in range(0, unknown.shape[1], tile):
            if not reach[y:y + tile, x:x + tile].any():
                continue
            around = (slice(max(y - overlap, 0), y + tile + overlap), slice(max(x - overlap, 0), x + tile + overlap))
            here = (slice(y - around[0].start, y - around[0].start + tile),
                    slice(x - around[1].start, x - around[1].start + tile))
            known = ~unknown[around]
            if not known.any():
                continue
            relative, _ = relative_detail(photo[window][around].astype(np.float32) @ LUMA, known, sigma)
            solved = membrane_values(relative, reach[around], cycles=1)
            carried[y:y + tile, x:x + tile] = np.where(reach[around], solved, 0)[here]
    return carried[inner], depth[inner]


def _joined_at_native_size(photo: np.ndarray, redone: np.ndarray, tone: np.ndarray,
                           box: tuple[int, int, int, int], sigma: float) -> np.ndarray:
    """``tone`` (enlarged from the working size, for ``box`` = top, bottom, left, right of the
    redone pixels) eased, over the first ``2 * sigma`` px inside ``redone``, into the skin just
    outside, at the photo's own size: the seam was matched to the skin at the working size, a
    few photo pixels out; here it meets the skin pixel for pixel."""
    if sigma <= TEXTURE_SIGMA:  # made at the photo's size: already joined
        return tone
    top, bottom, left, right = box
    height, width = redone.shape
    grown = (max(top - 1, 0), min(bottom + 1, height), max(left - 1, 0), min(right + 1, width))
    inner = (slice(top - grown[0], bottom - grown[0]), slice(left - grown[2], right - grown[2]))
    window = (slice(grown[0], grown[1]), slice(grown[2], grown[3]))
    unknown = redone[window]
    if unknown.all():
        return tone
    # The skin carried in by the membrane's first guess (coarse-to-fine averages, no V-cycles:
    # it is only trusted near the edge), and the easing, made on the window shrunk to a quarter
    # of the cut between tone and grain: what they change is coarser than that.
    shrink = max(1, int(sigma // 4))
    height, width = unknown.shape
    size = (max(1, width // shrink), max(1, height // shrink))
    small_unknown = cv2.resize(unknown.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0  # wholly known blocks only
    if small_unknown.all():
        return tone
    small = cv2.resize(photo[window], size, interpolation=cv2.INTER_AREA).astype(np.float32)
    skin = membrane_values(small, small_unknown, cycles=0)
    small_tone = cv2.resize(tone, size, interpolation=cv2.INTER_AREA)  # the box is at most a pixel in
    distance = cv2.distanceTransform(small_unknown.astype(np.uint8), cv2.DIST_L2, 3) * shrink
    ease = np.clip(1 - distance / (2 * sigma), 0, 1)[..., None]
    change = cv2.resize(ease * (skin - small_tone), (width, height), interpolation=cv2.INTER_LINEAR)
    return tone + change[inner]


def enlarged(small: np.ndarray, size: tuple[int, int], window: tuple[int, int, int, int]) -> np.ndarray:
    """The ``window`` (``top, bottom, left, right`` at ``size``) of ``small`` resized to ``size``
    (pixel centres aligned, as ``torch`` and OpenCV resize), bilinear: only that window is made."""
    top, bottom, left, right = window
    scale_y, scale_x = small.shape[0] / size[0], small.shape[1] / size[1]
    ys = ((np.arange(top, bottom) + 0.5) * scale_y - 0.5).astype(np.float32)
    xs = ((np.arange(left, right) + 0.5) * scale_x - 0.5).astype(np.float32)
    map_x, map_y = np.meshgrid(xs, ys)
    return cv2.remap(small, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


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
