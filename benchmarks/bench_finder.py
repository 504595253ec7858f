"""How long the embedded tattoo finder takes per photo, at the data's size and at camera sizes.

    python benchmarks/bench_finder.py [--photos 8] [--repeats 3]

The first ``--photos`` validation photos of ``../shared/data/tattoo-photos`` (about 480 px) are
found as they are, then enlarged to 12 and 24 MP (as a camera's photo would be): the finder
shrinks every photo to its working size, so what grows with the photo is the resizing and the
mask's clean-up at full size. The best of ``--repeats`` runs per photo, averaged over photos.
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

from skingan_desktop.finder.find import TattooFinder
from skingan_desktop.io.photos import load_photo
from skingan_desktop.training.data import PHOTO_SUFFIXES, is_validation_subject, subject_of

PHOTOS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tattoo-photos"
SIZES = {"as stored (about 480 px)": None, "12 MP (4240 x 2832)": (4240, 2832), "24 MP (6000 x 4000)": (6000, 4000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    finder = TattooFinder.load(device="cpu")
    paths = [p for p in sorted(PHOTOS.iterdir())
             if p.suffix.lower() in PHOTO_SUFFIXES and is_validation_subject(subject_of(p))][:args.photos]
    photos = [load_photo(p) for p in paths]
    finder.find(photos[0])  # the first call sets up torch's kernels
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{torch.get_num_threads()} torch threads; {len(photos)} validation photos")
    print("| photo size | seconds per photo |\n|---|---|")
    for label, size in SIZES.items():
        seconds = []
        for photo in photos:
            if size is not None:
                long_side, short_side = size
                shape = (long_side, short_side) if photo.shape[0] >= photo.shape[1] else (short_side, long_side)
                photo = cv2.resize(photo, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
            best = float("inf")
            for _ in range(args.repeats):
                started = time.perf_counter()
                finder.find(photo)
                best = min(best, time.perf_counter() - started)
            seconds.append(best)
        print(f"| {label} | {np.mean(seconds):.2f} |", flush=True)


if __name__ == "__main__":
    main()
