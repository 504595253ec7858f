"""How fast the default fill is where a retoucher waits for it, side by side in one run.

    python benchmarks/bench_fill_speed.py

- a 512 px region with a real tattoo's ink (photo 129_1 at 384x512, snap to ink on its box):
  the default fill (the 512 result), and its parts;
- a 26 MP photo (129_1 enlarged 12x: 4320x5760) with that forearm tattoo's mask: the first
  result after the app starts, in a fresh process (load, the warm-up the app runs while the
  photo opens, then the run until the 512 result shows), with and without the warm-up;
- the photo's grain for a 2000x2000 px region at its native resolution.

Targets (issue 15, on the 2-core CPU): 1.5 s, 3 s and 2 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
PHOTO = REPO.parent / "shared" / "data" / "tattoo-photos" / "129_1.JPG"


def tattoo(scale_to: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """129_1 resized to ``(width, height)`` and the snapped mask of its tattoo at that size."""
    from skingan_desktop.engine.ink import snap_to_ink
    from skingan_desktop.io.photos import load_photo
    from skingan_desktop.training.data import tattoo_boxes

    photo = load_photo(PHOTO)
    rough = np.zeros(photo.shape[:2], bool)
    for x1, y1, x2, y2 in tattoo_boxes(PHOTO):
        rough[y1:y2, x1:x2] = True
    hole = snap_to_ink(photo, rough)
    big = cv2.resize(photo, scale_to, interpolation=cv2.INTER_CUBIC)
    big_hole = cv2.resize(hole.astype(np.uint8), scale_to, interpolation=cv2.INTER_NEAREST) > 0
    return big, big_hole


def first_result(warm_up: bool) -> dict:
    """In this (fresh) process: start as the app does, then time the first run to its 512 result."""
    began = time.perf_counter()
    from skingan_desktop.engine.allocator import share_one_arena
    from skingan_desktop.engine.runner import InpaintSettings, Inpainter, warm_up as warm

    share_one_arena()  # as skingan-desktop starts (engine/allocator.py)
    from skingan_desktop.model import load_generator
    from skingan_desktop.resources import embedded_model_path

    generator = load_generator(embedded_model_path())
    loaded = time.perf_counter()
    if warm_up:
        warm(generator)
    warmed = time.perf_counter()
    photo, hole = tattoo((4320, 5760))
    shown = []
    start = time.perf_counter()
    Inpainter(generator, InpaintSettings()).run(
        photo, hole, on_preview=lambda *_: shown.append(time.perf_counter()),
        progress=None, cancel=lambda: bool(shown))  # stop after the 512 result: the refinement is not timed
    return {"load": loaded - began, "warm_up": warmed - loaded, "first_result": shown[0] - start,
            "mask_px": int(hole.sum())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--first-result", choices=("warm", "cold"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_result:
        print(json.dumps(first_result(args.first_result == "warm")))
        return 0

    from skingan_desktop.engine.grain import native_grain
    from skingan_desktop.engine.membrane import membrane_fill
    from skingan_desktop.engine.runner import InpaintSettings, Inpainter
    from skingan_desktop.model import load_generator
    from skingan_desktop.resources import embedded_model_path

    generator = load_generator(embedded_model_path())
    photo, hole = tattoo((384, 512))
    times = []
    for _ in range(args.repeats + 1):
        began = time.perf_counter()
        Inpainter(generator, InpaintSettings(refine=False)).run(photo, hole)
        times.append(time.perf_counter() - began)
    region_fill = statistics.median(times[1:])

    starts = {}
    for mode in ("warm", "cold"):
        runs = [json.loads(subprocess.run([sys.executable, __file__, "--first-result", mode], capture_output=True,
                                          text=True, check=True, cwd=REPO).stdout) for _ in range(args.repeats)]
        starts[mode] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}

    # A 2000x2000 region of the 26 MP photo around the tattoo's lower edge: half ink, half skin.
    big, big_hole = tattoo((4320, 5760))
    rows, cols = np.flatnonzero(big_hole.any(axis=1)), np.flatnonzero(big_hole.any(axis=0))
    top = int(np.clip(rows[-1] - 1000, 0, big.shape[0] - 2000))
    left = int(np.clip((cols[0] + cols[-1]) // 2 - 1000, 0, big.shape[1] - 2000))
    crop, crop_hole = big[top:top + 2000, left:left + 2000], big_hole[top:top + 2000, left:left + 2000]
    sigma = 1.5 * 2000 / 512
    tone = cv2.GaussianBlur(membrane_fill(crop, crop_hole, cycles=2).astype(np.float32), (0, 0), sigma)
    grain_times = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        native_grain(crop, crop_hole, tone, sigma)
        grain_times.append(time.perf_counter() - began)

    print(f"Machine: {platform.processor() or platform.machine()}, {cv2.getNumberOfCPUs()} CPUs\n")
    print("| case | time | target |\n|---|---|---|")
    print(f"| 512 px region (384x512, tattoo {hole.mean():.0%} of it): default fill | {region_fill:.2f} s | 1.5 s |")
    for mode in ("warm", "cold"):
        s = starts[mode]
        label = "warm-up at load (the app)" if mode == "warm" else "no warm-up"
        print(f"| 26 MP photo (4320x5760), forearm mask ({s['mask_px'] / 1e6:.1f} MP): first result after start, "
              f"{label} | {s['first_result']:.2f} s (load {s['load']:.2f} s, warm-up {s['warm_up']:.2f} s) | 3 s |")
    print(f"| grain for a 2000x2000 region ({crop_hole.mean():.0%} hole), native resolution | "
          f"{statistics.median(grain_times):.2f} s | 2 s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
