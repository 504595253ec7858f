"""Whole tattoos removed, to look at at 100 %: for held-out photos, the tattoo's box as the mask
(or, with ``--snap``, the mask a retoucher makes: the box brushed a little wider, then Snap to
ink), the photo with the mask's outline | our 512 fill | our refined fill (``--refined``) |
variants asked for | PatchMatch (with the bench extra), side by side, one PNG per photo, cropped
to the box and some skin around it. No truth, no numbers: this is what a retoucher sees, and
what a metric on small windows can miss.

    python benchmarks/whole_tattoos.py --data ../shared/data/tattoo-photos --out runs/whole --limit 8
    python benchmarks/whole_tattoos.py --data ../shared/data/tattoo-photos --out runs/whole-snapped --snap --limit 18
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from skingan_desktop.engine.ink import NoInkFound, snap_to_ink
from skingan_desktop.engine.mask_ops import grow_mask
from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.io.photos import read_photo
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.data import PHOTO_SUFFIXES, is_validation_subject, subject_of, tattoo_boxes
from skingan_desktop.training.fill_benchmark import engine_fill
from skingan_desktop.training.peers import peer_fills

MARGIN = 0.25  # of the box's size, shown around it
BRUSHED_WIDER = 1 / 80  # --snap: the box brushed this share of the photo's long side wider (6 px at 480)
OUTLINE = (255, 0, 255)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--weights", type=Path, help="generator weights (default: the embedded model)")
    parser.add_argument("--limit", type=int, default=8, help="photos at most")
    parser.add_argument("--photos", nargs="*", default=[], help="these photo names instead (e.g. 147_1)")
    parser.add_argument("--refined", action="store_true", help="also the refined result")
    parser.add_argument("--structure-reach", type=float, action="append", dest="reaches", default=[],
                        help="also ours with the generator's share halving over this many working px (repeatable)")
    parser.add_argument("--light-reach", type=float, action="append", dest="light_reaches", default=[],
                        help="also ours with the generator's share of light and shade halving over this many "
                             "working px (repeatable)")
    parser.add_argument("--texture-strength", type=float, action="append", dest="strengths", default=[],
                        help="also ours with this texture strength (repeatable)")
    parser.add_argument("--snap", action="store_true",
                        help="the mask a retoucher makes: the box brushed a little wider, then Snap to ink")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    generator = load_generator(args.weights or embedded_model_path(), device="cpu")
    methods = {"ours 512": engine_fill(generator, InpaintSettings(refine=False))}
    if args.refined:
        methods["ours refined"] = engine_fill(generator, InpaintSettings(refine=True))
    for reach in args.reaches:
        methods[f"ours, reach {reach:g}"] = engine_fill(generator, InpaintSettings(refine=False, structure_reach=reach))
    for reach in args.light_reaches:
        methods[f"ours, light reach {reach:g}"] = engine_fill(generator, InpaintSettings(refine=False, light_reach=reach))
    for strength in args.strengths:
        methods[f"ours, texture {strength:.0%}"] = engine_fill(generator, InpaintSettings(refine=False,
                                                                                          texture_strength=strength))
    peers, missing = peer_fills()
    if "PatchMatch, patch 3" in peers:
        methods["PatchMatch"] = peers["PatchMatch, patch 3"]
    for line in missing:
        print(f"# {line}", file=sys.stderr)

    photos = sorted(p for p in args.data.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    if args.photos:
        photos = [p for p in photos if p.stem in args.photos]
    else:
        photos = [p for p in photos if is_validation_subject(subject_of(p))][:args.limit]
    args.out.mkdir(parents=True, exist_ok=True)
    for path in photos:
        photo = np.array(read_photo(path).rgb8)
        height, width = photo.shape[:2]
        hole = np.zeros((height, width), bool)
        boxes = tattoo_boxes(path)
        if not boxes:
            continue
        for left, top, right, bottom in boxes:
            hole[top:bottom, left:right] = True
        if args.snap:
            brushed = grow_mask(hole.astype(np.uint8), max(1, round(BRUSHED_WIDER * max(height, width)))) > 0
            try:
                hole = snap_to_ink(photo, brushed)
            except NoInkFound:
                hole = brushed
        left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        mx, my = int((right - left) * MARGIN), int((bottom - top) * MARGIN)
        crop = (slice(max(top - my, 0), min(bottom + my, height)), slice(max(left - mx, 0), min(right + mx, width)))
        outlined = photo.copy()
        outlined[cv2.morphologyEx(hole.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0] = OUTLINE
        panels = [outlined[crop]] + [fill(photo, hole)[crop] for fill in methods.values()]
        strip = np.concatenate([np.pad(p, ((0, 0), (0, 4), (0, 0)), constant_values=255) for p in panels], axis=1)
        target = args.out / f"{path.stem}.png"
        Image.fromarray(strip).save(target)
        print(f"{target}: photo | {' | '.join(methods)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
