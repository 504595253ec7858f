"""The real-job fill benchmark: ours against the classical fills on whole photos, one table.

    python benchmarks/bench_fill.py --data ../shared/data/tattoo-photos --sheet runs/fill-sheet.png

Cases: clean skin windows of the validation subjects with drawn tattoo shapes and real ink shapes
scaled in, and boxes across a limb's edge (``training/fill_cases.py``). Peers: OpenCV Telea and
Navier-Stokes, the membrane fill, and with the bench extra OpenCV contrib's FSR and PatchMatch
(patch 3 and 7). Ours: the 512 result, the refined result, and the fill made at 1/4 of the
region's size (the upscale a 24 MP photo's region suffers, reproduced on 480 px photos).
Prints the Markdown table; the contact sheet is the truth and every method, zoomed 2x.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.fill_benchmark import engine_fill, print_benchmark
from skingan_desktop.training.fill_cases import fill_cases
from skingan_desktop.training.peers import peer_fills

QUARTER = 120  # the 480 px photos' regions worked at 1/4 of their size


# The variants of ours asked for on the command line: the option's destination, the label's
# format, and the InpaintSettings field it sets.
VARIANTS = (
    ("strengths", "texture {:.0%}", "texture_strength"),
    ("structures", "structure {:.0%}", "structure_weight"),
    ("reaches", "structure reach {:g} px", "structure_reach"),
    ("light_reaches", "light reach {:g} px", "light_reach"),
    ("split_depths", "split from {:g} px deep", "split_depth"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/tattoo-photos"))
    parser.add_argument("--weights", type=Path, help="generator weights (default: the embedded model)")
    parser.add_argument("--per-kind", type=int, default=2, help="cases of each kind per photo (default 2)")
    parser.add_argument("--limit", type=int, help="photos at most")
    parser.add_argument("--training-subjects", action="store_true",
                        help="run on the training subjects (for choosing settings; report the validation run)")
    parser.add_argument("--texture-strength", type=float, action="append", dest="strengths",
                        help="also run ours at this texture strength (repeatable)")
    parser.add_argument("--structure-weight", type=float, action="append", dest="structures",
                        help="also run ours with this share of the tone from the generator (repeatable)")
    parser.add_argument("--structure-reach", type=float, action="append", dest="reaches",
                        help="also run ours with the generator's share halving over this many working px "
                             "into the hole (repeatable)")
    parser.add_argument("--light-reach", type=float, action="append", dest="light_reaches",
                        help="also run ours with the generator's share of light and shade halving over this "
                             "many working px into the hole (repeatable)")
    parser.add_argument("--split-depth", type=float, action="append", dest="split_depths",
                        help="also run ours splitting holes deeper than this many working px into surfaces "
                             "(repeatable; 0 splits every hole)")
    parser.add_argument("--sheet", type=Path, default=Path("runs/fill-sheet.png"))
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    generator = load_generator(args.weights or embedded_model_path(), device="cpu")
    methods, missing = peer_fills()
    methods["SkinGAN 512"] = engine_fill(generator, InpaintSettings(refine=False))
    methods["SkinGAN refined"] = engine_fill(generator, InpaintSettings(refine=True))
    methods["SkinGAN at 1/4 size"] = engine_fill(generator, InpaintSettings(refine=False, preview_side=QUARTER))
    for dest, label, setting in VARIANTS:
        for value in getattr(args, dest) or []:
            methods[f"SkinGAN 512, {label.format(value)}"] = engine_fill(
                generator, InpaintSettings(refine=False, **{setting: value}))
    cases = fill_cases(args.data, per_kind=args.per_kind, limit=args.limit, validation=not args.training_subjects)
    print_benchmark(cases, methods, missing, sheet=args.sheet,
                    about=f"; weights {args.weights or 'embedded'}; sheet {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
