"""Skin crops harvested from photos, split by subject, augmented, with masks drawn on them.

Harvesting runs once per photo folder and crop size and is cached as an ``.npz``: a crop is
kept where the YCrCb skin gate (Cr 133-173, Cb 77-127, Chai & Ngan 1999) covers most of it and
no known tattoo box (``NAME.txt``: ``x1 y1 x2 y2`` per line) touches it, so the model learns
from real skin rather than from ink.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from ..io.photos import PhotoError, load_photo
from .masks import make_mask

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}
MASK_MIX = (("tattoo", 0.7), ("large", 0.2), ("acne", 0.1))


def skin_map(photo: np.ndarray) -> np.ndarray:
    """``(H, W)`` bool: pixels whose colour falls in the YCrCb skin range, cleaned by opening."""
    ycrcb = cv2.cvtColor(photo, cv2.COLOR_RGB2YCrCb)
    gate = cv2.inRange(ycrcb, (0, 133, 77), (255, 173, 127))
    gate = cv2.morphologyEx(gate, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    return gate > 0


def tattoo_boxes(photo_path: Path) -> list[tuple[int, int, int, int]]:
    boxes_file = photo_path.with_suffix(".txt")
    if not boxes_file.is_file():
        return []
    boxes = []
    for line in boxes_file.read_text().splitlines():
        values = line.split()
        if len(values) >= 4:
            boxes.append(tuple(int(float(v)) for v in values[:4]))
    return boxes


def subject_of(photo_path: Path) -> str:
    """Photos of one person share the part of the name before ``_`` (``17_2.JPG`` -> ``17``)."""
    return photo_path.stem.split("_")[0]


def is_validation_subject(subject: str, fraction: float = 0.15) -> bool:
    """A fixed split by subject: the same subject always lands on the same side."""
    return (zlib.crc32(subject.encode()) % 1000) < fraction * 1000


@dataclass
class SkinCrops:
    crops: np.ndarray      # (N, S, S, 3) uint8
    subjects: list[str]    # per crop
    sources: list[str]     # per crop: the photo's file name


def harvest(photo_dir: Path, crop: int = 128, per_photo: int = 24, skin_fraction: float = 0.85,
            margin: int = 12, seed: int = 0) -> SkinCrops:
    rng = np.random.default_rng(seed)
    crops, subjects, sources = [], [], []
    for path in sorted(p for p in Path(photo_dir).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES):
        try:
            photo = load_photo(path)
        except PhotoError:
            continue
        height, width = photo.shape[:2]
        if height < crop or width < crop:
            continue
        allowed = skin_map(photo)
        for x1, y1, x2, y2 in tattoo_boxes(path):
            allowed[max(0, y1 - margin):y2 + margin, max(0, x1 - margin):x2 + margin] = False
        integral = cv2.integral(allowed.astype(np.uint8))
        stride = crop // 4
        candidates = []
        for top in range(0, height - crop + 1, stride):
            for left in range(0, width - crop + 1, stride):
                inside = (integral[top + crop, left + crop] - integral[top, left + crop]
                          - integral[top + crop, left] + integral[top, left])
                if inside >= skin_fraction * crop * crop:
                    candidates.append((top, left))
        for index in rng.permutation(len(candidates))[:per_photo]:
            top, left = candidates[index]
            crops.append(photo[top:top + crop, left:left + crop])
            subjects.append(subject_of(path))
            sources.append(path.name)
    return SkinCrops(np.stack(crops) if crops else np.zeros((0, crop, crop, 3), np.uint8), subjects, sources)


def load_or_harvest(photo_dir: Path, cache_dir: Path, crop: int = 128, per_photo: int = 24) -> SkinCrops:
    """Harvest once; later calls read the cache (keyed by folder contents and parameters)."""
    names = sorted(p.name + str(p.stat().st_size) for p in Path(photo_dir).iterdir())
    key = hashlib.sha256(f"{crop}-{per_photo}-{names}".encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"skin-crops-{crop}-{key}.npz"
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            return SkinCrops(data["crops"], [str(s) for s in data["subjects"]], [str(s) for s in data["sources"]])
    crops = harvest(Path(photo_dir), crop, per_photo)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, crops=crops.crops, subjects=np.array(crops.subjects), sources=np.array(crops.sources))
    return crops


def split(crops: SkinCrops) -> tuple[np.ndarray, np.ndarray]:
    """(train crops, validation crops), split by subject."""
    validation = np.array([is_validation_subject(s) for s in crops.subjects], bool)
    return crops.crops[~validation], crops.crops[validation]


def augment(crop: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Flips, sometimes a small scale change, small brightness/contrast/warmth jitter; ``(size, size, 3)``."""
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    if rng.random() < 0.5:
        crop = crop[::-1]
    side = crop.shape[0]
    if rng.random() < 0.3:  # rarely: resampling softens the grain the model must learn
        scale = rng.uniform(1.0, 1.25)
        grown = cv2.resize(crop, (int(side * scale), int(side * scale)), interpolation=cv2.INTER_LINEAR)
        top, left = rng.integers(0, grown.shape[0] - side + 1, size=2)
        crop = grown[top:top + side, left:left + side]
    if side != size:
        crop = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
    values = crop.astype(np.float32)
    mean = values.mean(axis=(0, 1), keepdims=True)
    values = (values - mean) * rng.uniform(0.9, 1.1) + mean * rng.uniform(0.9, 1.1)
    values *= np.array([1 + rng.uniform(-0.04, 0.04), 1.0, 1 - rng.uniform(-0.04, 0.04)], np.float32)
    return np.clip(values, 0, 255).astype(np.uint8)


def make_batch(crops: np.ndarray, batch_size: int, size: int, rng: np.random.Generator,
               augmented: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, 3, S, S)`` images in ``[0, 1]`` and ``(B, 1, S, S)`` masks (1 = hole)."""
    images, masks = [], []
    kinds, weights = zip(*MASK_MIX)
    for index in rng.integers(0, len(crops), size=batch_size):
        crop = augment(crops[index], rng, size) if augmented else cv2.resize(crops[index], (size, size))
        images.append(crop)
        masks.append(make_mask(str(rng.choice(kinds, p=weights)), (size, size), rng))
    image = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    mask = torch.from_numpy(np.stack(masks)).float()[:, None]
    return image, mask
