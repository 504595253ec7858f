"""The real-job fill cases: holes on whole photos of the validation subjects, truth known.

Three kinds of hole, all seeded, all where the photo shows no tattoo (so the truth is real):
- ``drawn``: a tattoo-like shape (``masks.make_mask("tattoo")``) in a clean skin window;
- ``ink``: the ink of a real tattoo (snap-to-ink on another photo's tattoo box), scaled into a
  clean skin window;
- ``edge``: a box across a limb's edge, skin and background in one hole.

Every method gets the whole photo with the hole blanked, as the app gives it the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import cv2
import numpy as np

from ..engine.ink import NoInkFound, snap_to_ink
from ..io.photos import PhotoError, load_photo
from .data import PHOTO_SUFFIXES, is_validation_subject, skin_map, subject_of, tattoo_boxes
from .masks import make_mask

KINDS = ("drawn", "ink", "edge")
WINDOW = 96              # side of a clean skin window (px of the 480 px photos)
SKIN_SHARE = 0.8         # of a window's pixels that the skin gate must accept
BOX_MARGIN = 12          # px kept clear around every tattoo box
EDGE_SIDES = (28, 64)    # side range of the boxes across a limb's edge
EDGE_SKIN_SHARE = (0.3, 0.7)  # share of such a box that is skin


@dataclass(frozen=True)
class FillCase:
    """One fill to make and judge: ``photo`` (``(H, W, 3)`` uint8, the truth everywhere),
    ``hole`` (``(H, W)`` bool), ``view`` (``(top, left, bottom, right)``: where to look) and,
    for holes across a limb's edge, ``limb`` (``(H, W)`` bool: the limb in the truth)."""

    name: str
    kind: str
    photo: np.ndarray
    hole: np.ndarray
    view: tuple[int, int, int, int]
    limb: Optional[np.ndarray] = None

    def blanked(self) -> np.ndarray:
        """The photo as a method sees it: the hole's pixels set to mid grey."""
        photo = self.photo.copy()
        photo[self.hole] = 128
        return photo


def _photos(data: Path, validation: bool) -> list[Path]:
    return sorted(p for p in Path(data).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES
                  and is_validation_subject(subject_of(p)) == validation)


def clear_of_tattoos(path: Path, shape: tuple[int, int], margin: int = BOX_MARGIN) -> np.ndarray:
    """``(H, W)`` bool: farther than ``margin`` px from every tattoo box of the photo."""
    clear = np.ones(shape, bool)
    for x1, y1, x2, y2 in tattoo_boxes(path):
        clear[max(0, y1 - margin):y2 + margin, max(0, x1 - margin):x2 + margin] = False
    return clear


def skin_windows(allowed: np.ndarray, side: int = WINDOW, stride: int = 8) -> list[tuple[int, int]]:
    """Top-left corners of ``side``-px windows where ``allowed`` covers ``SKIN_SHARE``, no two
    sharing more than half their area."""
    height, width = allowed.shape
    integral = cv2.integral(allowed.astype(np.uint8))
    taken: list[tuple[int, int]] = []
    for top in range(0, height - side + 1, stride):
        for left in range(0, width - side + 1, stride):
            inside = (integral[top + side, left + side] - integral[top, left + side]
                      - integral[top + side, left] + integral[top, left])
            if inside < SKIN_SHARE * side * side:
                continue
            if all((side - abs(top - t)) * (side - abs(left - l)) <= side * side / 2
                   for t, l in taken if abs(top - t) < side and abs(left - l) < side):
                taken.append((top, left))
    return taken


def ink_shapes(data: Path, limit: Optional[int] = None) -> list[tuple[str, np.ndarray]]:
    """The ink of every tattoo box in ``data`` (``(h, w)`` bool, cropped to the ink), by snap
    to ink on the box, named after its photo."""
    shapes = []
    for path in sorted(p for p in Path(data).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES):
        try:
            photo = load_photo(path)
        except PhotoError:
            continue
        for x1, y1, x2, y2 in tattoo_boxes(path):
            rough = np.zeros(photo.shape[:2], bool)
            rough[max(0, y1):y2, max(0, x1):x2] = True
            if not rough.any() or rough.all():
                continue
            try:
                ink = snap_to_ink(photo, rough)
            except NoInkFound:
                continue
            rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
            shapes.append((path.name, ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]))
            if limit is not None and len(shapes) >= limit:
                return shapes
    return shapes


def scaled_into(shape: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    """``shape`` scaled so that its long side is 50-90 % of ``side``, at a random place in a
    ``side x side`` window, maybe mirrored."""
    if rng.random() < 0.5:
        shape = shape[:, ::-1]
    long_side = rng.uniform(0.5, 0.9) * side
    scale = long_side / max(shape.shape)
    h, w = max(1, round(shape.shape[0] * scale)), max(1, round(shape.shape[1] * scale))
    small = cv2.resize(shape.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) > 0.5
    window = np.zeros((side, side), bool)
    top, left = int(rng.integers(0, side - h + 1)), int(rng.integers(0, side - w + 1))
    window[top:top + h, left:left + w] = small
    return window


def limb_map(skin: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """``(H, W)`` bool: the tattooed limb, the pieces of the cleaned skin map that reach into a
    tattoo box (the skin gate alone also takes red cloth and wood for skin)."""
    cleaned = cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
    count, labels = cv2.connectedComponents(cleaned)
    tattooed = np.unique(labels[(cleaned > 0) & ~clear])
    return np.isin(labels, tattooed[tattooed > 0])


def limb_edges(limb: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """``(N, 2)`` (row, col) points on the boundary of ``limb``, where the boundary is clear of
    tattoos and far enough from the photo's border for a box."""
    edge = cv2.morphologyEx(limb.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    margin = EDGE_SIDES[1]
    edge[:margin // 2] = edge[-margin // 2:] = False
    edge[:, :margin // 2] = edge[:, -margin // 2:] = False
    return np.argwhere(edge & clear)


def fill_cases(data: Path, *, per_kind: int = 2, seed: int = 0, limit: Optional[int] = None,
               validation: bool = True, shapes: Optional[list[tuple[str, np.ndarray]]] = None
               ) -> Iterator[FillCase]:
    """Up to ``per_kind`` cases of each kind per photo of the validation subjects (the training
    subjects with ``validation=False``), ``limit`` photos at most. ``shapes`` are the real ink
    shapes to scale in (default: :func:`ink_shapes` of ``data``)."""
    if shapes is None:
        shapes = ink_shapes(data)
    for photo_index, path in enumerate(_photos(data, validation)[:limit]):
        try:
            photo = load_photo(path)
        except PhotoError:
            continue
        rng = np.random.default_rng([seed, photo_index])
        skin = skin_map(photo)
        clear = clear_of_tattoos(path, skin.shape)
        windows = skin_windows(skin & clear)
        order = rng.permutation(len(windows))
        others = [shape for source, shape in shapes if source != path.name]
        for kind in ("drawn", "ink"):
            for k, index in enumerate(order[:per_kind]):
                top, left = windows[index]
                if kind == "drawn":
                    local = make_mask("tattoo", (WINDOW, WINDOW), rng)
                elif others:
                    local = scaled_into(others[int(rng.integers(len(others)))], WINDOW, rng)
                else:
                    continue
                hole = np.zeros(skin.shape, bool)
                hole[top:top + WINDOW, left:left + WINDOW] = local
                hole &= clear
                if hole.any():
                    yield FillCase(f"{path.stem}-{kind}{k}", kind, photo, hole,
                                   (top, left, top + WINDOW, left + WINDOW))
        yield from _edge_cases(path, photo, skin, clear, per_kind, rng)


def _edge_cases(path: Path, photo: np.ndarray, skin: np.ndarray, clear: np.ndarray, count: int,
                rng: np.random.Generator) -> Iterator[FillCase]:
    limb = limb_map(skin, clear)
    points = limb_edges(limb, clear)
    made, tries = 0, 0
    height, width = limb.shape
    while made < count and tries < 200 and len(points):
        tries += 1
        row, col = points[int(rng.integers(len(points)))]
        bh, bw = (int(rng.integers(EDGE_SIDES[0], EDGE_SIDES[1] + 1)) for _ in range(2))
        top, left = int(row) - bh // 2, int(col) - bw // 2
        if top < 0 or left < 0 or top + bh > height or left + bw > width:
            continue
        box = (slice(top, top + bh), slice(left, left + bw))
        if not clear[box].all() or not EDGE_SKIN_SHARE[0] <= limb[box].mean() <= EDGE_SKIN_SHARE[1]:
            continue
        hole = np.zeros(limb.shape, bool)
        hole[box] = True
        margin = WINDOW // 2 - max(bh, bw) // 2
        view = (max(0, top - margin), max(0, left - margin), min(height, top + bh + margin),
                min(width, left + bw + margin))
        yield FillCase(f"{path.stem}-edge{made}", "edge", photo, hole, view, limb)
        made += 1
