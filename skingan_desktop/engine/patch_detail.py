"""The fill's fine detail along the hole's edge, copied patch by patch from the photo around it.

Each patch over the hole's edge finds the known patch most like it, and the fill's fine detail
there is what those patches hold. Near the edge a patch is mostly real photo, so its copy
continues the real detail a pixel away (pores cut by the edge, the grain of a crease), where a
random grain only disagrees with it and must therefore fade in from nothing (``engine/grain.py``):
the faint outline a tile grain leaves along every fill. The copies are laid ``REACH`` px deep
and fade to the tile grain over ``FADE`` px more; deeper in, the tile grain is the better
texture (its sources are judged as skin, its energy matched to the skin's around each place).
On ``benchmarks/bench_fill.py``'s held-out cases the copies raised PSNR and SSIM (figures in
BENCHMARKS.md). Only fills made at the photo's own size take them: an enlarged fill's hole
holds millions of pixels.

The copies are solved as expectation-maximisation over patches (Wexler, Shechtman and Irani
2007), coarse to fine: each patch finds its nearest known patch, then each pixel of the band
becomes the weighted mean of what the patches over it copied, and again. Deeper than the band,
the fill's tone stands in (matched against, never copied), so the cost follows the hole's edge,
not its area. Nearest patches are found by PatchMatch (Barnes et al. 2009): matches spread from
neighbours and are tried at random at shrinking distances; each round is one array operation
over all the band's patches (matches spread in parallel, as in jump flooding), and patches are
compared on the photo and on a guide (the engine's tone in the hole, the photo's low pass
outside) by their first principal components, found by correlating the image with a kernel
each. The estimate is a mean of copies, smoother than skin, so the detail laid is not the
estimate's but the copied pixels' own (each against its own skin's low pass, so a copy from
skin a shade lighter brings no seam), voted sharply, at ``DETAIL_ENERGY`` of the skin's energy
around, its rare strong copies softened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from .grain import LUMA, known_low_pass, robust_spread, soften_outliers

PATCH = 5                  # px: the side of the patches compared and copied
COARSEST_DEPTH = 2.0       # px: the coarsest level is the one where the hole is at most this deep
MIN_SIDE = 2 * PATCH       # px: no level is smaller than this
EM_STEPS_COARSEST = 6      # copy-and-vote rounds at the coarsest level ...
EM_STEPS_FINEST = 2        # ... falling to this many at the finest
JUMPS = (1, 2, 4, 8)       # px: matches spread from the neighbours this far away
RANDOM_TRIES = 8           # random tries per search, at distances quartering from the image's side
FEATURES = 16              # principal components a patch is compared by (32 cost 50 % more, for nothing)
BASIS_SAMPLE = 4096        # known patches the components are found from
MIN_SOURCES = 16           # known patches needed to copy from at all
COARSE_SOURCES = 256       # ... and for a coarser level to be worth making
ESTIMATE_SHARPNESS = 1.0   # how much a better match's copy outweighs a worse one in the estimate's votes ...
DETAIL_SHARPNESS = 5.0     # ... and in the detail's (sharper: a mean of unrelated grains is no grain)
ENERGY_RING = 12           # px: the skin around the hole whose detail energy the copies are laid at ...
DETAIL_ENERGY = 0.8        # ... this share of its amplitude (chosen on the training subjects: 0.8 scores
                           # at least the tile grain on every measure there; 0.9 costs 0.05 dB)
REACH = 8.0                # px into the hole the copies are laid, in full ...
FADE = 4.0                 # ... fading to the tile grain over this many px more
OUTLIER_KNEE = 4.0         # copies beyond this many robust deviations are softened ...
OUTLIER_CEILING = 6.0      # ... and never exceed this many
MAX_GAIN = 2.0             # copies fainter than that skin are raised by this much at most
SOURCE_REACH = 64          # px at least: patches are copied from this far around the hole, ...
SOURCE_SPAN = 0.5          # ... or this many of the hole's own box sides, if more
MAX_PIXELS = 250_000       # holes with more pixels than this take the tile grain (the cost follows the area)
TARGET_CHUNK = 16_384      # target patches gathered at once (a few MB)


def patch_detail(photo: np.ndarray, hole: np.ndarray, tone: np.ndarray, origin: tuple[int, int], sigma: float, *,
                 avoid: Optional[np.ndarray] = None, seed: int = 0) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """The fine detail along the edge of ``hole`` (``(H, W)`` bool) of ``photo`` (``(H, W, 3)``
    uint8), finer than a Gaussian of ``sigma`` px, copied from the photo's own patches guided by
    the fill's ``tone`` (``(h, w, 3)`` float, the window of the photo at ``origin``, top and
    left, that holds every filled pixel). Returns the detail (``(h, w, 3)`` float32, to add to
    the tone) and its weight (``(h, w)`` float32): 1 up to ``REACH`` px into the hole, fading
    to 0 over ``FADE`` px more, 0 where nothing is filled; the rest is the tile grain's. No
    patch is copied from ``avoid`` (``(H, W)`` bool; its pixels are filled too, as the hole's).
    ``None`` when the hole is too large for this (``MAX_PIXELS``) or the photo around it too
    small to copy from."""
    unknown = hole if avoid is None else hole | avoid
    if not unknown.any() or unknown.sum() > MAX_PIXELS:
        return None
    window = _source_window(unknown)
    values = photo[window].astype(np.float32)
    inside = unknown[window]
    low, _ = known_low_pass(values, ~inside, sigma)
    guide = low.copy()
    # Where the tone's window and the one copied from overlap, in each's own coordinates.
    top, left = max(origin[0], window[0].start), max(origin[1], window[1].start)
    bottom = min(origin[0] + tone.shape[0], window[0].stop)
    right = min(origin[1] + tone.shape[1], window[1].stop)
    in_window = (slice(top - window[0].start, bottom - window[0].start),
                 slice(left - window[1].start, right - window[1].start))
    in_tone = (slice(top - origin[0], bottom - origin[0]), slice(left - origin[1], right - origin[1]))
    np.copyto(guide[in_window], tone[in_tone], where=inside[in_window][..., None])
    # Only the band the copies are laid in (and a patch's half beyond it) is synthesised; deeper
    # in, the fill's tone stands in, to be matched against but never copied: the cost follows
    # the hole's edge, not its area.
    depth = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3)
    band = inside & (depth <= REACH + FADE + PATCH // 2 + 1)
    estimate = values.copy()
    estimate[inside] = guide[inside]
    field = _fitted_field(estimate, band, ~inside, guide, seed)
    if field is None:
        return None
    channels = values.shape[2]
    own_detail = (values - low).reshape(-1, channels)  # each pixel's detail against its own skin
    pixels, copied = field.voted(own_detail, DETAIL_SHARPNESS)
    weight = np.clip((REACH + FADE - depth) / FADE, 0, 1) * inside
    # Laid at the energy of the skin around, as measured on the copies past the edge's first
    # pixels (there they are of mostly estimated patches, and fainter) within the reach; in a
    # thin hole every copy is of mostly real skin, and is laid as it is.
    square = np.ones((2 * ENERGY_RING + 1, 2 * ENERGY_RING + 1), np.uint8)
    ring = (cv2.dilate(inside.astype(np.uint8), square).astype(bool) & ~inside).ravel()
    counted = (depth.ravel()[pixels] > PATCH // 2 + 1) & (weight.ravel()[pixels] > 0)
    around = float(np.mean(own_detail[ring] ** 2))
    laid = float(np.mean(copied[counted] ** 2)) if counted.any() else 0.0
    gain = DETAIL_ENERGY * (min(max(math.sqrt(around / laid), 1.0), MAX_GAIN) if laid > 0 else 1.0)
    copied -= copied.mean(axis=0)  # detail, not a tint: copies from redder skin would shift the colour
    # A patch astride a strong edge that runs along the hole (a shirt's hem) matches another
    # astride it a pixel off, and its copy would draw the edge again, inside the fill.
    luma = copied @ LUMA
    spread = robust_spread(luma)
    if spread > 0:
        soften_outliers(copied, np.abs(luma), spread, OUTLIER_KNEE, OUTLIER_CEILING)
    local = np.zeros(values.shape, np.float32)
    local.reshape(-1, channels)[pixels] = gain * copied
    local *= weight[..., None]
    detail, laid_weight = np.zeros(tone.shape, np.float32), np.zeros(tone.shape[:2], np.float32)
    detail[in_tone], laid_weight[in_tone] = local[in_window], weight[in_window]
    return detail, laid_weight


def _source_window(unknown: np.ndarray) -> tuple[slice, slice]:
    """The part of the photo copied from: the hole's box grown by ``SOURCE_REACH`` px or
    ``SOURCE_SPAN`` box sides each way (skin near the hole is the likest)."""
    rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
    height, width = unknown.shape
    grow_y = max(SOURCE_REACH, int(SOURCE_SPAN * (rows[-1] + 1 - rows[0])))
    grow_x = max(SOURCE_REACH, int(SOURCE_SPAN * (cols[-1] + 1 - cols[0])))
    return (slice(max(rows[0] - grow_y, 0), min(rows[-1] + 1 + grow_y, height)),
            slice(max(cols[0] - grow_x, 0), min(cols[-1] + 1 + grow_x, width)))


@dataclass
class _Level:
    """One scale of the pyramid: the image (hole pixels hold the current estimate), the hole,
    the pixels a copied patch may hold, and the guide (what each place should look like from
    afar: the photo's low pass, the fill's tone in the hole)."""

    image: np.ndarray   # (H, W, C) float32
    hole: np.ndarray    # (H, W) bool
    usable: np.ndarray  # (H, W) bool
    guide: np.ndarray   # (H, W, C) float32


def _fitted_field(image: np.ndarray, hole: np.ndarray, usable: np.ndarray, guide: np.ndarray,
                  seed: int) -> Optional[_Field]:
    """The matches of the finest level once the ``hole``'s estimate in ``image`` has settled,
    coarse to fine, copying from ``usable`` pixels only; ``None`` when a level has too few known
    patches to copy from."""
    pyramid = [_Level(image, hole, usable, guide)]
    while _needs_coarser(pyramid[-1]):
        coarser_level = _shrunk(pyramid[-1])
        if _source_count(coarser_level) < COARSE_SOURCES:  # a level with too little to copy from settles nothing
            break
        pyramid.append(coarser_level)
    rng = np.random.default_rng(seed)
    coarsest = pyramid[-1]
    coarsest.image[coarsest.hole] = coarsest.guide[coarsest.hole]
    coarser: Optional[_Field] = None
    for depth, level in reversed(list(enumerate(pyramid))):
        field = _Field(level, rng)
        if field.sources.size < MIN_SOURCES:
            return None
        if coarser is not None:
            # The coarse matches copy this level's own pixels in, weighed against an enlarged
            # estimate: its detail, where an enlarged blur alone would match only the smoothest
            # patches, and the fill would stay smooth.
            field.inherit(coarser)
            level.image[level.hole] = cv2.resize(coarser.level.image, level.hole.shape[::-1],
                                                 interpolation=cv2.INTER_LINEAR)[level.hole]
            field.search()
            field.vote()
        steps = EM_STEPS_FINEST + round((EM_STEPS_COARSEST - EM_STEPS_FINEST) * depth / max(1, len(pyramid) - 1))
        for _ in range(steps):
            field.search()
            field.vote()
        coarser = field
    coarser.search()
    return coarser


def _needs_coarser(level: _Level) -> bool:
    height, width = level.hole.shape
    if min(height, width) // 2 < MIN_SIDE or not level.hole.any():
        return False
    deepest = cv2.distanceTransform(level.hole.astype(np.uint8), cv2.DIST_L2, 3).max()
    return deepest > COARSEST_DEPTH


def _whole_patches(usable: np.ndarray) -> np.ndarray:
    """Where a patch's centre may lie for the patch to hold usable pixels only (``(H, W)`` bool)."""
    height, width = usable.shape
    radius = PATCH // 2
    whole = cv2.erode(usable.astype(np.uint8), np.ones((PATCH, PATCH), np.uint8),
                      borderType=cv2.BORDER_CONSTANT, borderValue=0).astype(bool)
    whole[:radius], whole[height - radius:], whole[:, :radius], whole[:, width - radius:] = False, False, False, False
    return whole


def _source_count(level: _Level) -> int:
    return int(np.count_nonzero(_whole_patches(level.usable)))


def _shrunk(level: _Level) -> _Level:
    """The level at half the size: a pixel is in the hole where any of its four is, usable where
    all four are, and the mean of its known ones."""
    height, width = level.hole.shape
    size = (width // 2, height // 2)
    known = (~level.hole).astype(np.float32)
    total = cv2.resize(level.image * known[..., None], size, interpolation=cv2.INTER_AREA)
    share = cv2.resize(known, size, interpolation=cv2.INTER_AREA)
    image = (total / np.maximum(share, 1e-6)[..., None]).astype(np.float32)
    trimmed = (slice(0, size[1] * 2), slice(0, size[0] * 2))
    hole = level.hole[trimmed].reshape(size[1], 2, size[0], 2).any(axis=(1, 3))
    usable = level.usable[trimmed].reshape(size[1], 2, size[0], 2).all(axis=(1, 3)) & ~hole
    guide = cv2.resize(level.guide, size, interpolation=cv2.INTER_AREA)
    return _Level(image, hole, usable, guide)


class _Field:
    """The nearest-neighbour field of one level: for each patch overlapping the hole (its
    centre, a flat pixel index), the centre of the known patch it copies and how far apart
    the two are (the sum of squared differences)."""

    def __init__(self, level: _Level, rng: np.random.Generator) -> None:
        self.level, self.rng = level, rng
        height, width = level.hole.shape
        self.shape = (height, width)
        radius = PATCH // 2
        interior = np.zeros((height, width), bool)
        interior[radius:height - radius, radius:width - radius] = True
        self.valid = _whole_patches(level.usable).ravel()
        self.sources = np.flatnonzero(self.valid)
        square = np.ones((PATCH, PATCH), np.uint8)
        self.targets = np.flatnonzero((cv2.dilate(level.hole.astype(np.uint8), square).astype(bool) & interior).ravel())
        dy, dx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
        self.offsets = (dy * width + dx).ravel()
        self.flat = level.image.reshape(height * width, -1)  # a view: votes land in the image
        self.guide = level.guide.reshape(height * width, -1)  # counts as much as the photo (less did no better)
        self.match = np.full(height * width, -1, np.int64)
        self.distance = np.full(self.targets.size, np.inf, np.float32)
        # Patches are compared by their first principal components (of the photo and the guide
        # together): a few dozen numbers in place of every pixel of both, one gather a comparison.
        if self.sources.size < MIN_SOURCES:
            return
        self.match[self.targets] = self.rng.choice(self.sources, self.targets.size)
        sample = self._patches(self.rng.choice(self.sources, min(self.sources.size, BASIS_SAMPLE), replace=False))
        self.mean = sample.mean(axis=0)
        _, vectors = np.linalg.eigh(np.cov(sample - self.mean, rowvar=False))
        self.basis = np.ascontiguousarray(vectors[:, ::-1][:, :FEATURES]).astype(np.float32)
        # Each component of every patch at once is a correlation of the planes with a kernel.
        planes = np.concatenate([level.image, self.guide.reshape(height, width, -1)], axis=2)
        self.kernels = self.basis.T.reshape(FEATURES, PATCH, PATCH, planes.shape[2])
        self.offset = self.mean @ self.basis
        self.features = self._correlated(planes).reshape(height * width, FEATURES)

    def _patches(self, centres: np.ndarray) -> np.ndarray:
        around = centres[:, None] + self.offsets
        return np.concatenate([self.flat[around], self.guide[around]], axis=2).reshape(centres.size, -1)

    def _correlated(self, planes: np.ndarray) -> np.ndarray:
        features = np.empty(planes.shape[:2] + (FEATURES,), np.float32)
        for index, kernel in enumerate(self.kernels):
            total = -np.full(planes.shape[:2], self.offset[index], np.float32)
            for plane in range(planes.shape[2]):
                total += cv2.filter2D(planes[..., plane], cv2.CV_32F, kernel[..., plane],
                                      borderType=cv2.BORDER_REPLICATE)
            features[..., index] = total
        return features

    def _refresh_targets(self) -> None:
        """The target patches' components anew (the hole's estimate has changed): each patch
        times the basis, as the correlation computes it (a target patch lies wholly inside the
        image), for the targets only: correlating their whole box made the copies of the 512
        region in bench_fill_speed.py take 0.76 s instead of 0.68."""
        for chunk in range(0, self.targets.size, TARGET_CHUNK):
            targets = self.targets[chunk:chunk + TARGET_CHUNK]
            self.features[targets] = self._patches(targets) @ self.basis - self.offset

    def inherit(self, coarse: _Field) -> None:
        """Start from the coarser level's matches, each doubled to this level (the coarse
        match's pixel that this one's quarter falls on); random where that is not a source."""
        height, width = self.shape
        rows, cols = np.divmod(self.targets, width)
        coarse_height, coarse_width = coarse.shape
        parent = np.minimum(rows // 2, coarse_height - 1) * coarse_width + np.minimum(cols // 2, coarse_width - 1)
        matched = coarse.match[parent]
        source_rows, source_cols = np.divmod(np.maximum(matched, 0), coarse_width)
        source_rows, source_cols = 2 * source_rows + rows % 2, 2 * source_cols + cols % 2
        inside = (matched >= 0) & (source_rows < height) & (source_cols < width)
        candidate = np.where(inside, source_rows * width + source_cols, 0)
        keep = inside & self.valid[candidate]
        self.match[self.targets[keep]] = candidate[keep]

    def search(self) -> None:
        """One PatchMatch round: the current matches re-measured (the hole's estimate changed),
        then the neighbours' matches shifted here, then random tries around the best so far."""
        self._refresh_targets()
        self.distance = self._distances(self.match[self.targets])
        height, width = self.shape
        rows, cols = np.divmod(self.targets, width)
        for jump in JUMPS:
            for dy, dx in ((jump, 0), (-jump, 0), (0, jump), (0, -jump)):
                near_rows, near_cols = rows + dy, cols + dx
                inside = (near_rows >= 0) & (near_rows < height) & (near_cols >= 0) & (near_cols < width)
                neighbour = self.match[np.where(inside, near_rows * width + near_cols, 0)]
                source_rows, source_cols = np.divmod(np.maximum(neighbour, 0), width)
                self._try(inside & (neighbour >= 0), source_rows - dy, source_cols - dx)
        reach = max(height, width) / 2
        for _ in range(RANDOM_TRIES):
            source_rows, source_cols = np.divmod(self.match[self.targets], width)
            step = max(1, int(reach))
            self._try(np.ones(self.targets.size, bool),
                      source_rows + self.rng.integers(-step, step + 1, self.targets.size),
                      source_cols + self.rng.integers(-step, step + 1, self.targets.size))
            reach /= 4

    def _try(self, allowed: np.ndarray, source_rows: np.ndarray, source_cols: np.ndarray) -> None:
        height, width = self.shape
        inside = allowed & (source_rows >= 0) & (source_rows < height) & (source_cols >= 0) & (source_cols < width)
        candidate = np.where(inside, source_rows * width + source_cols, 0)
        inside &= self.valid[candidate]
        if not inside.any():
            return
        tried = np.flatnonzero(inside)
        distance = self._distances(candidate[tried], self.targets[tried])
        better = distance < self.distance[tried]
        chosen = tried[better]
        self.distance[chosen] = distance[better]
        self.match[self.targets[chosen]] = candidate[tried[better]]

    def _distances(self, sources: np.ndarray, targets: Optional[np.ndarray] = None) -> np.ndarray:
        targets = self.targets if targets is None else targets
        difference = self.features[targets] - self.features[sources]
        return np.einsum("nk,nk->n", difference, difference)

    def vote(self) -> None:
        """Every hole pixel becomes the mean of what the patches over it copied, each patch
        weighted by how well it matched (a poor match's copy counts for little)."""
        pixels, voted = self.voted(self.flat, ESTIMATE_SHARPNESS)
        self.flat[pixels] = voted

    def voted(self, values: np.ndarray, sharpness: float) -> tuple[np.ndarray, np.ndarray]:
        """The hole's pixels (flat indices) and, for each, the weighted mean of what the patches
        over it copy of ``values`` (``(H * W, C)``)."""
        hole = self.level.hole.ravel()
        pixels = np.flatnonzero(hole)
        slot = np.full(hole.size, -1, np.int64)
        slot[pixels] = np.arange(pixels.size)
        finite = np.isfinite(self.distance)
        scale = float(np.percentile(self.distance[finite], 75)) if finite.any() else 1.0
        weight = np.exp(-(self.distance - self.distance[finite].min(initial=0.0)) * sharpness
                        / (2 * max(scale, 1e-3))).astype(np.float64)
        weight[~finite] = 0
        sources = self.match[self.targets]
        channels = values.shape[1]
        total = np.zeros((pixels.size, channels))
        weights = np.zeros(pixels.size)
        for offset in self.offsets:
            here = slot[self.targets + offset]
            voting = here >= 0
            at, by = here[voting], weight[voting]
            weights += np.bincount(at, by, pixels.size)
            copied = values[sources[voting] + offset]
            for channel in range(channels):
                total[:, channel] += np.bincount(at, by * copied[:, channel], pixels.size)
        result = values[pixels].copy()
        voted = weights > 0
        result[voted] = (total[voted] / weights[voted, None]).astype(np.float32)
        return pixels, result


