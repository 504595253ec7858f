"""How long a heal brush dab takes to land, on this machine's CPU.

    python benchmarks/bench_heal.py [--photos 8] [--dabs 6] [--diameter 40]

What the app does between the release of the button and the healed pixels: the rectangle the
heal reads (``engine/heal.heal_reach``), its crop, the dab's alpha there, and the fill
(``engine/heal.heal_spot``: the embedded generator at the spot's native scale, its tone and the
photo's grain). Dabs of ``--diameter`` px (hardness 0.7, as the canvas paints them) at spread-out
points of the first ``--photos`` validation photos, as stored (about 480 px) and enlarged to
24 MP, where the ink halo, and so the ring the tone is judged on, is wider. The first dab after
loading (the app warms the model up at load with a 512 fill) is reported apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from skingan_desktop.engine.heal import heal_reach, heal_spot
from skingan_desktop.engine.region import WorkRegion
from skingan_desktop.engine.runner import warm_up
from skingan_desktop.io.photos import load_photo
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.data import PHOTO_SUFFIXES, is_validation_subject, subject_of

PHOTOS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tattoo-photos"
HARDNESS = 0.7


def dab_alpha(reach: WorkRegion, centre: tuple[int, int], diameter: int) -> np.ndarray:
    rows, cols = np.mgrid[reach.top:reach.bottom, reach.left:reach.right]
    distance = np.hypot(cols - centre[0], rows - centre[1]) / (diameter / 2)
    return np.clip((1 - distance) / (1 - HARDNESS), 0, 1).astype(np.float32)


def one_dab(generator, photo: np.ndarray, centre: tuple[int, int], diameter: int) -> float:
    started = time.perf_counter()
    radius = diameter // 2 + 1
    painted = WorkRegion(centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    reach = heal_reach(painted, photo.shape)
    crop = photo[reach.slices].copy()
    healed = heal_spot(generator, crop, dab_alpha(reach, centre, diameter), photo_shape=photo.shape)
    photo[reach.slices] = healed
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--dabs", type=int, default=6, help="dabs per photo")
    parser.add_argument("--diameter", type=int, default=40)
    args = parser.parse_args()
    generator = load_generator(embedded_model_path(), device="cpu")
    warm_up(generator)
    paths = [p for p in sorted(PHOTOS.iterdir())
             if p.suffix.lower() in PHOTO_SUFFIXES and is_validation_subject(subject_of(p))][:args.photos]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{torch.get_num_threads()} torch threads; {len(paths)} validation photos, "
          f"{args.dabs} dabs of {args.diameter} px each")
    rng = np.random.default_rng(0)
    first = one_dab(generator, load_photo(paths[0]), (100, 100), args.diameter)
    print(f"first dab after loading: {first * 1000:.0f} ms")
    print("| photo size | median ms per dab | 90th percentile | slowest |\n|---|---|---|---|")
    for label, long_side in (("as stored (about 480 px)", None), ("24 MP (6000 x 4000)", 6000)):
        times = []
        for path in paths:
            photo = load_photo(path)
            if long_side is not None:
                scale = long_side / max(photo.shape[:2])
                photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            height, width = photo.shape[:2]
            for _ in range(args.dabs):
                centre = (int(rng.integers(width // 8, width * 7 // 8)), int(rng.integers(height // 8, height * 7 // 8)))
                times.append(one_dab(generator, photo, centre, args.diameter))
        ms = np.array(times) * 1000
        print(f"| {label} | {np.median(ms):.0f} | {np.percentile(ms, 90):.0f} | {ms.max():.0f} |", flush=True)


if __name__ == "__main__":
    main()
