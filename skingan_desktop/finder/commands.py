"""The finder's commands: ``find-tattoos`` (a photo's mask), ``train-finder``, ``evaluate-finder``
and ``release-finder``. Parsers only at import; the work imports torch when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parsers(commands: argparse._SubParsersAction) -> None:
    find = commands.add_parser(
        "find-tattoos", help="write a mask of the tattoos in a photo",
        description="Find the tattoos in PHOTO and write their mask (white on black, with the ink's halo) to "
                    "MASK, ready for `inpaint` or the app. Finding nothing is said plainly; no mask is written then.")
    find.add_argument("photo", type=Path)
    find.add_argument("-o", "--output", type=Path, required=True, help="the mask to write (.png)")
    find.add_argument("--weights", type=Path, help="finder weights; default: the embedded finder")
    find.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    find.add_argument("--overwrite", action="store_true", help="allow MASK to replace an existing file")

    train = commands.add_parser("train-finder", help="train the tattoo finder on photos with tattoo boxes",
                                description="Train on the training subjects of DATA (NAME.txt boxes beside the "
                                            "photos). Running again on the same --run goes on from its weights.")
    train.add_argument("--data", type=Path, required=True)
    train.add_argument("--run", type=Path, required=True, help="run folder (latest.safetensors)")
    train.add_argument("--steps", type=int, default=3000)
    train.add_argument("--batch-size", type=int, default=8)
    train.add_argument("--crop", type=int, default=192, help="training view side (multiple of 16)")
    train.add_argument("--learning-rate", type=float, default=2e-3)
    train.add_argument("--minutes", type=float, help="stop with a checkpoint after this many minutes")
    train.add_argument("--seed", type=int, default=0)

    evaluate = commands.add_parser("evaluate-finder", help="score the tattoo finder on the validation subjects",
                                   description="Boxes found, false area and time per photo; prints a markdown table.")
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--weights", type=Path, help="default: the embedded finder")
    evaluate.add_argument("--threshold", type=float, action="append", dest="thresholds",
                          help="cut the probability here instead of at the weights' threshold (repeatable: a row each)")
    evaluate.add_argument("--training-subjects", action="store_true",
                          help="score on the training subjects (to choose the threshold; report the validation figures)")

    release = commands.add_parser("release-finder", help="package a finder run as the app's embedded finder")
    release.add_argument("--run", type=Path, required=True, help="run folder, or a released file to re-card")
    release.add_argument("--evaluation", type=Path, required=True, help="the table `evaluate-finder` printed")
    release.add_argument("--threshold", type=float, help="the probability cut the app uses (default: the run's)")
    release.add_argument("--command", dest="produced_by", action="append", default=[], help="a command that made it")
    release.add_argument("--note", default="", help="a plain statement of where the finder stands")
    release.add_argument("-o", "--output", type=Path, required=True)


def run_find(args: argparse.Namespace) -> int:
    import numpy as np

    from ..io.photos import read_photo, save_photo
    from .find import TattooFinder

    if args.output.exists() and not args.overwrite:
        raise ValueError(f"{args.output} already exists; pass --overwrite to replace it.")
    if args.output.exists() and args.output.resolve() == args.photo.resolve():
        raise ValueError(f"Refusing to overwrite the photo {args.photo} with its mask.")
    photo = np.array(read_photo(args.photo).rgb8)
    finding = TattooFinder.load(args.weights, device=args.device).find(photo)
    print(finding.summary())
    if not finding.found:
        return 0
    save_photo(args.output, finding.mask.astype(np.uint8) * 255)
    for x1, y1, x2, y2 in finding.boxes:
        print(f"  tattoo at x {x1}-{x2}, y {y1}-{y2}")
    print(f"Wrote {args.output}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from .train import FinderTrainConfig, train_finder

    if args.crop % 16:
        raise ValueError("--crop must be a multiple of 16.")
    config = FinderTrainConfig(data=args.data, run_dir=args.run, steps=args.steps, batch_size=args.batch_size,
                               crop=args.crop, learning_rate=args.learning_rate, max_minutes=args.minutes,
                               seed=args.seed)
    print(f"Wrote {train_finder(config, report=lambda text: print(text, flush=True))}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from .find import TattooFinder
    from .scores import markdown_table, score_finder

    finder = TattooFinder.load(args.weights, device="cpu")
    thresholds = args.thresholds or [finder.threshold]
    scores = score_finder(finder, args.data, thresholds, training_subjects=args.training_subjects)
    print(markdown_table(scores))
    return 0


def run_release(args: argparse.Namespace) -> int:
    from .release import release_finder

    if args.threshold is not None and not 0 < args.threshold < 1:
        raise ValueError("--threshold must be between 0 and 1.")
    written = release_finder(args.run, args.output, args.evaluation.read_text().strip(), args.produced_by,
                             args.note, args.threshold)
    print(f"Wrote {written}")
    return 0


RUNNERS = {"find-tattoos": run_find, "train-finder": run_train, "evaluate-finder": run_evaluate,
           "release-finder": run_release}
