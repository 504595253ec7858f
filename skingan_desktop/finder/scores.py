"""How well the tattoo finder does on photos with tattoo boxes (the validation subjects by default).

A box counts as found when the finder's mask covers at least ``FOUND_SHARE`` of its ink (the
pixels ``finder/labels.py`` marks as tattoo). False area is what the mask covers outside every
box, grown by the halo the mask itself adds, as a share of the photo: skin a fill would replace
for nothing. Time is for the whole ``TattooFinder.find`` of one photo at its full size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.anchor import halo_for
from .find import TattooFinder, mask_from_probability
from .labels import TATTOO, clipped
from .train import training_examples

FOUND_SHARE = 0.5


@dataclass
class FinderScore:
    threshold: float
    photos: int
    boxes: int
    found: int
    false_area_mean: float   # share of the photo
    false_area_worst: float
    seconds_per_photo: float

    @property
    def found_share(self) -> float:
        return self.found / max(self.boxes, 1)


def score_finder(finder: TattooFinder, data: Path, thresholds: list[float],
                 training_subjects: bool = False) -> list[FinderScore]:
    """One :class:`FinderScore` per threshold over the validation (or training) subjects' photos."""
    examples = training_examples(Path(data), validation=not training_subjects)
    if not examples:
        raise ValueError(f"No {'training' if training_subjects else 'validation'} photo in {data}.")
    found = {t: 0 for t in thresholds}
    false_areas: dict[float, list[float]] = {t: [] for t in thresholds}
    boxes_total, seconds = 0, 0.0
    for example in examples:
        started = time.perf_counter()
        probability = finder.probability(example.photo)
        mask_from_probability(probability, finder.threshold)
        seconds += time.perf_counter() - started
        boxes = [b for b in (clipped(box, example.photo.shape) for box in example.boxes) if b is not None]
        boxes_total += len(boxes)
        near_boxes = _grown_boxes(boxes, example.labels.shape, halo_for(example.labels.shape))
        for threshold in thresholds:
            mask = mask_from_probability(probability, threshold).mask
            for x1, y1, x2, y2 in boxes:
                ink = example.labels[y1:y2, x1:x2] == TATTOO
                if ink.any() and mask[y1:y2, x1:x2][ink].mean() >= FOUND_SHARE:
                    found[threshold] += 1
            false_areas[threshold].append(float((mask & ~near_boxes).mean()))
    return [FinderScore(t, len(examples), boxes_total, found[t], float(np.mean(false_areas[t])),
                        float(np.max(false_areas[t])), seconds / len(examples)) for t in thresholds]


def _grown_boxes(boxes: list[tuple[int, int, int, int]], shape: tuple[int, ...], margin: int) -> np.ndarray:
    near = np.zeros(shape[:2], bool)
    for x1, y1, x2, y2 in boxes:
        near[max(0, y1 - margin):y2 + margin, max(0, x1 - margin):x2 + margin] = True
    return near


def markdown_table(scores: list[FinderScore]) -> str:
    """The scores as the table the README, BENCHMARKS and the finder's card carry."""
    lines = ["| threshold | photos | boxes found | false area, mean | false area, worst photo | s / photo |",
             "|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s.threshold:.2f} | {s.photos} | {s.found}/{s.boxes} ({s.found_share:.0%}) | "
                     f"{s.false_area_mean:.2%} | {s.false_area_worst:.2%} | {s.seconds_per_photo:.2f} |")
    return "\n".join(lines)
