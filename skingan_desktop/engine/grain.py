"""Skin grain at the photo's own resolution, taken from the real skin around the hole.

A fill made at 512 px and enlarged to a 24 MP photo has no pores: its finest detail is several
photo pixels wide. The grain is therefore made apart, at the photo's resolution, by exemplar:
the hole is covered with overlapping tiles, and each tile takes the fine detail of a tile of
real skin near the hole whose tone (its mean colour) is close to the fill's tone there, so skin
gets skin's grain and a background its own, and light skin does not get the grain of a shadow.
Where a tile reaches real skin, the source whose detail correlates best with that skin's is
taken, so the grain continues what is there.

Grain is the relative detail of the luma (``luma / low - 1``), the same for the three channels
and laid over the fill's tone in proportion, as grain is fainter in shadow. Tiles overlap by
half under a raised-cosine window and are summed with weights normalised by the root of their
squares, which keeps the grain's strength where tiles mix (a plain average of two unrelated
textures halves their contrast).

Only the skin the hole lies on gives grain: source tiles are pieces of skin's texture, dense,
with no direction, and no tile stands out of the others. A tile of straw, floor, hair or a
blurred patch with the odd JPEG speck, each of the skin's tone, laid among skin's prints as a
glyph (seen on whole tattoos: a forearm on straw, a back beside plastic wrap). So what lies
beyond a limb's edge is told from the skin by its shapes at the tile's scale (skin has only
shading there) and by not being joined to the hole through smooth skin; and each tile is laid
with the energy of that skin's grain around it (raised by ``MAX_TILE_GAIN`` at most).

Everything is sized to the tile, so the cost follows the hole's area in tiles, not in pixels:
on a 24 MP photo the tiles are some 60 px wide, and sources are looked for on a coarser grid.
"""

from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np

MIN_TILE = 18           # px: the smallest tile (at the 480 px photos, a few pores wide); its stride, 9,
                        # shares no period with a generator's 8 px lattice
CANDIDATES = 48         # source tiles drawn for each tile of the hole, half near it; the best is taken
REACH_TILES = 5         # sources are looked for this many tiles around the hole, more if too few
MIN_SOURCES = 64
TONE_TOLERANCE = 6.0    # 8-bit levels of tone within which source tiles count as alike
DISTANCE_WEIGHT = 0.25  # cost of a source a reach away, in squared tone units (8-bit levels / 8)
COHERENCE_WEIGHT = 1.0  # cost of a source uncorrelated with the skin a tile reaches (per share reached)
SURFACE_WEIGHT = 4.0    # cost of a source on another surface than its tile's (16 levels of tone off), or
                        # not on the skin the hole lies on
ODDNESS_WEIGHT = 0.5    # cost of a source whose grain energy is e times the usual
SHAPE_WEIGHT = 1.0      # cost of a source with e times the usual shapes at its tile's scale (one-sided)
USUAL_REACH = 2.0       # tiles: the usual grain and shapes are those of the sources this near the hole
MIN_SEEN = 16           # known pixels a tile must reach for its correlation to count
MAX_DIP = 0.15          # a source tile's darkest pixel may be this much darker than its surroundings,
DIP_RATIO = 2.5         # ... or this many times the usual tile's dip, where the skin's grain is coarse
MAX_COHERENCE = 0.7     # a source tile's detail may be this oriented (0: no direction, 1: one line)
MAX_UNEVENNESS = 8.0    # ... and its quadrants' grain energies may differ this many times
MAX_KURTOSIS = 8.0      # ... and its detail be this peaked (a Gaussian grain's kurtosis is 3)
ENERGY_REACH = 2.0      # tiles over which the skin's grain energy around a place is taken
MAX_TILE_GAIN = 2.0     # a faint source tile is raised to that energy by this gain at most
OUTLIER_KNEE = 2.5      # laid grain beyond this many robust deviations is softened ...
OUTLIER_CEILING = 4.0   # ... and never exceeds this many
MAX_RESTORE = 1.5       # the energy the softening took is given back to the rest, by this gain at most
OUTLIER_SAMPLE = 1_000_000  # hole pixels looked at for the usual grain's spread
SAME_COLOUR = 0.05       # chromaticity distance within which a source tile is of the fill's colour
OTHER_COLOUR = 0.08      # ... and from which on it is another surface's, and gives no grain (skin
                         # sources chosen for a skin fill lie within 0.02 at the median, 0.07 at worst)
NEAR_SPREAD = 2.0       # candidates near a tile are drawn this many tiles around it
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def tile_side(sigma: float) -> int:
    """The tile for grain finer than ``sigma`` px: four of its widths, even, at least ``MIN_TILE``."""
    return max(MIN_TILE, 2 * math.ceil(2 * sigma))


def gaussian_low_pass(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` px; wide ones are made on a shrunk copy (what they keep is
    coarser than the shrinking), which costs a fraction."""
    factor = int(sigma // 3)
    if factor < 2:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), math.sqrt(max(sigma**2 - (factor / 2) ** 2, 1.0)) / factor)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def known_low_pass(image: np.ndarray, known: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian low pass of ``image`` (``(H, W)`` or ``(H, W, C)`` float32) over its
    ``known`` pixels only, and the share of each pixel's Gaussian that is known (``(H, W)``,
    1 = all of it)."""
    weight = known.astype(np.float32)
    spread = gaussian_low_pass(weight, sigma)
    if image.ndim == 2:
        weighted = np.multiply(image, weight, out=weight)  # the weight is spent: its memory serves
    else:
        weighted = image * weight[..., None]
    del weight
    low = gaussian_low_pass(weighted, sigma)
    del weighted
    safe = np.maximum(spread, 1e-6)
    low /= safe if image.ndim == 2 else safe[..., None]
    return low, spread


def relative_detail(luma: np.ndarray, known: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The detail of ``luma`` (``(H, W)`` float32, spent: the result is made in its memory)
    finer than a Gaussian of ``sigma`` px, relative to its low pass over the ``known`` pixels
    (``luma / low - 1``, 0 where not known), and the low pass's known share (``known_low_pass``)."""
    low, spread = known_low_pass(luma, known, sigma)
    relative = np.divide(luma, np.maximum(low, 1.0, out=low), out=luma)
    del low
    relative -= 1.0
    relative[~known] = 0.0
    return relative, spread


def native_grain(photo: np.ndarray, hole: np.ndarray, tone: np.ndarray, sigma: float, *, seed: int = 0,
                 avoid: Optional[np.ndarray] = None, origin: tuple[int, int] = (0, 0),
                 surfaces: Optional[np.ndarray] = None) -> np.ndarray:
    """Grain for ``hole`` (``(H, W)`` bool) of ``photo`` (``(H, W, 3)`` uint8, its hole pixels
    unknown), to add to the fill's ``tone`` (``(h, w, 3)`` float32, the fill's detail coarser
    than a Gaussian of ``sigma`` px, for the window of the photo at ``origin`` (top, left) that
    holds the hole): ``(h, w, 3)`` float32, 0 outside the hole. ``avoid`` (``(H, W)`` bool)
    marks more pixels never to take grain from. ``surfaces`` (``(H, W)`` int8, from
    ``engine/surfaces.py``) names the surface of each pixel, known or in the hole (-1: none):
    a tile then takes its grain from tiles wholly on its own surface, a crumpled plastic's or
    denim's texture staying out of skin. All zeros when no skin around the hole is big enough
    to take grain from. It is the tone times :func:`lay_grain` over :func:`grain_sources`."""
    holding = (origin[0], origin[0] + tone.shape[0], origin[1], origin[1] + tone.shape[1])
    sources = grain_sources(photo, hole, sigma, holding, avoid=avoid, surfaces=surfaces)
    return tone * lay_grain(sources, hole, tone, origin, seed=seed)[..., None]


def grain_sources(photo: np.ndarray, hole: np.ndarray, sigma: float, holding: tuple[int, int, int, int], *,
                  avoid: Optional[np.ndarray] = None, surfaces: Optional[np.ndarray] = None) -> Optional[GrainSources]:
    """The tiles of real skin around ``hole`` that :func:`lay_grain` takes grain from, for a
    tone whose window of the photo is ``holding`` (top, bottom, left, right); ``None`` when the
    hole is empty. It needs no tone: the engine finds them while it makes the tone."""
    if not hole.any():
        return None
    unknown = hole if avoid is None else hole | avoid
    return _sources(photo, unknown, sigma, tile_side(sigma), holding, surfaces)


def lay_grain(sources: Optional[GrainSources], hole: np.ndarray, tone: np.ndarray, origin: tuple[int, int] = (0, 0), *,
              seed: int = 0) -> np.ndarray:
    """The relative grain (``(h, w)`` float32, 0 outside ``hole``) for the tone of the window
    at ``origin``, from ``sources`` (:func:`grain_sources`): the grain is this times the tone.
    The tone only chooses each tile's source (skin of its own tone), so a first guess at it,
    before it is joined to the skin pixel by pixel, chooses as well."""
    height, width = tone.shape[:2]
    if sources is None or sources.count == 0:
        return np.zeros((height, width), np.float32)
    window = sources.window
    top, left = origin[0] - window[0].start, origin[1] - window[1].start  # the tone's window in the sources'
    local_hole = hole[origin[0]:origin[0] + height, origin[1]:origin[1] + width]
    relative = _laid_tiles(sources, (top, left), local_hole, tone, sources.tile, np.random.default_rng(seed))
    relative *= local_hole
    _tame_outliers(relative, local_hole)
    return relative


def _tame_outliers(relative: np.ndarray, hole: np.ndarray) -> None:
    """Soften, in place, grain far stronger than the fill's usual grain (:func:`soften_outliers`).
    The odd source that is a shape, not a texture, would print as a spot; grain within the knee
    is left as laid."""
    values = relative[hole]
    # A million pixels tell the spread as well as all of a 26 MP photo's (and ten times faster).
    spread = robust_spread(values[::max(1, values.size // OUTLIER_SAMPLE)])
    if spread > 0:
        soften_outliers(relative, np.abs(relative), spread, OUTLIER_KNEE, OUTLIER_CEILING)


def robust_spread(values: np.ndarray) -> float:
    """The standard deviation that the median absolute deviation of ``values`` implies."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def soften_outliers(values: np.ndarray, size: np.ndarray, spread: float, knee: float, ceiling: float) -> None:
    """Soften ``values`` in place where their ``size`` (a magnitude for each, ``values``' first
    axes) is beyond ``knee`` times ``spread``: it bends smoothly towards ``ceiling`` times
    ``spread`` and never passes it. The energy matched to the skin is kept: what the outliers
    lose, the usual values gain (by ``MAX_RESTORE`` at most)."""
    energy = float(np.mean(values**2))
    knee, room = knee * spread, (ceiling - knee) * spread
    beyond = size > knee
    scale = (knee + room * np.tanh((size[beyond] - knee) / room)) / size[beyond]
    values[beyond] *= scale.reshape(scale.shape + (1,) * (values.ndim - size.ndim))
    softened = float(np.mean(values**2))
    if softened > 0:
        values *= min(math.sqrt(energy / softened), MAX_RESTORE)


class GrainSources:
    """The real skin a window offers: the relative detail of its luma (``(h, w)``, 0 where not
    known), where that detail can be trusted to judge a tile (``target_valid``), and tiles of
    ``tile`` px lying wholly on clean known skin, on a grid of a few pixels (top-left corners,
    mean tones, how unusual their grain is), with an index by cell to draw those near a place."""

    def __init__(self, photo: np.ndarray, unknown: np.ndarray, sigma: float, tile: int,
                 surfaces: Optional[np.ndarray], window: tuple[slice, slice]) -> None:
        self.window = window  # where in the photo these pixels lie
        # In place where it can be: the window is most of a 26 MP photo, 100 MB an array, and
        # memory first touched costs more than the sums made in it.
        luma = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
        self.relative, spread = relative_detail(luma, ~unknown, sigma)
        self.target_valid = (spread > 0.3) & ~unknown
        clean = (spread > 0.98) & ~unknown
        height, width = unknown.shape
        self.tile = tile
        self.corners = np.zeros((0, 2), int)
        self.tones = np.zeros((0, 3), np.float32)
        self.oddness = np.zeros(0, np.float32)
        self.detached = np.zeros(0, bool)  # tiles not on the skin the hole lies on
        self.tile_energy = np.zeros(0, np.float32)  # the mean square of each tile's detail
        self.surfaces = surfaces
        self.surface = np.zeros(0, np.int8)  # each source tile's surface, -1 where it holds more than one
        if height >= tile and width >= tile:
            # An odd step: corners then fall on every phase of a JPEG's 8 px blocks.
            step = max(1, (tile // 8) | 1)
            integral = cv2.integral(clean.astype(np.uint8))
            ys, xs = np.meshgrid(np.arange(0, height - tile + 1, step), np.arange(0, width - tile + 1, step),
                                 indexing="ij")
            whole = (integral[ys + tile, xs + tile] - integral[ys, xs + tile] - integral[ys + tile, xs]
                     + integral[ys, xs]) == tile * tile
            self.corners = np.stack([ys[whole], xs[whole]], -1)
        if len(self.corners):
            # No ink, no hair: a tile holding a pixel far darker than its surroundings is a line
            # drawn on the skin, not its grain, and would be copied into the fill as one.
            shrink = max(1, tile // 4)
            darkest = cv2.erode(_block_min(self.relative, shrink), np.ones((tile // shrink + 1,) * 2, np.uint8))
            at = np.minimum((self.corners + tile // 2) // shrink, np.array(darkest.shape) - 1)
            dips = -darkest[at[:, 0], at[:, 1]]
            # Skin of deep pores or coarse grain dips deeper everywhere: compare with its usual dip.
            self.corners = self.corners[dips < max(MAX_DIP, DIP_RATIO * float(np.median(dips)))]
        if len(self.corners):
            self.corners = self.corners[_textural(self.relative, self.corners, tile)]
        if len(self.corners):
            self._judge(photo, unknown, tile, surfaces)
            self._index_cells(height, width)

    def _judge(self, photo: np.ndarray, unknown: np.ndarray, tile: int, surfaces: Optional[np.ndarray]) -> None:
        """Each source tile's tone, how odd its grain is, whether it lies on the skin the hole
        lies on, its surface; and the energy of that skin's grain around each place. Worked
        out on the window shrunk to a quarter tile a pixel."""
        shrink = self.energy_shrink = max(1, tile // 4)
        means = _shrunk(photo, shrink).astype(np.float32)
        at = np.minimum((self.corners + tile // 2) // shrink, np.array(means.shape[:2]) - 1)
        self.tones = means[at[:, 0], at[:, 1]].astype(np.float32)
        # The squared detail of the pixels to be trusted (source tiles lie wholly on them).
        squares = np.square(self.relative)
        squares *= self.target_valid
        shrunk_squares = _shrunk(squares, shrink)
        del squares
        energy = shrunk_squares[at[:, 0], at[:, 1]]
        # Each tile's whole energy, which it is laid with in proportion.
        corner = np.minimum(self.corners // shrink, np.array(means.shape[:2]) - 1)
        self.tile_energy = _box_means(shrunk_squares, max(1, tile // shrink))[corner[:, 0], corner[:, 1]]
        # How far a tile's grain is from the usual: edges, hairs and shadow lines are no grain.
        # The usual grain is the skin's right around the hole: where a thin limb lies on straw
        # or a tiled floor, most tiles of the window are background.
        free = cv2.resize((~unknown).astype(np.uint8), means.shape[1::-1], interpolation=cv2.INTER_NEAREST)
        near = cv2.distanceTransform(free, cv2.DIST_L2, 3)[at[:, 0], at[:, 1]] * shrink <= USUAL_REACH * tile
        if near.sum() < MIN_SOURCES // 4:
            near[:] = True

        def usual(values: np.ndarray) -> float:
            return max(float(np.median(values[near])), 1e-10)

        self.oddness = (np.log(np.maximum(energy, 1e-10) / usual(energy)) ** 2).astype(np.float32)
        # Skin is smooth between its grain and the tile's size; straw, a tiled floor, fabric
        # and hair are not, and their pieces laid into a fill print as glyphs.
        shape_map = _shape_energy(means, free > 0)
        shapes = shape_map[at[:, 0], at[:, 1]]
        usual_shapes = usual(shapes)
        self.oddness += SHAPE_WEIGHT * np.maximum(np.log(np.maximum(shapes, 1e-10) / usual_shapes), 0) ** 2
        skin = _holes_skin(shape_map < usual_shapes * math.e, free == 0)
        self.detached = ~skin[at[:, 0], at[:, 1]]
        if self.detached.mean() > 1 - (MIN_SOURCES / 4) / len(self.detached):  # too little of it: no judgement
            self.detached[:] = False
            skin[:] = True
        if surfaces is not None:
            self.surface = _whole_surface(surfaces, self.corners, tile)
        # The energy of that skin's grain around each place, which each tile is laid with.
        # (as bytes: a float copy of the window would be 100 MB on a 26 MP photo)
        weight = _shrunk(self.target_valid.view(np.uint8) * np.uint8(255), shrink) * (skin / 255)
        self.skin_energy, self.skin_reach = known_low_pass(shrunk_squares / np.maximum(weight, 1e-6), weight > 0,
                                                           ENERGY_REACH * tile / shrink)

    @property
    def count(self) -> int:
        return len(self.corners)

    def _index_cells(self, height: int, width: int) -> None:
        self.cells = (math.ceil(height / self.tile), math.ceil(width / self.tile))
        cell = (self.corners[:, 0] // self.tile) * self.cells[1] + self.corners[:, 1] // self.tile
        self.order = np.argsort(cell, kind="stable")
        counts = np.bincount(cell, minlength=self.cells[0] * self.cells[1])
        self.cell_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.cell_count = counts

    def near(self, places: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A source for each of ``places`` (``(..., 2)`` window coordinates): one in the cell
        where the place falls, or anywhere when that cell holds none."""
        row = np.clip(places[..., 0] // self.tile, 0, self.cells[0] - 1).astype(int)
        col = np.clip(places[..., 1] // self.tile, 0, self.cells[1] - 1).astype(int)
        cell = row * self.cells[1] + col
        count = self.cell_count[cell]
        pick = self.cell_start[cell] + (rng.random(cell.shape) * count).astype(int)
        fallback = rng.integers(0, self.count, size=cell.shape)
        return np.where(count > 0, self.order[np.minimum(pick, self.count - 1)], fallback)


def _holes_skin(smooth: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The ``smooth`` pixels joined to ``hole`` through smooth pixels: the skin the hole lies
    on, a limb's edge (a shape) parting it from what lies beyond."""
    _, labels = cv2.connectedComponents(smooth.astype(np.uint8), connectivity=4)
    touching = cv2.dilate(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    joined = np.zeros(labels.max() + 1, bool)
    joined[np.unique(labels[touching & smooth])] = True
    joined[0] = False  # the shapes' own label
    return joined[labels]


def _shape_energy(means: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The relative energy of the luma's detail between a pixel and five of ``means`` (the
    window's colours shrunk to a quarter tile a pixel), over its ``known`` pixels: the shapes
    at a tile's scale, where skin has only shading."""
    detail, _ = relative_detail(means @ LUMA, known, 2.0)
    return cv2.boxFilter(detail * detail, -1, (5, 5), normalize=True, borderType=cv2.BORDER_REFLECT)


def _whole_surface(surfaces: np.ndarray, corners: np.ndarray, tile: int) -> np.ndarray:
    """``(n,)`` int8: the surface that the whole ``tile``-px tile at each of ``corners`` lies on, -1 for none."""
    found = np.full(len(corners), -1, np.int8)
    ys, xs = corners[:, 0], corners[:, 1]
    for index in range(int(surfaces.max()) + 1):
        counts = cv2.integral((surfaces == index).astype(np.uint8))
        found[_box_sums(counts, ys, xs, tile) == tile * tile] = index
    return found


def _textural(relative: np.ndarray, corners: np.ndarray, tile: int) -> np.ndarray:
    """Which tiles (top-left ``corners`` ``(n, 2)``) of the relative detail hold texture, alike
    all over and with no direction, rather than a piece of a shape: a grout line, a shelf's edge
    or a hair is oriented (the coherence of the detail's structure tensor) or lies in part of the
    tile only (its quadrants' energies differ), and laid into a fill it prints as a dash. Judged
    with tiles about ``2 * MIN_TILE`` px at most: a big photo's detail is shrunk for it (a shape
    across a 68 px tile is one across a 34 px tile of the shrunk detail), which spares a second
    of sums and most of a gigabyte on a 26 MP photo."""
    factor = max(1, round(tile / (2 * MIN_TILE)))
    squared = relative * relative
    side, half = tile // factor, tile // (2 * factor)
    ys = np.minimum(corners[:, 0] // factor, squared.shape[0] // factor - side)
    xs = np.minimum(corners[:, 1] // factor, squared.shape[1] // factor - side)
    # Skin's grain is dense; a tile whose energy lies in a few specks (a flat, blurred patch
    # with the odd JPEG artefact, amplified to the skin's energy) prints as glyphs.
    fourth = _box_means(_shrunk(squared * squared, factor), side)[ys, xs]
    squared = _shrunk(squared, factor)
    energy = _box_means(squared, half)
    kurtosis = fourth / np.maximum(_box_means(squared, side)[ys, xs] ** 2, 1e-20)
    del squared
    detail = _shrunk(relative, factor)
    gx = cv2.Sobel(detail, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(detail, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = (_box_means(values, side)[ys, xs] for values in (gx * gx, gy * gy, gx * gy))
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / np.maximum(jxx + jyy, 1e-12)
    quadrants = np.stack([energy[ys + dy, xs + dx] for dy in (0, half) for dx in (0, half)], -1)
    unevenness = quadrants.max(-1) / np.maximum(quadrants.min(-1), 1e-12)
    return (coherence <= MAX_COHERENCE) & (unevenness <= MAX_UNEVENNESS) & (kurtosis <= MAX_KURTOSIS)


def _block_min(image: np.ndarray, factor: int) -> np.ndarray:
    """The minimum of each ``factor`` x ``factor`` block of ``(H, W)`` ``image``."""
    if factor <= 1:
        return image
    height, width = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    if height == 0 or width == 0:
        return image.min(keepdims=True)
    blocks = image[:height, :width].reshape(height // factor, factor, width // factor, factor)
    return blocks.min(axis=(1, 3))


def _shrunk(image: np.ndarray, factor: int) -> np.ndarray:
    if factor <= 1:
        return image
    height, width = image.shape[:2]
    return cv2.resize(image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)


def _sources(photo: np.ndarray, unknown: np.ndarray, sigma: float, tile: int, holding: tuple[int, int, int, int],
             surfaces: Optional[np.ndarray] = None) -> GrainSources:
    """The sources of the window around the hole (and ``holding``: top, bottom, left, right),
    grown until it holds ``MIN_SOURCES`` tiles (or is the whole photo)."""
    rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
    reach = REACH_TILES * tile
    while True:
        top = max(0, min(rows[0] - reach, holding[0]))
        bottom = min(unknown.shape[0], max(rows[-1] + 1 + reach, holding[1]))
        left = max(0, min(cols[0] - reach, holding[2]))
        right = min(unknown.shape[1], max(cols[-1] + 1 + reach, holding[3]))
        window = (slice(top, bottom), slice(left, right))
        sources = GrainSources(photo[window], unknown[window], sigma, tile,
                               None if surfaces is None else surfaces[window], window)
        if sources.count >= MIN_SOURCES or (top, left, bottom, right) == (0, 0, *unknown.shape):
            return sources
        reach *= 2


def _laid_tiles(sources: GrainSources, offset: tuple[int, int], hole: np.ndarray, tone: np.ndarray, tile: int,
                rng: np.random.Generator) -> np.ndarray:
    """Relative grain (``(h, w)``) over ``hole`` of the tone's window, which lies at ``offset``
    in the sources' window: tiles on a grid of half a tile (its origin at random), each the
    detail of its best source, in four interleaved layers whose tiles do not overlap, so that
    each layer is laid as one array."""
    half = tile // 2
    height, width = hole.shape
    pad = 2 * tile
    canvas_shape = (height + 2 * pad, width + 2 * pad)
    rows, cols = np.flatnonzero(hole.any(axis=1)) + pad, np.flatnonzero(hole.any(axis=0)) + pad
    origin_y = rows[0] - tile + int(rng.integers(0, half))
    origin_x = cols[0] - tile + int(rng.integers(0, half))
    count_y = math.ceil((rows[-1] + 1 - origin_y) / tile) + 1
    count_x = math.ceil((cols[-1] + 1 - origin_x) / tile) + 1
    window_1d = np.sin(np.pi * (np.arange(tile) + 0.5) / tile) ** 2
    weights = (window_1d[:, None] * window_1d[None, :]).astype(np.float32)
    # Which tiles touch the hole, from sums over tile-sized boxes.
    hole_sums = cv2.integral(np.pad(hole, pad).astype(np.uint8))
    to_sources = np.array(offset) - pad  # canvas coordinates -> the sources' window

    summed = np.zeros(canvas_shape, np.float32)
    layers = []
    for shift_y in (0, half):
        for shift_x in (0, half):
            ys = origin_y + shift_y + tile * np.arange(count_y)
            xs = origin_x + shift_x + tile * np.arange(count_x)
            ys, xs = ys[(ys >= 0) & (ys + tile <= canvas_shape[0])], xs[(xs >= 0) & (xs + tile <= canvas_shape[1])]
            if ys.size == 0 or xs.size == 0:
                continue
            grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
            needed = _box_sums(hole_sums, grid_y, grid_x, tile) > 0
            corners = np.stack([grid_y[needed], grid_x[needed]], -1)
            # The tone is smooth at the tile's scale: its value at the centre is the tile's mean.
            centre_y = np.clip(corners[:, 0] + half - pad, 0, height - 1)
            centre_x = np.clip(corners[:, 1] + half - pad, 0, width - 1)
            chosen, fits = _best_sources(sources, corners + to_sources, tone[centre_y, centre_x], rng)
            layers.append((ys, xs, needed, corners + to_sources, chosen, fits))
    # Each tile laid with the energy of the skin's grain around it, and no stronger than the
    # usual source tile can be raised to: a tile that stands out of the others prints as a glyph
    # (a flat, blurred skin's sources with the odd speckled one among them).
    chosen_energies = [sources.tile_energy[chosen] for *_, chosen, _ in layers]
    usual = float(np.median(np.concatenate(chosen_energies))) if layers else 0.0
    for ys, xs, needed, places, chosen, fits in layers:
        wanted = np.minimum(_skin_energy_at(sources, places, usual), usual * MAX_TILE_GAIN**2)
        gains = np.minimum(np.sqrt(wanted / np.maximum(sources.tile_energy[chosen], 1e-12)), MAX_TILE_GAIN)
        # A source of another colour is another surface's texture (the crumpled plastic beside
        # an arm whose skin the mask took whole): no grain is better than that.
        gains *= fits
        tiles = _gather(sources.relative, sources.corners[chosen], tile)
        tiles -= tiles.mean(axis=(1, 2), keepdims=True)  # a tile's own mean would print the grid
        tiles *= gains.astype(np.float32)[:, None, None]
        # The layer's block of the canvas seen as (tile row, tile column, y, x): the needed
        # tiles are added in place, the others never touched.
        block = summed[ys[0]:ys[0] + len(ys) * tile, xs[0]:xs[0] + len(xs) * tile]
        block.reshape(len(ys), tile, len(xs), tile).transpose(0, 2, 1, 3)[needed] += tiles * weights
    # Every pixel of the hole lies in one tile of each layer, all four laid: the sum of the
    # squared weights there is the same product of two periodic rows for every hole.
    def squared_weights(count: int, origin: int) -> np.ndarray:
        place = np.arange(count) - origin
        return window_1d[place % tile] ** 2 + window_1d[(place - half) % tile] ** 2

    rows_norm = 1 / np.sqrt(squared_weights(canvas_shape[0], origin_y)[pad:pad + height])
    cols_norm = 1 / np.sqrt(squared_weights(canvas_shape[1], origin_x)[pad:pad + width])
    relative = summed[pad:pad + height, pad:pad + width] * rows_norm.astype(np.float32)[:, None]
    relative *= cols_norm.astype(np.float32)[None, :]
    return relative


def _chromaticity(rgb: np.ndarray) -> np.ndarray:
    """``(..., 3)`` colours -> their shares of red, green and blue: the colour less its
    lightness (skin in shade keeps it, a grey or blue background does not share it)."""
    rgb = rgb.astype(np.float32)
    return rgb / np.maximum(rgb.sum(axis=-1, keepdims=True), 1.0)


def _colour_fit(tones: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``(n,)`` in [0, 1]: 1 where the source tiles' ``tones`` are of the ``wanted`` tones'
    colour (chromaticities within ``SAME_COLOUR``), falling to 0 at ``OTHER_COLOUR``."""
    apart = np.sqrt(((_chromaticity(tones) - _chromaticity(wanted)) ** 2).sum(axis=-1))
    return np.clip((OTHER_COLOUR - apart) / (OTHER_COLOUR - SAME_COLOUR), 0, 1).astype(np.float32)


def _skin_energy_at(sources: GrainSources, corners: np.ndarray, usual: float) -> np.ndarray:
    """The skin's grain energy around tiles at ``corners`` (``(n, 2)``, the sources' window),
    ``usual`` where no skin is near."""
    shrink = sources.energy_shrink
    centres = (corners + sources.tile // 2) // shrink
    ys = np.clip(centres[:, 0], 0, sources.skin_energy.shape[0] - 1)
    xs = np.clip(centres[:, 1], 0, sources.skin_energy.shape[1] - 1)
    return np.where(sources.skin_reach[ys, xs] > 1e-3, sources.skin_energy[ys, xs], usual)


def _box_means(values: np.ndarray, side: int) -> np.ndarray:
    """The mean of ``values`` over the ``side`` x ``side`` box whose top-left corner is each pixel
    (float32 running sums: a 20 MP window in a fraction of a second, where float64 integral
    images took seconds and 160 MB each)."""
    return cv2.boxFilter(values.astype(np.float32, copy=False), -1, (side, side), anchor=(0, 0),
                         normalize=True, borderType=cv2.BORDER_CONSTANT)


def _box_sums(integral: np.ndarray, ys: np.ndarray, xs: np.ndarray, side: int) -> np.ndarray:
    return integral[ys + side, xs + side] - integral[ys, xs + side] - integral[ys + side, xs] + integral[ys, xs]


def _best_sources(sources: GrainSources, corners: np.ndarray, wanted: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """For each tile of the hole (top-left ``corners`` ``(n, 2)`` in the sources' window, mean
    tone ``wanted`` ``(n, 3)``), the index of the best of ``CANDIDATES`` source tiles, half
    drawn anywhere and half near it: near in tone (within a tolerance) and of its colour, then
    in place, of usual grain, and, where the tile reaches real skin, whose detail continues that
    skin's best; and how well that source's colour fits (:func:`_colour_fit`)."""
    n, tile = len(corners), sources.tile
    if n == 0:
        return np.zeros(0, int), np.zeros(0, np.float32)
    anywhere = rng.integers(0, sources.count, size=(n, CANDIDATES // 2))
    around = corners[:, None, :] + rng.normal(0, NEAR_SPREAD * tile, size=(n, CANDIDATES - CANDIDATES // 2, 2))
    draws = np.concatenate([anywhere, sources.near(around, rng)], axis=1)
    # Tones closer than the tolerance are as good as equal: the strictly nearest tone is the
    # flattest skin (a pore or a hair moves a tile's mean), and would make the grain faint.
    off = np.sqrt(((sources.tones[draws] - wanted[:, None, :]) ** 2).sum(-1))
    cost = (np.maximum(off - TONE_TOLERANCE, 0) / 8) ** 2
    reach = REACH_TILES * tile
    cost += (((sources.corners[draws] - corners[:, None, :]) / reach) ** 2).sum(-1) * DISTANCE_WEIGHT
    cost += ODDNESS_WEIGHT * sources.oddness[draws] + SURFACE_WEIGHT * sources.detached[draws]
    fits = _colour_fit(sources.tones[draws], wanted[:, None, :])
    cost += SURFACE_WEIGHT * (1 - fits)
    if sources.surfaces is not None:
        height, width = sources.surfaces.shape
        centres = corners + tile // 2
        own = sources.surfaces[np.clip(centres[:, 0], 0, height - 1), np.clip(centres[:, 1], 0, width - 1)]
        cost += SURFACE_WEIGHT * (sources.surface[draws] != own[:, None])
    _add_coherence(sources, corners, draws, cost)
    best = np.argmin(cost, axis=1)
    return draws[np.arange(n), best], fits[np.arange(n), best]


def _add_coherence(sources: GrainSources, corners: np.ndarray, draws: np.ndarray, cost: np.ndarray) -> None:
    """Add to ``cost`` the mismatch of each candidate with the known skin its tile reaches: one
    minus the zero-mean normalised correlation of their detail (unlike a squared difference it
    does not favour merely faint grain), on a sparse grid of the tile's pixels, weighted by the
    share of the tile that is known."""
    tile = sources.tile
    step = max(1, tile // 12)
    offsets = np.arange(0, tile, step)
    height, width = sources.target_valid.shape
    inside = (corners[:, 0] >= 0) & (corners[:, 1] >= 0) & (corners[:, 0] + tile <= height) & (corners[:, 1] + tile <= width)
    seen = np.flatnonzero(inside)
    if seen.size == 0:
        return
    known = _gather(sources.target_valid, corners[seen], tile, offsets).reshape(seen.size, -1)
    seen_enough = known.sum(-1) >= MIN_SEEN / (step * step)
    seen, known = seen[seen_enough], known[seen_enough].astype(np.float32)
    for chunk in np.array_split(np.arange(seen.size), max(1, seen.size // 256)):
        if chunk.size == 0:
            continue
        rows = seen[chunk]
        weight = known[chunk][:, None, :]
        count = weight.sum(-1, keepdims=True)
        target = _gather(sources.relative, corners[rows], tile, offsets).reshape(chunk.size, 1, -1)
        candidates = _gather(sources.relative, sources.corners[draws[rows]].reshape(-1, 2), tile, offsets)
        candidates = candidates.reshape(chunk.size, draws.shape[1], -1)
        target = (target - (target * weight).sum(-1, keepdims=True) / count) * weight
        candidates = (candidates - (candidates * weight).sum(-1, keepdims=True) / count) * weight
        correlation = (candidates * target).sum(-1) / np.sqrt(
            np.maximum((candidates**2).sum(-1) * (target**2).sum(-1), 1e-12))
        share = count[:, 0, 0] / weight.shape[-1]
        cost[rows] += COHERENCE_WEIGHT * share[:, None] * (1 - correlation)


def _gather(image: np.ndarray, corners: np.ndarray, tile: int, offsets: Optional[np.ndarray] = None) -> np.ndarray:
    """``(n, k, k)`` tiles of ``image`` with top-left ``corners`` (``(n, 2)``), at ``offsets``
    (default: every pixel of the tile)."""
    if offsets is None:  # whole tiles: rows of a sliding window, copied block by block
        return np.lib.stride_tricks.sliding_window_view(image, (tile, tile))[corners[:, 0], corners[:, 1]]
    rows = corners[:, 0, None, None] + offsets[None, :, None]
    cols = corners[:, 1, None, None] + offsets[None, None, :]
    return image[rows, cols]
