"""What the results shelf holds in memory: a 24 MP photo, one forearm-sized mask, five runs.

    python benchmarks/bench_shelf.py [--runs 5] [--iters 2]

A real forearm tattoo photo (129_1) enlarged to 24 MP (4240 x 5656), its tattoo box as the mask, and ``--runs`` real
runs of the embedded model with refinement on, each kept on the shelf (``engine/shelf.py``)
as the app keeps them. The refinement's iterations change the time, not what a run keeps (each
region's 512 and refined results at the region's native size, its hole and the pixels it saw),
so ``--iters`` is small. Printed: the shelf's own count of bytes, and the process's resident
memory after each run (from /proc, after a garbage collection).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
from pathlib import Path

import cv2
import numpy as np

from skingan_desktop.engine.runner import InpaintSettings, Inpainter
from skingan_desktop.engine.shelf import ResultsShelf
from skingan_desktop.io.photos import load_photo
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path

PHOTO = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tattoo-photos" / "129_1.JPG"


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--iters", type=int, default=2)
    args = parser.parse_args()
    photo = load_photo(PHOTO)
    scale = 5656 / max(photo.shape[:2])
    x1, y1, x2, y2 = (float(v) * scale for v in PHOTO.with_suffix(".txt").read_text().split()[:4])
    photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    hole = np.zeros(photo.shape[:2], bool)
    hole[int(y1):int(y2), int(x1):int(x2)] = True
    generator = load_generator(embedded_model_path(), device="cpu")
    shelf = ResultsShelf()
    gc.collect()
    start = resident_mb()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; photo "
          f"{photo.shape[1]} x {photo.shape[0]}, mask {int(x2 - x1)} x {int(y2 - y1)} px "
          f"({hole.mean():.1%} of the photo); resident before the first run: {start:.0f} MB")
    print("| runs kept | shelf (MB) | resident growth (MB) |\n|---|---|---|")
    for run in range(1, args.runs + 1):
        settings = InpaintSettings(n_iters=args.iters, feather=4 * (run - 1))  # other settings, as a user would try
        results = Inpainter(generator, settings).run(photo, hole)
        shelf.add(hole, results, f"feather {settings.feather} px", 0.0)
        del results
        gc.collect()
        print(f"| {run} | {shelf.nbytes / 2**20:.0f} | {resident_mb() - start:.0f} |", flush=True)
    regions = shelf.runs[-1].results
    print(f"regions per run: {len(regions)}, "
          + ", ".join(f"{r.region.width} x {r.region.height}" for r in regions))


if __name__ == "__main__":
    main()
