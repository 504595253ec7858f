"""Skin grain at the photo's own resolution, taken from the real skin around the hole.

A fill made at 512 px and enlarged to a 24 MP photo has no pores: its finest detail is several
photo pixels wide. The grain is therefore made apart, at the photo's resolution, by exemplar:
the hole is covered with overlapping tiles, and each tile takes the fine detail of a tile of
real skin near the hole whose tone (its local mean colour) is closest to the fill's tone there,
so skin gets skin's grain and a background its own, and light skin does not get the grain of a
shadow. Detail is relative (``photo / low - 1``): it is laid over the fill's tone in proportion,
as grain is fainter in shadow. Tiles overlap by half under a raised-cosine window and are summed
with weights normalised by the root of their squares, which keeps the grain's strength where
tiles mix (a plain average of two unrelated textures halves their contrast).
"""

from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np

MIN_TILE = 18           # px: the smallest tile (at the 480 px photos, a few pores wide); its stride, 9,
                        # shares no period with a generator's 8 px lattice
CANDIDATES = 96         # source tiles drawn at random for each tile of the hole; the best is taken
REACH_TILES = 5         # sources are looked for this many tiles around the hole, more if too few
MIN_SOURCES = 64
TONE_TOLERANCE = 6.0    # 8-bit levels of tone within which source tiles count as alike
DISTANCE_WEIGHT = 0.25  # cost of a source a reach away, in squared tone units (8-bit levels / 8)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
COHERENCE_WEIGHT = 1.0  # cost of a source uncorrelated with the skin a tile reaches (per share reached)
ODDNESS_WEIGHT = 0.5    # cost of a source whose grain energy is e times the usual
MIN_SEEN = 16           # known pixels a tile must reach for its correlation to count
NEAR_SPREAD = 2.0       # candidates near a tile are drawn this many tiles around it


def tile_side(sigma: float) -> int:
    """The tile for grain finer than ``sigma`` px: four of its widths, even, at least ``MIN_TILE``."""
    return max(MIN_TILE, 2 * math.ceil(2 * sigma))


def known_low_pass(photo: np.ndarray, known: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian low pass of ``photo`` (``(H, W, 3)`` float32) over its ``known`` pixels only,
    and the share of each pixel's Gaussian that is known (``(H, W)``, 1 = all of it)."""
    weight = known.astype(np.float32)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)
    low = cv2.GaussianBlur(photo * weight[..., None], (0, 0), sigma) / np.maximum(spread, 1e-6)[..., None]
    return low, spread


def native_grain(photo: np.ndarray, hole: np.ndarray, tone: np.ndarray, sigma: float, *,
                 seed: int = 0, avoid: Optional[np.ndarray] = None) -> np.ndarray:
    """Grain for ``hole`` (``(H, W)`` bool) of ``photo`` (``(H, W, 3)`` uint8, its hole pixels
    unknown): ``(H, W, 3)`` float32 to add to the fill's ``tone`` (``(H, W, 3)`` float32, the
    fill's detail coarser than a Gaussian of ``sigma`` px), 0 outside the hole. ``avoid``
    (``(H, W)`` bool, default: the hole) marks pixels never to take grain from. All zeros when
    no skin around the hole is big enough to take grain from."""
    grain = np.zeros(photo.shape, np.float32)
    if not hole.any():
        return grain
    unknown = hole if avoid is None else hole | avoid
    tile = tile_side(sigma)
    window, sources = _sources(photo, unknown, sigma, tile)
    if sources.count == 0:
        return grain
    rng = np.random.default_rng(seed)
    local_hole = hole[window]
    local_tone = np.where(local_hole[..., None], tone[window], sources.low).astype(np.float32)
    grain[window] = _laid_tiles(sources, local_hole, local_tone, tile, rng) * local_hole[..., None]
    return grain


class _Sources:
    """The real skin a window offers: its relative detail (``(h, w, 3)``), where that detail is
    trustworthy for a target (``target_valid``), its known-only low pass, and every tile of
    ``tile`` px lying wholly on clean known skin (top-left corners, mean tones)."""

    def __init__(self, photo: np.ndarray, unknown: np.ndarray, sigma: float, tile: int) -> None:
        values = photo.astype(np.float32)
        self.low, spread = known_low_pass(values, ~unknown, sigma)
        # Grain is the relative detail of the luma, the same for the three channels: skin's grain
        # is light and shade, and colour noise in a fill only adds error.
        luma, luma_low = values @ LUMA, self.low @ LUMA
        relative = np.where(unknown, 0.0, luma / np.maximum(luma_low, 1.0) - 1.0).astype(np.float32)
        self.relative = relative[..., None]
        self.target_valid = (spread > 0.3) & ~unknown
        clean = (spread > 0.98) & ~unknown
        height, width = unknown.shape
        self.corners = np.zeros((0, 2), int)
        self.tones = np.zeros((0, 3), np.float32)
        self.oddness = np.zeros(0, np.float32)
        if height >= tile and width >= tile:
            integral = cv2.integral(clean.astype(np.uint8))
            whole = (integral[tile:, tile:] - integral[:-tile, tile:] - integral[tile:, :-tile]
                     + integral[:-tile, :-tile]) == tile * tile
            self.corners = np.argwhere(whole)
        if len(self.corners):
            centres = (self.corners[:, 0] + tile // 2, self.corners[:, 1] + tile // 2)
            means = cv2.blur(self.low, (tile, tile), borderType=cv2.BORDER_REPLICATE)
            self.tones = means[centres].astype(np.float32)
            energies = cv2.blur(relative**2, (tile, tile), borderType=cv2.BORDER_REPLICATE)[centres]
            # How far a tile's grain is from the usual: edges, hairs and shadow lines are no grain.
            self.oddness = np.log(np.maximum(energies, 1e-8) / max(float(np.median(energies)), 1e-8)) ** 2
        # The nearest source tile of every pixel (by its top-left corner), for candidates near a target.
        starts = np.ones((height, width), np.uint8)
        starts[self.corners[:, 0], self.corners[:, 1]] = 0
        self.nearest = None
        if self.count:
            _, labels = cv2.distanceTransformWithLabels(starts, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
            order = np.zeros(self.count + 1, int)
            order[labels[self.corners[:, 0], self.corners[:, 1]]] = np.arange(self.count)
            self.nearest = order[labels]

    @property
    def count(self) -> int:
        return len(self.corners)


def _sources(photo: np.ndarray, unknown: np.ndarray, sigma: float, tile: int) -> tuple[tuple[slice, slice], _Sources]:
    """The window around the hole to take grain from, grown until it holds ``MIN_SOURCES``
    tiles (or is the whole photo), and its sources."""
    rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
    reach = REACH_TILES * tile
    while True:
        top, bottom = max(0, rows[0] - reach), min(unknown.shape[0], rows[-1] + 1 + reach)
        left, right = max(0, cols[0] - reach), min(unknown.shape[1], cols[-1] + 1 + reach)
        window = (slice(top, bottom), slice(left, right))
        sources = _Sources(photo[window], unknown[window], sigma, tile)
        if sources.count >= MIN_SOURCES or (top, left, bottom, right) == (0, 0, *unknown.shape):
            return window, sources
        reach *= 2


def _laid_tiles(sources: _Sources, hole: np.ndarray, tone: np.ndarray, tile: int,
                rng: np.random.Generator) -> np.ndarray:
    """Relative grain over ``hole`` (window coordinates) times ``tone``: tiles on a grid of
    half a tile (its origin at random), each the detail of its best source, in four
    interleaved layers whose tiles do not overlap, so that each layer is laid as one array."""
    half = tile // 2
    pad = 2 * tile
    height, width = hole.shape
    hole_p = np.pad(hole, pad)
    tone_p = np.pad(tone, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    relative_p = np.pad(sources.relative, ((pad, pad), (pad, pad), (0, 0)))
    valid_p = np.pad(sources.target_valid, pad)
    rows, cols = np.flatnonzero(hole_p.any(axis=1)), np.flatnonzero(hole_p.any(axis=0))
    origin_y = rows[0] - tile + int(rng.integers(0, half))
    origin_x = cols[0] - tile + int(rng.integers(0, half))
    count_y = math.ceil((rows[-1] + 1 - origin_y) / tile) + 1
    count_x = math.ceil((cols[-1] + 1 - origin_x) / tile) + 1
    window_1d = np.sin(np.pi * (np.arange(tile) + 0.5) / tile) ** 2
    weights = (window_1d[:, None] * window_1d[None, :]).astype(np.float32)
    tone_means = cv2.blur(tone_p, (tile, tile), borderType=cv2.BORDER_REPLICATE)
    covered = cv2.blur(hole_p.astype(np.float32), (tile, tile), borderType=cv2.BORDER_CONSTANT)

    summed = np.zeros(hole_p.shape + (1,), np.float32)
    squares = np.zeros(hole_p.shape, np.float32)
    for shift_y in (0, half):
        for shift_x in (0, half):
            ys = origin_y + shift_y + tile * np.arange(count_y)
            xs = origin_x + shift_x + tile * np.arange(count_x)
            ys, xs = ys[ys + tile <= hole_p.shape[0]], xs[xs + tile <= hole_p.shape[1]]
            grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
            needed = covered[grid_y + half, grid_x + half] > 0        # tiles that touch the hole
            corners = np.stack([grid_y[needed], grid_x[needed]], -1)
            chosen = _best_sources(sources, corners - pad, tone_means[corners[:, 0] + half, corners[:, 1] + half],
                                   _gather(relative_p, corners, tile), _gather(valid_p[..., None], corners, tile),
                                   tile, rng)
            patches = np.zeros(grid_y.shape + (tile, tile, 1), np.float32)
            picked = _gather(sources.relative, sources.corners[chosen], tile)
            picked -= picked.mean(axis=(1, 2, 3), keepdims=True)  # a tile's own mean would print the grid
            patches[needed] = picked * weights[None, :, :, None]
            present = np.zeros(grid_y.shape + (tile, tile), np.float32)
            present[needed] = weights**2
            block = (slice(ys[0], ys[0] + len(ys) * tile), slice(xs[0], xs[0] + len(xs) * tile))
            summed[block] += patches.transpose(0, 2, 1, 3, 4).reshape(len(ys) * tile, len(xs) * tile, 1)
            squares[block] += present.transpose(0, 2, 1, 3).reshape(len(ys) * tile, len(xs) * tile)
    relative_grain = summed / np.sqrt(np.maximum(squares, 1e-4))[..., None]
    return (tone_p * relative_grain)[pad:pad + height, pad:pad + width]


def _best_sources(sources: _Sources, corners: np.ndarray, wanted: np.ndarray, known_detail: np.ndarray,
                  known: np.ndarray, tile: int, rng: np.random.Generator) -> np.ndarray:
    """For each tile of the hole (top-left ``corners`` ``(n, 2)`` in window coordinates, mean
    tone ``wanted`` ``(n, 3)``, and the detail of its known pixels ``(n, tile, tile, 3)`` where
    ``known`` ``(n, tile, tile, 1)``), the index of the best of ``CANDIDATES`` source tiles,
    half drawn anywhere and half near it: nearest in tone, then in place, and where the tile
    reaches real skin, whose detail continues that skin's best."""
    n = len(corners)
    if n == 0:
        return np.zeros(0, int)
    anywhere = rng.integers(0, sources.count, size=(n, CANDIDATES // 2))
    height, width = sources.nearest.shape
    around = corners[:, None, :] + rng.normal(0, NEAR_SPREAD * tile, size=(n, CANDIDATES - CANDIDATES // 2, 2))
    around_y = np.clip(np.round(around[..., 0]), 0, height - 1).astype(int)
    around_x = np.clip(np.round(around[..., 1]), 0, width - 1).astype(int)
    draws = np.concatenate([anywhere, sources.nearest[around_y, around_x]], axis=1)
    # Tones closer than the tolerance are as good as equal: the strictly nearest tone is the
    # flattest skin (a pore or a hair moves a tile's mean), and would make the grain faint.
    off = np.sqrt(((sources.tones[draws] - wanted[:, None, :]) ** 2).sum(-1))
    cost = (np.maximum(off - TONE_TOLERANCE, 0) / 8) ** 2
    reach = REACH_TILES * tile
    cost += (((sources.corners[draws] - corners[:, None, :]) / reach) ** 2).sum(-1) * DISTANCE_WEIGHT
    cost += ODDNESS_WEIGHT * sources.oddness[draws]
    seen = known.reshape(n, -1).sum(-1) >= MIN_SEEN
    for chunk in np.array_split(np.flatnonzero(seen), max(1, int(seen.sum()) // 128)):
        if chunk.size == 0:
            continue
        # Zero-mean normalised correlation with the detail of the skin the tile reaches: it
        # favours continuations, and unlike a squared difference not merely faint grain.
        weight = known[chunk].reshape(chunk.size, 1, -1)
        count = weight.sum(-1)
        candidates = _gather(sources.relative, sources.corners[draws[chunk]].reshape(-1, 2), tile)
        candidates = candidates.reshape(chunk.size, draws.shape[1], -1)
        target = known_detail[chunk].reshape(chunk.size, 1, -1)
        target = (target - (target * weight).sum(-1, keepdims=True) / count[..., None]) * weight
        candidates = (candidates - (candidates * weight).sum(-1, keepdims=True) / count[..., None]) * weight
        correlation = (candidates * target).sum(-1) / np.sqrt(
            np.maximum((candidates**2).sum(-1) * (target**2).sum(-1), 1e-12))
        share = count[:, 0] / (tile * tile)
        cost[chunk] += COHERENCE_WEIGHT * share[:, None] * (1 - correlation)
    return draws[np.arange(n), np.argmin(cost, axis=1)]


def _gather(image: np.ndarray, corners: np.ndarray, tile: int) -> np.ndarray:
    """``(n, tile, tile, C)`` tiles of ``image`` with top-left ``corners`` (``(n, 2)``)."""
    offsets = np.arange(tile)
    rows = corners[:, 0, None, None] + offsets[None, :, None]
    cols = corners[:, 1, None, None] + offsets[None, None, :]
    return image[rows, cols]
