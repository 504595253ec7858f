"""What the fill would score with its grain matched, case by case, to the skin around the hole.

    python benchmarks/bench_grain_matching.py --data ../shared/data/tattoo-photos

On bench_fill.py's held-out cases, each case is filled at texture strength 1 and 2. Before
rounding a fill is its tone plus the strength times its detail (the grain and the copies along
the edge), so the two give both exactly, and the fill at any strength s is ``T + s * D``. Each
case's strength is then chosen within bounds to bring the fine-detail energy in the hole to the
ring's (the texture gap's own definition, which needs only the photo around the hole, as the
engine has it). Prints masked PSNR, SSIM, texture gap and ΔE for each bound, beside one strength
for all cases.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.evaluate import texture_gap
from skingan_desktop.training.fill_benchmark import engine_fill, score, summarise
from skingan_desktop.training.fill_cases import FillCase, fill_cases

BOUNDS = ((1.0, 1.0), (1.0, 1.5), (1.0, 2.0), (1.0, 3.0), (1.6, 1.6))  # the strengths each case may take
STEP = 0.1


def at_strength(case: FillCase, once: np.ndarray, twice: np.ndarray, strength: float) -> np.ndarray:
    """The case's fill at ``strength``, from its fills at 1 (``once``) and 2 (``twice``)."""
    tone, detail = 2 * once - twice, twice - once
    out = np.clip(np.round(tone + strength * detail), 0, 255).astype(np.uint8)
    out[~case.hole] = case.photo[~case.hole]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="photos at most")
    args = parser.parse_args()

    generator = load_generator(embedded_model_path())
    fills = [engine_fill(generator, InpaintSettings(refine=False, texture_strength=s)) for s in (1.0, 2.0)]
    cases = list(fill_cases(args.data, per_kind=2, limit=args.limit, validation=True))
    made = []
    for case in cases:
        blanked = case.blanked()
        made.append([fill(blanked.copy(), case.hole).astype(np.float32) for fill in fills])
        print(case.name, file=sys.stderr)

    print("| strength per case | masked PSNR (dB) | SSIM | texture gap | ΔE |")
    print("|---|---|---|---|---|")
    for low, high in BOUNDS:
        strengths = np.arange(low, high + STEP / 2, STEP)
        scores = []
        for case, (once, twice) in zip(cases, made):
            best = min(strengths, key=lambda s: texture_gap(at_strength(case, once, twice, s), case.hole))
            scores.append(score(case, "matched", at_strength(case, once, twice, best), 0.0))
        means = summarise(scores)["matched"]
        label = f"{low:g} for every case" if low == high else f"matched within {low:g}-{high:g}"
        print(f"| {label} | {means['psnr']:.2f} | {means['ssim']:.3f} | {means['texture']:.2f} | {means['delta_e']:.2f} |")
    print(f"\n{len(cases)} cases; weights embedded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
