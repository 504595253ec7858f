"""A prototype, measured and not yet in the engine: fine detail for a fill by patch synthesis.

``bench_detail_sources.py`` found that the fine detail of a PatchMatch fill (finer than the
engine's 1.5 px tone cut), laid over the engine's own tone, scores better than the engine's
tile grain: it continues what crosses the hole's edge (a crease, pores cut by the edge), where
a random grain only adds noise. This is our own vectorised synthesis, to grow into the engine
once it matches PyPatchMatch's detail and is fast enough (figures in BENCHMARKS.md).

The fill is the one that agrees best, patch by patch, with the photo's own patches, solved as
expectation-maximisation (Wexler, Shechtman and Irani 2007): each patch of ``PATCH`` px over
the hole finds its nearest known patch, then every hole pixel becomes the weighted mean of what
the patches over it copied, and again, coarse to fine. The nearest patches are found by
PatchMatch (Barnes et al. 2009): matches spread from neighbours (in parallel, as in jump
flooding, so each round is one array operation over all the hole's patches) and are tried at
random at shrinking distances. Patches are compared on the photo and on a guide (the engine's
tone in the hole, the photo's low pass outside), so copies have the fill's colour and light. A
coarse level's matches copy the finer level's own pixels in (not an enlarged blur, which
would match only the smoothest patches), and the finest level's pixels are their matches'
centre pixels as they are (a vote averages several copies into a blur).
"""


from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PATCH = 7                  # px: the side of the patches compared and copied
COARSEST_DEPTH = 2.0       # px: the coarsest level is the one where the hole is at most this deep
MIN_SIDE = 2 * PATCH       # px: no level is smaller than this
EM_STEPS_COARSEST = 6      # copy-and-vote rounds at the coarsest level ...
EM_STEPS_FINEST = 2        # ... falling to this many at the finest
JUMPS = (1, 2, 4, 8)       # px: matches spread from the neighbours this far away
RANDOM_TRIES = 8           # random tries per search, at distances quartering from the image's side
GUIDE_WEIGHT = 1.0         # the guide's share of a patch's distance
MIN_SOURCES = 16           # known patches needed to copy from at all


@dataclass
class _Level:
    """One scale of the pyramid: the image (hole pixels hold the current estimate), the hole,
    and the pixels a copied patch may hold."""

    image: np.ndarray   # (H, W, C) float32
    hole: np.ndarray    # (H, W) bool
    usable: np.ndarray  # (H, W) bool
    guide: np.ndarray   # (H, W, C) float32: what each place should look like from afar


def patch_fill(image: np.ndarray, hole: np.ndarray, guide: np.ndarray, usable: np.ndarray | None = None, *,
               seed: int = 0) -> np.ndarray | None:
    """``image`` (``(H, W, C)`` float32) with the ``hole`` (``(H, W)`` bool) filled by copied
    patches, a float32 copy; the pixels outside the hole as they are. Patches are copied only
    from ``usable`` pixels (``(H, W)`` bool; default: all outside the hole). ``None`` when
    there are too few known patches to copy from (a hole that leaves no whole patch beside it)."""
    usable = ~hole if usable is None else usable & ~hole
    pyramid = [_Level(image.astype(np.float32), hole.copy(), usable, guide.astype(np.float32))]
    while _needs_coarser(pyramid[-1]):
        pyramid.append(_shrunk(pyramid[-1]))
    rng = np.random.default_rng(seed)
    coarsest = pyramid[-1]
    if not coarsest.hole.any():
        return pyramid[0].image
    coarsest.image[coarsest.hole] = coarsest.guide[coarsest.hole]
    matches = None
    for depth, level in reversed(list(enumerate(pyramid))):
        field = _Field(level, rng)
        if field.sources.size < MIN_SOURCES:
            return None
        if matches is not None:
            # The coarse matches copy this level's own pixels in: its detail, not an enlarged blur
            # (which would match only the smoothest patches, and the fill would stay smooth).
            field.inherit(matches)
            field.vote()
        steps = EM_STEPS_FINEST + round((EM_STEPS_COARSEST - EM_STEPS_FINEST) * depth / max(1, len(pyramid) - 1))
        for _ in range(steps):
            field.search()
            field.vote()
        matches = field
    matches.search()
    matches.copy_centres()
    return pyramid[0].image


def _needs_coarser(level: _Level) -> bool:
    height, width = level.hole.shape
    if min(height, width) // 2 < MIN_SIDE or not level.hole.any():
        return False
    deepest = cv2.distanceTransform(level.hole.astype(np.uint8), cv2.DIST_L2, 3).max()
    return deepest > COARSEST_DEPTH


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
        square = np.ones((PATCH, PATCH), np.uint8)
        whole = cv2.erode(level.usable.astype(np.uint8), square, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        self.valid = (whole.astype(bool) & interior).ravel()
        self.sources = np.flatnonzero(self.valid)
        self.targets = np.flatnonzero((cv2.dilate(level.hole.astype(np.uint8), square).astype(bool) & interior).ravel())
        dy, dx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
        self.offsets = (dy * width + dx).ravel()
        self.flat = level.image.reshape(height * width, -1)  # a view: votes land in the image
        self.guide = level.guide.reshape(height * width, -1)
        self.match = np.full(height * width, -1, np.int64)
        if self.sources.size:
            self.match[self.targets] = self.rng.choice(self.sources, self.targets.size)
        self.distance = np.full(self.targets.size, np.inf, np.float32)

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
        self.distance = np.zeros(self.targets.size, np.float32)  # unmeasured: the first vote weighs all alike

    def search(self) -> None:
        """One PatchMatch round: the current matches re-measured (the hole's estimate changed),
        then the neighbours' matches shifted here, then random tries around the best so far."""
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

    def _distances(self, sources: np.ndarray, targets: np.ndarray | None = None) -> np.ndarray:
        targets = self.targets if targets is None else targets
        total = np.zeros(targets.size, np.float32)
        for offset in self.offsets:
            difference = self.flat[targets + offset] - self.flat[sources + offset]
            total += np.einsum("nc,nc->n", difference, difference)
            difference = self.guide[targets + offset] - self.guide[sources + offset]
            total += GUIDE_WEIGHT * np.einsum("nc,nc->n", difference, difference)
        return total

    def copy_centres(self) -> None:
        """Every hole pixel becomes the centre pixel of its own patch's match: the source's
        pixels as they are, where votes would average several copies into a blur."""
        pixels = np.flatnonzero(self.level.hole.ravel())
        self.flat[pixels] = self.flat[self.match[pixels]]

    def vote(self) -> None:
        """Every hole pixel becomes the mean of what the patches over it copied, each patch
        weighted by how well it matched (a poor match's copy counts for little)."""
        hole = self.level.hole.ravel()
        pixels = np.flatnonzero(hole)
        slot = np.full(hole.size, -1, np.int64)
        slot[pixels] = np.arange(pixels.size)
        finite = np.isfinite(self.distance)
        scale = float(np.percentile(self.distance[finite], 75)) if finite.any() else 1.0
        weight = np.exp(-self.distance / (2 * max(scale, 1e-3))).astype(np.float64)
        weight[~finite] = 0
        sources = self.match[self.targets]
        channels = self.flat.shape[1]
        total = np.zeros((pixels.size, channels))
        weights = np.zeros(pixels.size)
        for offset in self.offsets:
            here = slot[self.targets + offset]
            voting = here >= 0
            at, by = here[voting], weight[voting]
            weights += np.bincount(at, by, pixels.size)
            copied = self.flat[sources[voting] + offset]
            for channel in range(channels):
                total[:, channel] += np.bincount(at, by * copied[:, channel], pixels.size)
        voted = weights > 0
        self.flat[pixels[voted]] = (total[voted] / weights[voted, None]).astype(np.float32)


def patch_detail(photo: np.ndarray, hole: np.ndarray, tone: np.ndarray, sigma: float = 1.5, *,
                 seed: int = 0) -> np.ndarray | None:
    """The detail finer than a Gaussian of ``sigma`` px (``(H, W, 3)`` float32, 0 outside the
    hole) of ``photo`` (``(H, W, 3)`` uint8) with ``hole`` filled by :func:`patch_fill`, guided
    by ``tone`` (``(H, W, 3)``, the fill's tone: the guide in the hole). ``None`` when there is
    too little known photo to copy from."""
    known = photo.astype(np.float32)
    guide = cv2.GaussianBlur(known, (0, 0), sigma)
    guide[hole] = tone[hole]
    filled = patch_fill(known, hole, guide, seed=seed)
    if filled is None:
        return None
    detail = filled - cv2.GaussianBlur(filled, (0, 0), sigma)
    detail[~hole] = 0.0
    return detail
