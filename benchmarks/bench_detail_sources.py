"""Where should a fill's fine detail come from? The engine's tone with each source's detail.

    python benchmarks/bench_detail_sources.py --data ../shared/data/tattoo-photos

The engine's fill is its tone (coarser than a 1.5 px Gaussian at the working size) times one
plus the photo's grain (``engine/tone.py``, ``engine/grain.py``). Here the same tone is given
the detail finer than 1.5 px of other fills, on ``bench_fill.py``'s cases, one table:
PatchMatch's (PyPatchMatch, the bench extra) and our patch synthesis prototype's
(``patch_detail_prototype.py``), each at full and at 0.8 of its energy; the engine as it is and
at 130 % texture strength (its own grain raised to a like energy) are the reference.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from patch_detail_prototype import patch_detail

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.fill_benchmark import (
    engine_fill,
    markdown_table,
    run_benchmark,
)
from skingan_desktop.training.fill_cases import fill_cases
from skingan_desktop.training.peers import Fill, peer_fills

CUT = 1.5  # px: the engine's cut between tone and detail at the working size (tone.TEXTURE_SIGMA)


def detail(image: np.ndarray) -> np.ndarray:
    values = image.astype(np.float32)
    return values - cv2.GaussianBlur(values, (0, 0), CUT)


class SharedFills:
    """Each case's engine fill and PatchMatch fill, made once for every method that needs them."""

    def __init__(self, ours: Fill, patchmatch: Fill | None) -> None:
        self.makers = {"ours": ours, "patchmatch": patchmatch}
        self.key, self.made = None, {}

    def get(self, name: str, photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        key = (photo.tobytes(), hole.tobytes())
        if key != self.key:
            self.key, self.made = key, {}
        if name not in self.made:
            self.made[name] = self.makers[name](photo.copy(), hole)
        return self.made[name]


def with_detail(shared: SharedFills, source: str, gain: float) -> Fill:
    """The engine's tone with ``gain`` times the detail of ``source`` ("patchmatch" or "prototype")."""
    def fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        ours = shared.get("ours", photo, hole)
        tone = ours.astype(np.float32) - detail(ours)
        if source == "patchmatch":
            fine = detail(shared.get("patchmatch", photo, hole))
        else:
            fine = patch_detail(photo, hole, tone, CUT)
            fine = np.zeros_like(tone) if fine is None else fine
        out = photo.copy()
        out[hole] = np.clip(np.round(tone + gain * fine), 0, 255).astype(np.uint8)[hole]
        return out
    return fill


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/tattoo-photos"))
    parser.add_argument("--per-kind", type=int, default=2, help="cases of each kind per photo (default 2)")
    parser.add_argument("--limit", type=int, help="photos at most")
    parser.add_argument("--training-subjects", action="store_true")
    parser.add_argument("--sheet", type=Path, default=Path("runs/detail-sources-sheet.png"))
    args = parser.parse_args()
    generator = load_generator(embedded_model_path(), device="cpu")
    peers, missing = peer_fills()
    shared = SharedFills(engine_fill(generator, InpaintSettings(refine=False)), peers.get("PatchMatch, patch 3"))
    methods: dict[str, Fill] = {
        "SkinGAN 512 (tile grain)": lambda photo, hole: shared.get("ours", photo, hole),
        "SkinGAN 512, texture 130%": engine_fill(generator, InpaintSettings(refine=False, texture_strength=1.3)),
    }
    if shared.makers["patchmatch"] is not None:
        methods["PatchMatch, patch 3"] = lambda photo, hole: shared.get("patchmatch", photo, hole)
        methods["SkinGAN tone + PatchMatch detail"] = with_detail(shared, "patchmatch", 1.0)
        methods["SkinGAN tone + 0.8 PatchMatch detail"] = with_detail(shared, "patchmatch", 0.8)
    methods["SkinGAN tone + prototype detail"] = with_detail(shared, "prototype", 1.0)
    methods["SkinGAN tone + 0.8 prototype detail"] = with_detail(shared, "prototype", 0.8)
    began = time.perf_counter()
    cases = fill_cases(args.data, per_kind=args.per_kind, limit=args.limit, validation=not args.training_subjects)
    scores = run_benchmark(cases, methods, sheet=args.sheet, report=lambda line: print(line, file=sys.stderr))
    print(markdown_table(scores))
    print(f"\n{len(scores) // len(methods)} cases in {time.perf_counter() - began:.0f} s "
          f"({torch.get_num_threads()} threads); sheet {args.sheet}")
    for line in missing:
        print(f"- not run: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
