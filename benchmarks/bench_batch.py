"""Photos per minute for ``skingan-desktop batch`` on this machine, side by side in one run.

    python benchmarks/bench_batch.py [--photos 16] [--workers 1 2] [--ray 2] [--find-tattoos]

The first ``--photos`` photos of ``../shared/data/tattoo-photos`` are copied to a temporary
folder with a mask beside each (snap to ink on its first tattoo box, as a studio's found or
painted mask would be); the batch command then runs once per ``--workers`` value, once on a
local Ray instance with ``--ray`` actors (``--ray local``, Ray's start-up included) and, with
``--find-tattoos``, once on the same photos without their masks, the tattoo finder making them;
each in a fresh process, from start (loading the models included) to the last photo written.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PHOTOS = REPO.parent / "shared" / "data" / "tattoo-photos"


def make_archive(folder: Path, count: int) -> float:
    """Copy ``count`` photos with their masks into ``folder``; the mean share of a photo masked."""
    from skingan_desktop.engine.ink import NoInkFound, snap_to_ink
    from skingan_desktop.io.photos import load_photo
    from skingan_desktop.training.data import tattoo_boxes

    shares = []
    for photo_path in sorted(p for p in PHOTOS.iterdir() if p.suffix.lower() == ".jpg")[:count]:
        photo = load_photo(photo_path)
        rough = np.zeros(photo.shape[:2], bool)
        x1, y1, x2, y2 = tattoo_boxes(photo_path)[0]
        rough[y1:y2, x1:x2] = True
        try:
            hole = snap_to_ink(photo, rough)
        except NoInkFound:
            hole = rough
        shutil.copy(photo_path, folder / photo_path.name)
        Image.fromarray(hole.astype(np.uint8) * 255).save(folder / f"{photo_path.stem}_mask.png")
        shares.append(hole.mean())
    return float(np.mean(shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--ray", type=int, metavar="ACTORS", help="also on a local Ray instance with this many actors")
    parser.add_argument("--find-tattoos", action="store_true", help="also with the finder's masks instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "in"
        folder.mkdir()
        share = make_archive(folder, args.photos)
        unmasked = Path(temporary) / "unmasked"
        shutil.copytree(folder, unmasked, ignore=shutil.ignore_patterns("*_mask.png"))
        runs = [(f"{w} local process{'es' if w > 1 else ''}", folder, ["--workers", str(w)]) for w in args.workers]
        if args.ray:
            runs.append((f"Ray, local instance, {args.ray} actors", folder, ["--ray", "local", "--workers", str(args.ray)]))
        if args.find_tattoos:
            runs.append(("1 local process, masks by --find-tattoos", unmasked, ["--find-tattoos"]))
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
              f"{args.photos} photos of ../shared/data/tattoo-photos (about 480 px), mean mask {share:.1%} of a photo")
        print("| batch | wall time | photos per minute |\n|---|---|---|")
        for index, (label, source, extra) in enumerate(runs):
            out = Path(temporary) / f"out-{index}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "skingan_desktop", "batch", str(source), str(out), *extra,
                            "--device", "cpu"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - started
            print(f"| {label} | {seconds:.1f} s | {60 * args.photos / seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
