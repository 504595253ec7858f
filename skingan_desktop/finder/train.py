"""Train the tattoo finder on the training subjects of a folder of photos with tattoo boxes.

Every photo's labels are made once (``finder/labels.py``); each step draws photos, scales them
around the finder's working size, turns, flips and recolours them (skin tones, light, white
balance), and crops a square. The loss is a weighted binary cross-entropy (ink 1, other pixels
1, skin inside a box 0.3, unknown 0) plus a soft Dice term on the ink, with AdamW and a cosine
schedule. The run folder holds ``latest.safetensors`` (loadable by ``TattooFinder.load``) and its
card; a run given again with the same folder starts from that file.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from ..io.photos import PhotoError, load_photo
from ..model.weights import save_safetensors
from ..training.data import PHOTO_SUFFIXES, is_validation_subject, subject_of, tattoo_boxes
from .find import DEFAULT_THRESHOLD, DEFAULT_WORKING_SIDE, TattooFinder, finder_metadata
from .labels import NOT_TATTOO, SKIN_IN_BOX, TATTOO, UNKNOWN, finder_labels
from .network import DEFAULT_WIDTHS, TattooFinderNet

LABEL_WEIGHTS = {TATTOO: 1.0, NOT_TATTOO: 1.0, SKIN_IN_BOX: 0.3, UNKNOWN: 0.0}


@dataclass
class FinderTrainConfig:
    data: Path
    run_dir: Path
    steps: int = 3000
    batch_size: int = 8
    crop: int = 192
    working_side: int = DEFAULT_WORKING_SIDE
    widths: tuple[int, ...] = DEFAULT_WIDTHS
    learning_rate: float = 2e-3
    dice: float = 1.0
    seed: int = 0
    max_minutes: Optional[float] = None
    checkpoint_every: int = 250


@dataclass
class Example:
    name: str
    photo: np.ndarray   # (H, W, 3) uint8
    labels: np.ndarray  # (H, W) uint8, finder_labels
    boxes: list[tuple[int, int, int, int]]  # the tattoo boxes the labels were made from


def training_examples(data: Path, validation: bool = False) -> list[Example]:
    """The photos of the training subjects (or of the validation subjects) with their labels;
    photos that cannot be read are left out."""
    examples = []
    for path in sorted(p for p in Path(data).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES):
        if is_validation_subject(subject_of(path)) != validation:
            continue
        try:
            photo = load_photo(path)
        except PhotoError:
            continue
        boxes = tattoo_boxes(path)
        examples.append(Example(path.name, photo, finder_labels(photo, boxes), boxes))
    return examples


def augmented(example: Example, config: FinderTrainConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A ``(crop, crop, 3)`` view of the example and its ``(crop, crop)`` labels: scaled to
    0.75-1.35 of the working size, turned by up to 20 degrees, maybe mirrored, recoloured."""
    photo, labels = example.photo, example.labels
    height, width = labels.shape
    scale = config.working_side / max(height, width) * rng.uniform(0.75, 1.35)
    angle = rng.uniform(-20, 20)
    crop = config.crop
    # The crop's centre where the crop stays inside the photo (or the photo's centre, where the
    # photo is smaller than the crop); the view maps it to the crop's centre.
    reach = crop / 2 / scale
    centre = tuple(rng.uniform(reach, side - reach) if side > 2 * reach else side / 2 for side in (width, height))
    matrix = cv2.getRotationMatrix2D(centre, angle, scale)
    matrix[:, 2] += (crop / 2 - centre[0], crop / 2 - centre[1])
    view = cv2.warpAffine(photo, matrix, (crop, crop), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT_101)
    view_labels = cv2.warpAffine(labels, matrix, (crop, crop), flags=cv2.INTER_NEAREST,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=UNKNOWN)
    if rng.random() < 0.5:
        view, view_labels = view[:, ::-1], view_labels[:, ::-1]
    return _recoloured(view, rng), np.ascontiguousarray(view_labels)


def _recoloured(view: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Light, contrast, saturation, white balance and a little hue: skin and ink of other
    photos; sometimes a blur or sensor noise."""
    hsv = cv2.cvtColor(np.ascontiguousarray(view), cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 180
    hsv[..., 1] *= rng.uniform(0.7, 1.3)
    values = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32)
    mean = values.mean()
    values = (values - mean) * rng.uniform(0.75, 1.25) + mean * rng.uniform(0.7, 1.3)
    values *= np.array([1 + rng.uniform(-0.08, 0.08), 1.0, 1 + rng.uniform(-0.08, 0.08)], np.float32)
    if rng.random() < 0.2:
        values = cv2.GaussianBlur(values, (0, 0), rng.uniform(0.5, 1.5))
    if rng.random() < 0.3:
        values += rng.normal(0, rng.uniform(1, 5), values.shape).astype(np.float32)
    return np.clip(values, 0, 255).astype(np.uint8)


def finder_loss(logits: torch.Tensor, labels: torch.Tensor, dice: float = 1.0) -> torch.Tensor:
    """Weighted binary cross-entropy over the labelled pixels plus ``dice`` times a soft Dice
    loss on the ink; ``labels`` ``(N, H, W)`` uint8 as ``finder_labels`` makes them."""
    weights = torch.zeros_like(logits[:, 0])
    for value, weight in LABEL_WEIGHTS.items():
        weights[labels == value] = weight
    target = (labels == TATTOO).float()
    logits = logits[:, 0]
    cross_entropy = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * weights).sum()
    cross_entropy = cross_entropy / weights.sum().clamp_min(1.0)
    known = (weights > 0).float()
    probability = torch.sigmoid(logits) * known
    overlap = (probability * target).sum()
    soft_dice = 1 - (2 * overlap + 1) / (probability.sum() + target.sum() + 1)
    return cross_entropy + dice * soft_dice


def train_finder(config: FinderTrainConfig, report: Callable[[str], None] = print) -> Path:
    """Train (or go on training from the run folder's ``latest.safetensors``); returns that file."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    examples = training_examples(config.data)
    if not examples:
        raise ValueError(f"No training photo in {config.data}.")
    report(f"{len(examples)} training photos, {sum(int((e.labels == TATTOO).any()) for e in examples)} with ink")
    run_dir = Path(config.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    latest = run_dir / "latest.safetensors"
    network = TattooFinderNet(config.widths)
    start = 0
    if latest.is_file():
        finder = TattooFinder.load(latest, device="cpu")
        network = finder.network.float()
        start = int(finder.metadata.get("steps", 0))
        report(f"Going on from {latest} at step {start}")
    network.train()
    optimiser = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=1e-4)
    started, averaged = time.monotonic(), None
    step = start
    for step in range(start + 1, config.steps + 1):
        for group in optimiser.param_groups:
            group["lr"] = config.learning_rate * 0.5 * (1 + math.cos(math.pi * step / config.steps))
        views, labels = zip(*(augmented(examples[i], config, rng)
                              for i in rng.integers(0, len(examples), config.batch_size)))
        rgb = torch.from_numpy(np.stack(views)).permute(0, 3, 1, 2).float() / 255
        loss = finder_loss(network(rgb), torch.from_numpy(np.stack(labels)), config.dice)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        value = loss.item()
        averaged = value if averaged is None else 0.98 * averaged + 0.02 * value
        minutes = (time.monotonic() - started) / 60
        if step % 10 == 0:
            report(f"step {step}/{config.steps} loss {averaged:.4f} ({minutes:.1f} min)")
        out_of_time = config.max_minutes is not None and minutes >= config.max_minutes
        if step % config.checkpoint_every == 0 or step == config.steps or out_of_time:
            _save(network, latest, config, step, len(examples))
        if out_of_time:
            report(f"Stopped at step {step} after {minutes:.1f} min")
            break
    _save(network, latest, config, step, len(examples))
    return latest


def _save(network: TattooFinderNet, path: Path, config: FinderTrainConfig, step: int, photos: int) -> None:
    training = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    training["photos"] = photos
    save_safetensors(network.state_dict(), path, metadata=finder_metadata(
        network.widths, config.working_side, DEFAULT_THRESHOLD, steps=step, training=json.dumps(training)))
