"""Scene crops for training the generator's structure: whole-photo views, not only skin.

A crop shows what the engine's work region shows: the limb, its edge, the background, other
tattoos. Its holes are the real jobs' shapes (tattoo-like strokes, real ink shapes, boxes across
the limb's edge, LaMa's large masks), kept out of the tattoo boxes, where the truth is ink: the
loss only ever compares with real skin or background.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import torch

from ..io.photos import PhotoError, load_photo
from .data import PHOTO_SUFFIXES, is_validation_subject, skin_map, subject_of
from ..engine.ink import ink_difference
from .fill_cases import EDGE_SIDES, clear_of_tattoos, ink_shapes, limb_edges, limb_map
from .masks import make_mask

HOLE_MIX = (("tattoo", 0.35), ("ink", 0.25), ("edge", 0.25), ("large", 0.15))
VIEW_SIDES = (128, 256)   # native px of the view a crop shows, resized to the training size
TRAINING_BOX_MARGIN = 24  # px kept clear around tattoo boxes (boxes are drawn loosely)
STRAY_INK = (20.0, 0.03)  # a hole's truth with this share of pixels this far (CIELAB) from the skin
                          # around is stray ink (an unboxed tattoo): drawn again, except across edges


@dataclass
class ScenePhoto:
    photo: np.ndarray       # (H, W, 3) uint8
    clear: np.ndarray       # (H, W) bool: away from every tattoo box
    edges: np.ndarray       # (N, 2) points on the limb's edge, clear of tattoos


@dataclass
class Scenes:
    photos: list[ScenePhoto]
    shapes: list[np.ndarray]  # real ink shapes, (h, w) bool


def load_scenes(data: Path, validation: bool = False, limit: Optional[int] = None) -> Scenes:
    """The photos of the training subjects (the validation subjects with ``validation``), with
    what their holes need, and the ink shapes of every photo's tattoos."""
    photos = []
    paths = sorted(p for p in Path(data).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES
                   and is_validation_subject(subject_of(p)) == validation)
    for path in paths[:limit]:
        try:
            photo = load_photo(path)
        except PhotoError:
            continue
        clear = clear_of_tattoos(path, photo.shape[:2], TRAINING_BOX_MARGIN)
        photos.append(ScenePhoto(photo, clear, limb_edges(limb_map(skin_map(photo), clear), clear)))
    return Scenes(photos, [shape for _, shape in ink_shapes(data)])


def _ink_hole(shape: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A real ink shape, scaled to 40-100 % of the crop's side, at a random place."""
    if rng.random() < 0.5:
        shape = shape[:, ::-1]
    scale = rng.uniform(0.4, 1.0) * size / max(shape.shape)
    h, w = max(1, round(shape.shape[0] * scale)), max(1, round(shape.shape[1] * scale))
    small = cv2.resize(shape.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) > 0.5
    hole = np.zeros((size, size), bool)
    top, left = int(rng.integers(0, size - min(h, size) + 1)), int(rng.integers(0, size - min(w, size) + 1))
    hole[top:top + h, left:left + w] = small[:size - top, :size - left]
    return hole


def scene_sample(scenes: Scenes, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One ``(size, size, 3)`` uint8 crop and its ``(size, size)`` bool hole, which is never on a
    tattoo box. The view is 128-256 native px, resized; flipped half the time."""
    kinds, weights = zip(*HOLE_MIX)
    while True:
        scene = scenes.photos[int(rng.integers(len(scenes.photos)))]
        height, width = scene.clear.shape
        view = int(rng.integers(VIEW_SIDES[0], min(VIEW_SIDES[1], height, width) + 1))
        kind = str(rng.choice(kinds, p=weights))
        if kind == "edge":
            if not len(scene.edges):
                continue
            row, col = scene.edges[int(rng.integers(len(scene.edges)))]
            top = int(np.clip(row - rng.integers(view // 4, 3 * view // 4), 0, height - view))
            left = int(np.clip(col - rng.integers(view // 4, 3 * view // 4), 0, width - view))
        else:
            top, left = int(rng.integers(0, height - view + 1)), int(rng.integers(0, width - view + 1))
        crop = scene.photo[top:top + view, left:left + view]
        clear = scene.clear[top:top + view, left:left + view]
        if kind == "edge":
            hole = np.zeros((view, view), bool)
            bh, bw = (int(rng.integers(EDGE_SIDES[0], EDGE_SIDES[1] + 1) * rng.uniform(0.7, 1.5)) for _ in range(2))
            y, x = int(row) - top - bh // 2, int(col) - left - bw // 2
            hole[max(0, y):y + bh, max(0, x):x + bw] = True
        elif kind == "ink":
            hole = _ink_hole(scenes.shapes[int(rng.integers(len(scenes.shapes)))], view, rng)
        else:
            hole = make_mask(kind, (view, view), rng)
        hole &= clear
        if hole.mean() < 0.01 or (kind != "edge" and _holds_stray_ink(crop, hole)):
            continue
        if view != size:
            crop = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
            hole = cv2.resize(hole.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR) > 0.01
            hole &= cv2.resize(clear.astype(np.uint8), (size, size), interpolation=cv2.INTER_NEAREST) > 0
        if rng.random() < 0.5:
            crop, hole = crop[:, ::-1], hole[:, ::-1]
        return np.ascontiguousarray(crop), np.ascontiguousarray(hole)


def _holds_stray_ink(crop: np.ndarray, hole: np.ndarray) -> bool:
    """Whether the truth under ``hole`` holds ink no box names (small tattoos, a box drawn too
    tight): pixels far from the membrane of the skin around, as snap to ink measures them."""
    if hole.all():
        return False
    far = ink_difference(crop, hole) > STRAY_INK[0]
    return far[hole].mean() > STRAY_INK[1]


def scene_batch(scenes: Scenes, batch_size: int, size: int, rng: np.random.Generator
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, 3, S, S)`` images in ``[0, 1]`` and ``(B, 1, S, S)`` masks (1 = hole)."""
    samples = [scene_sample(scenes, size, rng) for _ in range(batch_size)]
    image = torch.from_numpy(np.stack([s[0] for s in samples])).permute(0, 3, 1, 2).float() / 255
    mask = torch.from_numpy(np.stack([s[1] for s in samples])).float()[:, None]
    return image, mask
