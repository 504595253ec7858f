"""What an autosave costs on a 24 MP photo as the History grows.

    python benchmarks/bench_autosave.py --photo ../shared/data/tattoo-photos/103_1.JPG

The autosave writes the whole History after every edit. A 6000x4000 photo (the given one
enlarged, with a sensor's grain added so that it deflates as a real one does) gets a History of
brush strokes (600 px soft disks on the mask) and applied fills (2000x1500 px of photo and the
mask cleared); after every tenth step the session is written three ways, in the same sitting:
as version 2 wrote it (every rectangle deflated again, ``np.savez_compressed``), by
``save_session`` from cold (every rectangle deflated once), and by ``save_session`` once more
after one more stroke (what the autosave after an edit costs: the new stroke alone deflated).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from skingan_desktop.io.photos import load_photo
from skingan_desktop.io.session import SavedStep, Session, deflated_pixels, save_session

SIZE = (4000, 6000)
GRAIN = 3.0  # 8-bit levels: a sensor's noise at base ISO


def history(photo: np.ndarray, count: int, rng: np.random.Generator) -> list[SavedStep]:
    """``count`` steps: an applied fill every tenth, brush strokes between."""
    height, width = photo.shape[:2]
    disk = np.zeros((600, 600), np.uint8)
    cv2.circle(disk, (300, 300), 250, 255, -1)
    disk = cv2.GaussianBlur(disk, (0, 0), 8)
    steps = []
    for index in range(count):
        if index % 10 == 9:
            x, y = int(rng.integers(0, width - 2000)), int(rng.integers(0, height - 1500))
            steps.append(SavedStep("Apply 512 result", [
                ("photo", (x, y, x + 2000, y + 1500), photo[y:y + 1500, x:x + 2000].copy()),
                ("mask", (x, y, x + 2000, y + 1500), np.zeros((1500, 2000), np.uint8))]))
        else:
            x, y = int(rng.integers(0, width - 600)), int(rng.integers(0, height - 600))
            steps.append(SavedStep("Brush stroke", [("mask", (x, y, x + 600, y + 600), disk.copy())]))
    return steps


def version_2_write(session: Session) -> int:
    """The bytes version 2 wrote, made as it made them."""
    arrays = {f"s{i}_{j}": pixels for i, step in enumerate(session.steps)
              for j, (_, _, pixels) in enumerate(step.changes)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return len(buffer.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    photo = cv2.resize(load_photo(args.photo), SIZE[::-1], interpolation=cv2.INTER_CUBIC)
    photo = np.clip(photo + rng.normal(0, GRAIN, photo.shape), 0, 255).astype(np.uint8)
    steps = history(photo, args.steps + 1, rng)
    print("| steps (applied fills) | version 2: every write | now, from cold | now, after one more stroke "
          "| file, version 2 | file, now |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recovery.skingan"
        for count in range(10, args.steps + 1, 10):
            session = Session(args.photo, SIZE[1], SIZE[0], steps[:count], count)
            began = time.perf_counter()
            old_size = version_2_write(session)
            old = time.perf_counter() - began
            deflated_pixels.clear()  # nothing kept: as after a start
            began = time.perf_counter()
            save_session(path, session)
            cold = time.perf_counter() - began
            more = Session(args.photo, SIZE[1], SIZE[0], steps[:count + 1], count + 1)
            began = time.perf_counter()
            save_session(path, more)
            warm = time.perf_counter() - began
            print(f"| {count} ({count // 10}) | {old:.2f} s | {cold:.2f} s | {warm:.3f} s "
                  f"| {old_size / 2**20:.0f} MB | {path.stat().st_size / 2**20:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
