"""Where should a fill's fine detail come from? The engine's tone with each source's detail.

    python benchmarks/bench_detail_sources.py --data ../shared/data/tattoo-photos

The engine's fill is its tone (coarser than a 1.5 px Gaussian at the working size) with the
photo's detail over it (``engine/tone.py``): copied patch by patch along the hole's edge
(``engine/patch_detail.py``) and the tile grain deeper (``engine/grain.py``). Here, on
``bench_fill.py``'s cases, one table: the engine as it is; with the tile grain everywhere (the
engine before session 17); at 130 % texture strength; and its tone given the detail finer than
1.5 px of PyPatchMatch's fill instead (the bench extra), at full and at 0.8 of its energy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.fill_benchmark import engine_fill, print_benchmark
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


def with_detail(shared: SharedFills, gain: float) -> Fill:
    """The engine's tone with ``gain`` times the detail of PatchMatch's fill."""
    def fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        ours = shared.get("ours", photo, hole)
        tone = ours.astype(np.float32) - detail(ours)
        out = photo.copy()
        fine = detail(shared.get("patchmatch", photo, hole))
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
        "SkinGAN 512 (copies along the edge, tile grain deeper)": lambda photo, hole: shared.get("ours", photo, hole),
        "SkinGAN 512, tile grain only": engine_fill(generator, InpaintSettings(refine=False, edge_copies=False)),
        "SkinGAN 512, texture 130%": engine_fill(generator, InpaintSettings(refine=False, texture_strength=1.3)),
    }
    if shared.makers["patchmatch"] is not None:
        methods["PatchMatch, patch 3"] = lambda photo, hole: shared.get("patchmatch", photo, hole)
        methods["SkinGAN tone + PatchMatch detail"] = with_detail(shared, 1.0)
        methods["SkinGAN tone + 0.8 PatchMatch detail"] = with_detail(shared, 0.8)
    cases = fill_cases(args.data, per_kind=args.per_kind, limit=args.limit, validation=not args.training_subjects)
    print_benchmark(cases, methods, missing, sheet=args.sheet,
                    about=f" ({torch.get_num_threads()} threads); sheet {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
