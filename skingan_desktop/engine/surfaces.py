"""The surfaces a hole sits on: skin alone, or skin and what lies beyond a limb's edge.

A box drawn over a tattoo near a limb's edge holds skin and background in one hole, and its
ring holds both. A membrane stretched over that whole ring blends them, so a pink cushion or
white jeans beside the arm tint the middle of the arm, and the limb's edge dissolves into a
dark blur. Here the ring is split into up to ``MAX_SURFACES`` surfaces by colour (k-means in
CIELAB, lightness counted half: shade darkens a surface, it does not change its hue). The main
surface, the skin the hole is on, is the ground of the hole; every arc of another surface along
the hole's edge takes the part of the hole it encloses when its ends are joined by a straight
line (a limb's edge entering the hole leaves it straight across, as edges do over a tattoo's
length). Each surface's membrane is then stretched over its own pixels only, and the grain of
each part is taken from its own surface (``engine/grain.py``).

Colour groups that blend into each other along the ring are one surface lit unevenly (a shadow
across the skin), not two, and are not split; nor is an arc whose colour is reached gradually,
which, of the skin's hue, is the skin itself in another light (lit white beside skin in shade).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import cv2
import numpy as np

from .grain import known_low_pass
from .membrane import V_CYCLES, membrane_values

MAX_SURFACES = 3
# Working px: a hole no deeper than this (no pixel farther from its edge) is not split. Near the
# ring the generator sees the limb's edge and draws it better than a straight chord: on the fill
# benchmark's held-out boxes across a limb's edge (all shallower than 40 px) splitting them cost
# 0.4 dB and 1.7 dE. A whole tattoo's box, where the generator's guess fails, is 75 px deep or more.
SPLIT_DEPTH = 40.0
RING_WIDTH = 6            # working px of known pixels around the hole that make its ring
COLOUR_SIGMA = 1.5        # working px: colours are judged blurred this much (grain, JPEG noise)
LIGHTNESS_WEIGHT = 0.5    # of CIELAB's L in the colour distance that tells surfaces apart
MIN_SEPARATION = 14.0     # that distance between any two surfaces' centres; a pixel farther than
                          # it from every centre, and than most of that surface's ring, is of none
REACH_SHARE = 0.9         # ... most: this share of the ring samples grouped into a surface
SKIN_HUES = (30.0, 80.0)  # CIELAB hue angles of skin, degrees (orange to yellow; a red chair is below) ...
SKIN_SAMPLE_HUES = (30.0, 90.0)  # ... and of a single ring pixel's, when no group is skin (pale skin
                                 # under a yellow lamp reaches 85: 118_1)
SKIN_CHROMA = 6.0         # ... with more than this chroma, fully skin at this plus SKIN_CHROMA_SPAN (a
SKIN_CHROMA_SPAN = 12.0   # greyed ring of ink shading and shadow is less skin than the tan beside it)
LIT_HUE = 25.0            # degrees: a skin-coloured surface this near the main one's hue may be it in
                          # another light (lit bright, skin turns yellower)
SKIN_PREFERENCE = 0.5     # share of the ring a skin-coloured surface is granted over others in choosing the main one
MIN_SHARE = 0.06          # each surface holds at least this share of the ring
MAX_BLEND = 0.25          # at most this share of two surfaces' ring pixels lies between their colours
MAX_SAMPLES = 20_000      # ring pixels the groups are found on
MIN_ARC = 5               # boundary px: a shorter run of one surface along the hole's edge is noise
EDGE_SPAN = 6             # boundary px each side of an arc's end over which ...
EDGE_SHARE = 0.5          # ... its colour must change this share of the way between the two surfaces
SOLVE_MARGIN = 2 * RING_WIDTH  # working px around the hole over which each surface's membrane is solved
CONTOUR_REACH = 3.0       # working px either side of where two surfaces meet in the hole
BORDER = -2               # along a hole's edge: the photo's border, beyond which nothing is known
SHARE_SIGMA = 1.5         # working px: the parts are eased over this, so the contour is not stair-stepped


@dataclass
class Surfaces:
    """The surfaces around a hole (one or more): their ``centres`` (``(k, 3)``, in
    :func:`surface_colour`'s units) and the ``labels`` of the known pixels of the window they
    were found on (``(h, w)`` int8, the surface's index, -1 for none of them and for the hole's
    pixels)."""

    centres: np.ndarray
    labels: np.ndarray
    colours: np.ndarray  # (h, w, 3) surface_colour of the known pixels blurred, carried a little into the hole
    main: int            # the skin the hole is on: the skin-coloured surface with the most of the ring
    wide: Optional[np.ndarray] = None  # (h, w) int8: the surfaces other than the main one, as far as
                                       # most of each one's ring reaches (-1 elsewhere)

    @property
    def count(self) -> int:
        return len(self.centres)


def surface_colour(rgb: np.ndarray) -> np.ndarray:
    """``(..., 3)`` float in 8-bit units -> CIELAB float32 with the lightness scaled by
    ``LIGHTNESS_WEIGHT``: a surface in shadow is darker but keeps its hue, and skin differs
    from jeans or a wall more in hue than in lightness."""
    scaled = np.clip(rgb.astype(np.float32) / 255, 0, 1)
    lab = cv2.cvtColor(scaled.reshape(-1, 1, 3), cv2.COLOR_RGB2Lab).reshape(rgb.shape)
    lab[..., 0] *= LIGHTNESS_WEIGHT
    return lab


def ring_surfaces(photo: np.ndarray, hole: np.ndarray, seed: int = 0) -> Optional[Surfaces]:
    """The surfaces of ``hole``'s ring in ``photo`` (``(h, w, 3)`` float or uint8): the most
    groups, up to ``MAX_SURFACES``, that are all distinct, sizeable and not blended into each
    other, else the ring as one surface; ``None`` when the hole has no ring."""
    known = ~hole
    if not hole.any() or not known.any():
        return None
    colours = surface_colour(known_low_pass(photo.astype(np.float32), known, COLOUR_SIGMA)[0])
    depth = cv2.distanceTransform(known.astype(np.uint8), cv2.DIST_L2, 3)
    samples = colours[known & (depth <= RING_WIDTH)]
    if len(samples) < 32:
        return None
    samples = np.ascontiguousarray(samples[::max(1, len(samples) // MAX_SAMPLES)])
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.1)
    grouped, centres = np.zeros(len(samples), np.int32), samples.mean(axis=0, keepdims=True)
    for count in range(MAX_SURFACES, 1, -1):
        cv2.setRNGSeed(seed)
        _, tried, tried_centres = cv2.kmeans(samples, count, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
        if _distinct(samples, tried.ravel(), tried_centres):
            grouped, centres = tried.ravel(), tried_centres
            break
    skin_apart = None
    if not _skin_like(centres).any():
        skin_apart = _skin_apart(samples, criteria, seed)
        if skin_apart is not None:
            grouped, centres = skin_apart
    # Every known pixel joins the nearest surface when it is near one (a shirt beyond the
    # background, a colour not in the ring, joins none).
    distances = np.stack([np.linalg.norm(colours - centre, axis=-1) for centre in centres])
    nearest, labels = distances.min(axis=0), np.argmin(distances, axis=0).astype(np.int8)
    labels[hole] = -1
    # A many-coloured surface (teal and dark green cloth, 22_1) has its centre between its
    # colours, and only its blends with the skin beside it are near that: its membrane, held
    # by those alone, was a grey-green between the two. Its membrane is held by the pixels as
    # far from its centre as most of its ring lies.
    wide = labels.copy()
    wide[nearest > _reaches(samples, grouped, centres)[labels]] = -1
    labels[nearest > MIN_SEPARATION] = -1
    shares = np.bincount(grouped, minlength=len(centres)) / len(grouped)
    main = 0 if skin_apart is not None else int(np.argmax(shares + SKIN_PREFERENCE * _skin_like(centres)))
    # The skin's own membrane stays held by its near pixels: a floor's cream tiles are as far
    # from the skin's centre as some of its ring.
    wide[wide == main] = -1
    return Surfaces(centres.astype(np.float32), labels, colours, main, wide)


def _reaches(samples: np.ndarray, grouped: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """``(k,)``: how far from its centre each surface's ring samples lie (``REACH_SHARE`` of
    them within), ``MIN_SEPARATION`` at least."""
    reaches = np.full(len(centres), MIN_SEPARATION, np.float32)
    for index, centre in enumerate(centres):
        own = samples[grouped == index]
        if len(own):
            spread = np.linalg.norm(own - centre, axis=-1)
            reaches[index] = max(MIN_SEPARATION, float(np.quantile(spread, REACH_SHARE)))
    return reaches


def _skin_like(colours: np.ndarray, hues: tuple[float, float] = SKIN_HUES) -> np.ndarray:
    """``(k,)`` in [0, 1]: how much each of ``colours`` (``(k, 3)``, :func:`surface_colour`'s
    units) is a skin's: 0 outside skin's ``hues`` (orange to yellow) or with no more chroma than
    ``SKIN_CHROMA``, rising to 1 over ``SKIN_CHROMA_SPAN`` more. A box drawn over a limb's edge
    may hold more background than skin along its ring, but the hole is on the skin."""
    hue, chroma = _hue(colours), np.hypot(colours[:, 1], colours[:, 2])
    toned = np.clip((chroma - SKIN_CHROMA) / SKIN_CHROMA_SPAN, 0, 1)
    return (((hue >= hues[0]) & (hue <= hues[1])) * toned).astype(np.float32)


def _hue(colours: np.ndarray) -> np.ndarray:
    """``(k,)`` CIELAB hue angles of ``colours`` (``(k, 3)``), degrees."""
    return np.degrees(np.arctan2(colours[:, 2], colours[:, 1]))


def _skin_apart(samples: np.ndarray, criteria: tuple, seed: int) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """When no group of the ring is skin-coloured, its skin may be a short arc that k-means merged
    into a larger, many-coloured background (a box over a limb's whole width: skin above and
    below, bedding, a shirt and a chair at the sides). The ring's skin-coloured samples are then
    a group of their own (the first), the rest grouped around them, if the skin is distinct from
    each (the background's groups may blend into each other); else ``None``. The hole is on that
    skin, however little of the ring it holds."""
    skin = _skin_like(samples, hues=SKIN_SAMPLE_HUES) >= 0.5
    if not MIN_SHARE <= skin.mean() <= 1 - MIN_SHARE:
        return None
    rest = np.ascontiguousarray(samples[~skin])
    for count in range(MAX_SURFACES - 1, 0, -1):
        cv2.setRNGSeed(seed)
        if count == 1:
            labels, rest_centres = np.zeros(len(rest), np.int32), rest.mean(axis=0, keepdims=True)
        else:
            _, labels, rest_centres = cv2.kmeans(rest, count, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
        tried = np.zeros(len(samples), np.int32)
        tried[~skin] = labels.ravel() + 1
        tried_centres = np.concatenate([samples[skin].mean(axis=0, keepdims=True), rest_centres]).astype(np.float32)
        if _distinct(samples, tried, tried_centres, first_only=True):
            return tried, tried_centres
    return None


def _same_skin(centres: np.ndarray, main: int) -> np.ndarray:
    """``(k,)`` bool: the centres that could be the ``main`` one's skin in another light, both
    skin-coloured and of hues within ``LIT_HUE`` degrees (lit white or in shade, skin keeps its
    hue; a background seldom has it). The lit one may be as yellow as ``SKIN_SAMPLE_HUES``
    allow: a lamp on the back of a hand turns it past skin's usual hues (75_1, 83 degrees
    beside 78 in shade)."""
    hue = _hue(centres)
    apart = np.abs((hue - hue[main] + 180) % 360 - 180)
    lit = _skin_like(centres, SKIN_SAMPLE_HUES) > 0
    return lit & (_skin_like(centres[main:main + 1]) > 0) & (apart <= LIT_HUE)


def _distinct(samples: np.ndarray, grouped: np.ndarray, centres: np.ndarray, first_only: bool = False) -> bool:
    """Whether the k-means groups are surfaces: each of ``MIN_SHARE``, every two centres
    ``MIN_SEPARATION`` apart, and few of their pixels between them (a gradient of light fills
    the space between its ends; an edge between two surfaces leaves it nearly empty). With
    ``first_only``, only the first group against each other one, and of another group of many
    colours only the pixels near the line between the two centres count as between them."""
    shares = np.bincount(grouped, minlength=len(centres)) / len(grouped)
    if shares.min() < MIN_SHARE:
        return False
    for i in range(1 if first_only else len(centres)):
        for j in range(i + 1, len(centres)):
            axis = centres[j] - centres[i]
            separation = float(np.linalg.norm(axis))
            if separation < MIN_SEPARATION:
                return False
            pair = samples[(grouped == i) | (grouped == j)]
            along = (pair - centres[i]) @ axis / separation**2  # 0 at the first centre, 1 at the second
            between = (along > 0.3) & (along < 0.7)
            if first_only:  # a group of many colours: only pixels near the line between the two blend them
                off = np.linalg.norm(pair - centres[i] - along[:, None] * axis, axis=1)
                between &= off < separation / 4
            if np.mean(between) > MAX_BLEND:
                return False
    return True


def surface_parts(surfaces: Surfaces, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each surface's share of each hole pixel (``(k, h, w)`` float32, summing to 1 in the
    hole, 0 outside it), and the known pixels' labels as the arcs settle them (below).

    Along each piece of the hole's edge the surfaces meet it in arcs. The ring's main surface
    (the skin the hole is on) is the ground; every arc of another surface takes the part of the
    hole between the arc and the straight line joining its ends: a background entering a box
    over a limb's edge, bounded by the edge's straight continuation. A pixel no arc takes is the
    main surface's, but in a piece of the hole with none of the main surface around it, which
    lies on the surface most of its edge is.

    An arc whose colour is reached gradually at an end takes no part. Of the main surface's hue
    and reached gradually from it wherever it meets it, it is the main surface in another light
    (skin lit white by a lamp beside skin in shade), not another surface: its ring pixels are
    labelled the main surface's, so that the main surface's membrane meets them (left out, it
    would end in a hard edge against them)."""
    parts = np.zeros((surfaces.count, *hole.shape), np.float32)
    main = surfaces.main
    labels = surfaces.labels.copy()
    if surfaces.count == 1:
        parts[main] = hole
        return parts, labels
    edge_labels = _edge_labels(surfaces, hole)
    lit = np.full(hole.shape, -1, np.int8)  # on arcs that are the main surface in another light: their surface
    same_skin = _same_skin(surfaces.centres, main)
    contours, _ = cv2.findContours(hole.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    for contour in contours:
        points = contour[:, 0, :]
        # Where the hole runs along the photo's border there is no ring: an arc that reaches
        # the border ends there (carried along it, a background arc at the bottom of a box cut
        # by the photo's edge took a wedge of the back up to the top corner, 22_2).
        on_border = (points[:, 0] == 0) | (points[:, 1] == 0) | (points[:, 0] == hole.shape[1] - 1) \
            | (points[:, 1] == hole.shape[0] - 1)
        along = _steady(np.where(on_border, BORDER, edge_labels[points[:, 1], points[:, 0]]).astype(np.int8))
        if main not in along and (along >= 0).any():
            # A piece of the hole with none of the main surface around it (a stroke that strayed
            # onto the background) lies on the surface most of its edge is.
            ground = int(np.argmax(np.bincount(along[along >= 0], minlength=surfaces.count)))
            piece = np.zeros(hole.shape, np.uint8)
            cv2.fillPoly(piece, [contour], 1)
            parts[ground] = np.maximum(parts[ground], piece)
            continue
        for start, length in _runs(along):
            index = along[start]
            if index < 0 or index == main or length == len(along):
                continue
            arc = points[np.arange(start, start + length) % len(points)]
            ends = _arc_ends(surfaces, points, along, start, length)
            towards_main = [sharp for sharp, neighbour in ends if neighbour == main]
            if towards_main and not any(towards_main) and same_skin[index]:
                lit[arc[:, 1], arc[:, 0]] = index
            if not all(sharp for sharp, _ in ends):
                continue
            polygon = np.zeros(hole.shape, np.uint8)
            cv2.fillPoly(polygon, [arc.reshape(-1, 1, 2).astype(np.int32)], 1)
            parts[index] = np.maximum(parts[index], polygon)
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * RING_WIDTH + 1,) * 2)
    for index in np.unique(lit[lit >= 0]):
        labels[(cv2.dilate((lit == index).astype(np.uint8), reach) > 0) & (labels == index)] = main
    # Eased over the hole's pixels only: at the hole's edge a blur would also average in the
    # outside's zeros and hand the edge to the main surface.
    within = np.maximum(cv2.GaussianBlur(hole.astype(np.float32), (0, 0), SHARE_SIGMA), 1e-6)
    parts = np.stack([cv2.GaussianBlur(part * hole, (0, 0), SHARE_SIGMA) / within for part in parts])
    taken = parts.sum(axis=0)
    parts /= np.maximum(taken, 1.0)  # overlapping arcs share their pixels
    parts[main] = 1 - np.minimum(taken, 1.0)
    return (parts * hole).astype(np.float32), labels


def _arc_ends(surfaces: Surfaces, points: np.ndarray, along: np.ndarray, start: int,
              length: int) -> list[tuple[bool, int]]:
    """For each end of the arc of ``length`` edge points from ``start`` (``along``: the surfaces
    along the edge): whether the colour changes sharply there, by ``EDGE_SHARE`` of the distance
    between the two surfaces met, within ``2 * EDGE_SPAN`` points, as at a limb's edge; and the
    surface met (-1: none). A colour reached gradually is the same surface in another light."""
    count = len(points)
    ends = []
    for end, outside in ((start, start - 1), (start + length, start + length)):
        before, after = points[(end - EDGE_SPAN) % count], points[(end + EDGE_SPAN - 1) % count]
        jump = np.linalg.norm(surfaces.colours[before[1], before[0]] - surfaces.colours[after[1], after[0]])
        neighbour = int(along[outside % count])
        apart = np.linalg.norm(surfaces.centres[along[start]] - surfaces.centres[neighbour]) if neighbour >= 0 else 0
        ends.append((bool(jump >= EDGE_SHARE * apart), neighbour))
    return ends


def _edge_labels(surfaces: Surfaces, hole: np.ndarray) -> np.ndarray:
    """For each pixel, the surface most of the known pixels of the 5x5 box around it belong
    to (-1 where none): read at the hole's edge pixels, the surface just outside."""
    counts = np.stack([cv2.boxFilter((surfaces.labels == index).astype(np.float32), -1, (5, 5), normalize=False)
                       for index in range(surfaces.count)])
    best = np.argmax(counts, axis=0).astype(np.int8)
    best[counts.max(axis=0) == 0] = -1
    return best


def _runs(labels: np.ndarray) -> list[tuple[int, int]]:
    """The runs of one label along a closed edge: (start, length), a run may wrap past the end."""
    change = np.flatnonzero(labels != np.roll(labels, 1))
    if change.size == 0:
        return [(0, len(labels))]
    lengths = (np.roll(change, -1) - change) % len(labels)
    return list(zip(change.tolist(), lengths.tolist()))


def _steady(labels: np.ndarray) -> np.ndarray:
    """``labels`` along a closed edge with runs shorter than ``MIN_ARC`` (and of no surface)
    taken by the run before them: a speck of another colour where the ring is one surface.
    Runs along the photo's border (``BORDER``) stay: nothing is known beyond them."""
    labels = labels.copy()
    if len(labels) < 2 * MIN_ARC:
        return labels
    for _ in range(2):  # a short run between two short runs is settled on the second pass
        for start, length in _runs(labels):
            if length < len(labels) and labels[start] != BORDER and (length < MIN_ARC or labels[start] < 0):
                labels[np.arange(start, start + length) % len(labels)] = labels[start - 1]
    return labels


@dataclass
class HoleSurfaces:
    """The surfaces around a hole and each one's part of it (``parts``: ``(k, h, w)``), ready to
    stretch any values over the hole surface by surface (:meth:`membrane`)."""

    hole: np.ndarray
    surfaces: Optional[Surfaces]
    parts: Optional[np.ndarray]

    def membrane(self, values: np.ndarray, window: Optional[tuple[slice, slice]] = None,
                 cycles: int = V_CYCLES) -> np.ndarray:
        """The harmonic membrane of ``values`` (``(h, w, c)`` float, for ``window`` of the
        photo the surfaces were found on, default all of it) over the hole: each surface's
        stretched over its own pixels (every other pixel free) and laid over its part; the
        plain membrane where the ring is one surface. A float32 copy, ``values`` outside the hole."""
        window = window or (slice(0, self.hole.shape[0]), slice(0, self.hole.shape[1]))
        hole = self.hole[window]
        if self.surfaces is None or self.surfaces.count == 1 or not hole.any():
            return membrane_values(values, hole, cycles)
        values = values.astype(np.float32)
        # Solved around the hole only: beyond a ring's width the surfaces' own pixels hold it.
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        near = (slice(max(rows[0] - SOLVE_MARGIN, 0), rows[-1] + 1 + SOLVE_MARGIN),
                slice(max(cols[0] - SOLVE_MARGIN, 0), cols[-1] + 1 + SOLVE_MARGIN))
        hole, near_values = hole[near], values[near]
        labels = self.surfaces.labels[window][near]
        wide = None if self.surfaces.wide is None else self.surfaces.wide[window][near]
        parts = self.parts[(slice(None), *window)][(slice(None), *near)]
        mixed = np.zeros(near_values.shape, np.float32)
        weight = np.zeros(hole.shape, np.float32)
        for index in range(self.surfaces.count):
            free = labels != index
            if wide is not None:
                free &= ~((labels < 0) & (wide == index))
            if free.all() or not parts[index].any():
                continue
            own = membrane_values(near_values, free, cycles)
            # A membrane stays within its boundary's values; one held by a few specks of its
            # surface across a wide free window may not settle, and is not used.
            held = near_values[~free]
            if (own[hole] < held.min(axis=0) - 1).any() or (own[hole] > held.max(axis=0) + 1).any():
                continue
            mixed += parts[index][..., None] * own
            weight += parts[index]
        # A part whose surface has no pixel near the hole cannot be stretched: the plain
        # membrane takes its share.
        missing = np.clip(1 - weight, 0, 1)
        if missing[hole].max(initial=0) > 1e-3:
            mixed += missing[..., None] * membrane_values(near_values, hole, cycles)
            weight += missing
        mixed /= np.maximum(weight, 1e-6)[..., None]
        out = values.copy()
        out[near] = np.where(hole[..., None], mixed, near_values)
        return out

    def near_contour(self) -> np.ndarray:
        """``(h, w)`` float32 in [0, 1]: how near each hole pixel is to where two surfaces meet
        inside the hole (1 on that contour, fading over ``CONTOUR_REACH`` px; 0 where the hole
        is on one surface). There the membrane's sharp edge is the truth's best guess, and a
        generator that blurs a limb's edge is not to be followed."""
        near = np.zeros(self.hole.shape, np.float32)
        if self.surfaces is None or self.surfaces.count == 1:
            return near
        owner = np.argmax(self.parts, axis=0)
        changes = np.zeros(self.hole.shape, bool)
        changes[1:] |= (owner[1:] != owner[:-1]) & self.hole[1:] & self.hole[:-1]
        changes[:, 1:] |= (owner[:, 1:] != owner[:, :-1]) & self.hole[:, 1:] & self.hole[:, :-1]
        if not changes.any():
            return near
        distance = cv2.distanceTransform((~changes).astype(np.uint8), cv2.DIST_L2, 3)
        return (np.exp(-((distance / CONTOUR_REACH) ** 2)) * self.hole).astype(np.float32)

    def main_skin(self) -> tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """The known pixels of the skin the hole lies on (``(h, w)`` bool) and that skin's share
        of each hole pixel (``(h, w)`` float32); ``(None, None)`` where the hole is not split."""
        if self.surfaces is None:
            return None, None
        return self.surfaces.labels == self.surfaces.main, self.parts[self.surfaces.main]

    def surface_map(self, shape: tuple[int, int]) -> Optional[np.ndarray]:
        """``shape`` (the photo's size the surfaces were found on, at any scale) int8: each
        known pixel's surface (-1: none of them) and each hole pixel's, the one owning most of
        it; ``None`` when the hole has no ring."""
        if self.surfaces is None:
            return None
        named = self.surfaces.labels.copy()
        named[self.hole] = np.argmax(self.parts, axis=0)[self.hole]
        return cv2.resize(named, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)


def hole_surfaces(photo: np.ndarray, hole: np.ndarray, split_depth: Optional[float] = None) -> HoleSurfaces:
    """The surfaces of ``hole`` (``(h, w)`` bool) in ``photo`` (``(h, w, 3)``) and their parts;
    none (one plain membrane, grain by tone alone) for a hole no deeper than ``split_depth``
    px (default ``SPLIT_DEPTH``)."""
    split_depth = SPLIT_DEPTH if split_depth is None else split_depth
    if not hole.any() or cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3).max() <= split_depth:
        return HoleSurfaces(hole, None, None)
    surfaces = ring_surfaces(photo, hole)
    if surfaces is None:
        return HoleSurfaces(hole, None, None)
    parts, labels = surface_parts(surfaces, hole)
    return HoleSurfaces(hole, replace(surfaces, labels=labels), parts)
