"""Can any fill with real grain meet FSR's SSIM and PatchMatch's texture gap at once?

    python benchmarks/bench_metric_ceiling.py --data ../shared/data/tattoo-photos

On bench_fill.py's held-out cases, "oracle" fills that know the truth better than any method can:
the truth's own tone (the truth blurred by a Gaussian of ``--tone-sigma`` px, so every shading
and the limb's edge are exact), plus ``s`` times the truth's own grain (the truth minus that
tone) turned half round inside the hole's bounding box. That grain has exactly the statistics
of the skin under the hole and sits on real skin, but it is not where the true pores are: the
best any fill can do, since no method can know where the pores under a tattoo lay. Each ``s``
gives one row; PatchMatch and FSR run in the same sitting for reference (with the bench extra).

Both SSIM and the texture gap read the same fine band (detail under a 1.5 px Gaussian). SSIM
pays for detail that is not the truth's, the texture gap for detail that is missing, so a row
meeting both shows that the goal can be reached; no row meeting both shows that it cannot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.fill_benchmark import engine_fill, score, summarise
from skingan_desktop.training.fill_cases import FillCase, fill_cases
from skingan_desktop.training.peers import peer_fills

GRAIN_SHARES = (0.0, 0.25, 0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
PEERS = ("OpenCV FSR (contrib)", "PatchMatch, patch 3")
OURS = "SkinGAN 512"
TRUTH = "the truth itself (its texture gap is real skin's own)"


def oracle(case: FillCase, tone_sigma: float, share: float) -> np.ndarray:
    """The truth's tone plus ``share`` of its grain, turned half round in the hole's box."""
    truth = case.photo.astype(np.float32)
    tone = cv2.GaussianBlur(truth, (0, 0), tone_sigma)
    grain = truth - tone
    rows, cols = np.nonzero(case.hole)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    turned = grain.copy()
    turned[top:bottom, left:right] = grain[top:bottom, left:right][::-1, ::-1]
    made = np.clip(np.round(tone + share * turned), 0, 255).astype(np.uint8)
    return np.where(case.hole[..., None], made, case.photo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/tattoo-photos"))
    parser.add_argument("--limit", type=int, help="photos at most")
    parser.add_argument("--tone-sigma", type=float, action="append", dest="sigmas",
                        help="the oracle tone's blur in px (repeatable; default 1.5, 2, 3 and 4)")
    args = parser.parse_args()
    sigmas = args.sigmas or [1.5, 2.0, 3.0, 4.0]

    peers, missing = peer_fills()
    ours = engine_fill(load_generator(embedded_model_path(), device="cpu"), InpaintSettings(refine=False))
    cases = list(fill_cases(args.data, per_kind=2, limit=args.limit, validation=True))
    oracles = {sigma: [f"truth's tone (blur {sigma:g} px) + {share:.0%} of its grain, moved" for share in GRAIN_SHARES]
               for sigma in sigmas}
    scores = []
    for case in cases:
        for name in PEERS:
            if name in peers:
                scores.append(score(case, name, peers[name](case.blanked(), case.hole), 0.0))
        scores.append(score(case, OURS, ours(case.blanked(), case.hole), 0.0))
        scores.append(score(case, TRUTH, case.photo, 0.0))
        for sigma, labels in oracles.items():
            for share, label in zip(GRAIN_SHARES, labels):
                scores.append(score(case, label, oracle(case, sigma, share), 0.0))
        print(case.name, file=sys.stderr)

    print("| fill | masked PSNR (dB) | SSIM | texture gap | ΔE |")
    print("|---|---|---|---|---|")
    table = summarise(scores)
    for name, means in table.items():
        print(f"| {name} | {means['psnr']:.2f} | {means['ssim']:.3f} | {means['texture']:.2f} "
              f"| {means['delta_e']:.2f} |")
    if all(name in table for name in PEERS):
        fsr, patchmatch = (table[name] for name in PEERS)
        print(f"\nThe goal: SSIM at least {fsr['ssim']:.3f} (FSR) with a texture gap at most "
              f"{patchmatch['texture']:.2f} (PatchMatch).")
        for sigma, labels in oracles.items():
            textured = [table[label] for label in labels if table[label]["texture"] <= patchmatch["texture"]]
            best = max((row["ssim"] for row in textured), default=float("nan"))
            print(f"- tone blurred {sigma:g} px: the highest SSIM with that texture gap is {best:.3f}")
    print(f"\n{len(cases)} cases")
    for line in missing:
        print(f"- not run: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
