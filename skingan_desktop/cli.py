"""The ``skingan-desktop`` command: the desktop app (default), or ``inpaint`` from the shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

from . import __version__
from .finder import commands as finder_commands
from .resources import embedded_model_path


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit status 2."""


def _quality(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"the quality is a whole number from 1 to 100, not {text!r}")
    return value


class Terminated(KeyboardInterrupt):
    """SIGTERM (a closing terminal, ``kill``, a scheduler's timeout) ends a run as Ctrl+C does:
    the file being written is removed, the photo and earlier outputs are left as they are."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skingan-desktop",
        description="Remove tattoos and blemishes from photos, offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    inpaint = commands.add_parser(
        "inpaint", help="fill the masked part of a photo and write the result",
        description="Fill the masked part of IMAGE (any non-zero MASK pixel is hole) and write OUT. "
                    "Pixels outside the mask are copied unchanged.",
    )
    inpaint.add_argument("image", type=Path, help="the photo")
    inpaint.add_argument("mask", type=Path, help="the mask, same size as the photo")
    outputs = inpaint.add_mutually_exclusive_group(required=True)
    outputs.add_argument("-o", "--output", type=Path, help="where to write the result")
    outputs.add_argument("--both", nargs=2, type=Path, metavar=("OUT512", "OUT1024"),
                         help="write the 512 result and the refined 1024 result")
    inpaint.add_argument("--refine", action="store_true",
                         help="write the result refined at up to 1024 px (slower, sharper on large photos)")
    inpaint.add_argument("--snap-to-ink", action="store_true",
                         help="the mask is a rough brush over a tattoo: fill only the ink in it (and a 3 px halo)")
    inpaint.add_argument("--iters", type=int, default=15, help="refinement iterations per scale (default 15)")
    inpaint.add_argument("--feather", type=int, default=0,
                         help="blend the seam over N pixels outside the mask (default 0: outside pixels untouched)")
    inpaint.add_argument("--texture-strength", type=float, default=None,
                         help="the photo's own skin grain laid over the fill's tone (0 = smooth, 1 = the grain of "
                              "the skin around the mask, the default)")
    inpaint.add_argument("--weights", type=Path, help="generator weights (.ckpt, .pth, .pt, .bin, .safetensors); "
                                                      "default: the embedded model")
    inpaint.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                         help="where the generator runs (default: auto = CUDA when present)")
    inpaint.add_argument("--quality", type=_quality, default=95, help="JPEG/WebP quality, 1-100 (default 95)")
    inpaint.add_argument("--subsampling", choices=("4:4:4", "4:2:2", "4:2:0"),
                         help="JPEG chroma subsampling (default: the encoder's)")
    inpaint.add_argument("--keep-private-metadata", action="store_true",
                         help="keep all of the photo's EXIF in the output: GPS, serial numbers, names, "
                              "copyright, captions, comments and maker notes (by default only the technical "
                              "tags stay: camera, lens, exposure, dates). XMP, IPTC and the thumbnail are "
                              "never written")
    inpaint.add_argument("--overwrite", action="store_true", help="allow OUT to replace an existing file")

    _add_batch_parser(commands)
    finder_commands.add_parsers(commands)

    train = commands.add_parser("train", help="train or fine-tune a SkinGAN generator on skin photos",
                                description="Train from scratch, or fine-tune from --init (any weights file the "
                                            "app loads). Running again on the same --run resumes.")
    train.add_argument("--data", type=Path, required=True, help="folder of photos (with NAME.txt tattoo boxes)")
    train.add_argument("--run", type=Path, required=True, help="run folder: checkpoints, model card, samples")
    train.add_argument("--init", type=Path, help="weights to fine-tune from")
    train.add_argument("--steps", type=int, default=2000)
    train.add_argument("--batch-size", type=int, default=12)
    train.add_argument("--size", type=int, default=96, help="training crop size (multiple of 8)")
    train.add_argument("--ngf", type=int, default=32)
    train.add_argument("--blocks", type=int, default=4)
    train.add_argument("--hole-l1", type=float, default=0.0,
                       help="L1 weight inside the hole (LaMa: 0; helps colour in short runs)")
    train.add_argument("--adversarial", type=float, default=10.0, help="adversarial loss weight (LaMa: 10)")
    train.add_argument("--feature-matching", type=float, default=100.0, help="feature matching weight (LaMa: 100)")
    train.add_argument("--scenes", action="store_true",
                       help="train on whole-photo views (limb, edge, background) with the real jobs' holes, "
                            "never on a tattoo box, instead of skin crops")
    train.add_argument("--tone", type=float, default=0.0,
                       help="L1 weight of the fill's low frequencies around the hole (what the engine takes from "
                            "the generator: tone and structure; the grain comes from the photo)")
    train.add_argument("--lattice", type=float, default=0.0,
                       help="weight of the RMS of the prediction's 8 px pattern in the hole (pushes the decoder's "
                            "lattice out)")
    train.add_argument("--texture", type=float, default=0.0,
                       help="texture-energy loss weight (fine-band energy in the hole matches the real skin's)")
    train.add_argument("--perceptual-weights", type=Path,
                       help="the segmentation ResNet-50 encoder file (LaMa's ade20k encoder_epoch_20.pth) for the "
                            "high-receptive-field perceptual loss; never downloaded")
    train.add_argument("--perceptual", type=float, default=30.0, help="its weight (LaMa: 30)")
    train.add_argument("--minutes", type=float, help="stop with a checkpoint after this many minutes")
    train.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    train.add_argument("--float32", action="store_true",
                       help="no bfloat16 mixed precision, which is used where the device computes it natively "
                            "(CUDA, CPUs with AVX512-BF16 or AMX)")
    train.add_argument("--loader-workers", type=int, default=0, metavar="N",
                       help="processes that make the batches while the step runs (0: made in turn, as suits a CPU; "
                            "on a GPU about one per spare CPU core: one makes some 75 crops a second)")

    evaluate = commands.add_parser("evaluate",
                                   help="compare a generator with OpenCV Telea, Navier-Stokes and the membrane fill",
                                   description="Masked PSNR, masked SSIM and a texture measure on held-out skin "
                                               "with seeded tattoo-like masks; prints a markdown table.")
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--weights", type=Path, help="generator to evaluate (default: the embedded model)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--limit", type=int, help="evaluate at most this many crops")
    evaluate.add_argument("--masks-per-crop", type=int, default=1,
                          help="fill every crop under this many seeded masks (default 1)")
    evaluate.add_argument("--cache", type=Path, default=Path(".cache"), help="where harvested crops are cached")
    evaluate.add_argument("--lpips", nargs=2, type=Path, metavar=("ALEXNET", "LINEAR"),
                          help="add LPIPS: the ImageNet AlexNet weights and LPIPS v0.1's alex.pth (local files)")
    evaluate.add_argument("--fid", type=Path, metavar="INCEPTION",
                          help="add FID: the FID Inception-v3 weights (pt_inception-2015-12-05-6726825d.pth, local)")
    evaluate.add_argument("--training-subjects", action="store_true",
                          help="evaluate on the training subjects' crops (to choose settings; report held-out figures)")
    evaluate.add_argument("--texture-strength", type=float, action="append", dest="strengths",
                          help="the photo's grain in the fills (repeatable: one row each; default: the app's)")

    release = commands.add_parser("release", help="package a training run as the app's embedded model")
    release.add_argument("--run", type=Path, required=True,
                         help="run folder (its latest checkpoint), or a released .safetensors to re-card")
    release.add_argument("--evaluation", type=Path, required=True, help="the markdown table `evaluate` printed")
    release.add_argument("--command", dest="produced_by", action="append", default=[],
                         help="a command that produced it (repeatable)")
    release.add_argument("--note", default="", help="a plain statement of where the model stands")
    release.add_argument("--structure-weight", type=float,
                         help="share of a fill's tone the engine takes from this generator, the rest from the "
                              "harmonic membrane (0-1; choose it with benchmarks/bench_fill.py --training-subjects)")
    release.add_argument("-o", "--output", type=Path, required=True)

    masks = commands.add_parser("masks", help="write a sample sheet of training masks")
    masks.add_argument("kind", choices=("large", "tattoo", "acne"))
    masks.add_argument("-o", "--output", type=Path, required=True)
    masks.add_argument("--count", type=int, default=16)
    masks.add_argument("--seed", type=int, default=0)

    entry = commands.add_parser("desktop-entry", help="add the app to the Linux applications menu, with its icon")
    entry.add_argument("--remove", action="store_true", help="take the entry and its icons away again")
    return parser


def _add_batch_parser(commands: argparse._SubParsersAction) -> None:
    batch = commands.add_parser(
        "batch", help="fill every photo of a folder with its mask and write the results to another folder",
        description="Fill every photo in IN_DIR and write each result under OUT_DIR with the same name (and "
                    "sub-folder). A photo's mask is --mask, else NAME_mask.png (or NAME.png) in --masks, else "
                    "NAME_mask.png beside it. Every photo is recorded in OUT_DIR/skingan-batch.jsonl; running "
                    "the same command again goes on where it stopped and tries failed photos again.")
    batch.add_argument("in_dir", type=Path, help="the folder of photos (never written to)")
    batch.add_argument("out_dir", type=Path, help="the folder the results go to")
    batch.add_argument("--recursive", action="store_true", help="also the photos in IN_DIR's sub-folders")
    masks = batch.add_mutually_exclusive_group()
    masks.add_argument("--masks", type=Path, metavar="DIR", help="a folder of masks named after the photos")
    masks.add_argument("--mask", type=Path, help="one mask for every photo (all the same size)")
    batch.add_argument("--copy-unchanged", action="store_true",
                       help="write photos without a mask to OUT_DIR as they are (stripped of identifying "
                            "metadata like every result); by default they are only listed")
    batch.add_argument("--format", choices=("same", "png", "jpg", "tif", "webp"), default="same",
                       help="the results' format (default: each photo's own)")
    batch.add_argument("--workers", type=int, default=None,
                       help="photos done at once: local processes (default 1), or Ray actors with --ray "
                            "(default: one per GPU, else one per two CPUs)")
    batch.add_argument("--ray", metavar="ADDRESS",
                       help="do the photos on a Ray cluster: its address (ray://host:10001 or host:6379), 'auto' "
                            "for the cluster this machine is part of, or 'local' for a Ray instance on this "
                            "machine; the folders must be at the same path on every node. Needs "
                            "pip install 'skingan-desktop[cluster]'")
    batch.add_argument("--find-tattoos", action="store_true",
                       help="a photo without a mask gets the tattoo finder's mask (photos where it finds none "
                            "are left like photos without a mask); check its results")
    batch.add_argument("--finder-weights", type=Path, help="tattoo finder weights; default: the embedded finder")
    batch.add_argument("--keep-found-masks", action="store_true",
                       help="write the finder's masks beside the results as NAME_mask.png, to check them and, "
                            "corrected, give them back with --masks OUT_DIR")
    batch.add_argument("--refine", action="store_true", help="write the refined result (slower)")
    batch.add_argument("--snap-to-ink", action="store_true", help="the masks are rough brushes: fill only the ink")
    batch.add_argument("--texture-strength", type=float, default=None, help="as for inpaint")
    batch.add_argument("--weights", type=Path, help="generator weights; default: the embedded model")
    batch.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    batch.add_argument("--quality", type=_quality, default=95, help="JPEG/WebP quality, 1-100 (default 95)")
    batch.add_argument("--subsampling", choices=("4:4:4", "4:2:2", "4:2:0"))
    batch.add_argument("--keep-private-metadata", action="store_true", help="as for inpaint")
    batch.add_argument("--overwrite", action="store_true",
                       help="replace files in OUT_DIR that no earlier run of this batch wrote")


def _run_batch(args: argparse.Namespace) -> int:
    from .batch.job import BatchSettings
    from .batch.log import BatchLog
    from .batch.plan import plan_batch
    from .batch.progress import BatchProgress
    from .batch.run import run_batch, weights_label

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1.")
    if args.ray:
        from .batch.on_ray import INSTALL_HINT

        try:
            import ray  # noqa: F401
        except ImportError:
            raise UsageError(INSTALL_HINT) from None
    if args.texture_strength is not None and not 0 <= args.texture_strength <= 2:
        raise UsageError("--texture-strength must be between 0 and 2.")
    jobs = plan_batch(args.in_dir, args.out_dir, recursive=args.recursive, masks_dir=args.masks, one_mask=args.mask,
                      output_suffix=None if args.format == "same" else "." + args.format)
    if not jobs:
        raise UsageError(f"There is no photo in {args.in_dir}" + ("." if args.recursive else
                                                                 " (pass --recursive for its sub-folders)."))
    weights = _weights_path(args.weights)
    finder = _finder_path(args)
    settings = BatchSettings(weights=weights_label(weights), refine=args.refine, snap_to_ink=args.snap_to_ink,
                             texture_strength=args.texture_strength, quality=args.quality,
                             subsampling=args.subsampling, private=not args.keep_private_metadata,
                             copy_unchanged=args.copy_unchanged, overwrite=args.overwrite,
                             finder=finder and weights_label(finder), keep_found_masks=args.keep_found_masks)
    log = BatchLog(args.out_dir)

    workers = args.workers if args.ray else args.workers or 1
    progress = BatchProgress()
    try:
        summary = run_batch(jobs, settings, log, weights=weights, device=args.device, workers=workers,
                            ray_address=args.ray, finder=finder, report=progress)
    finally:
        progress.close()
    done, copied = summary.with_status("done"), summary.with_status("copied")
    unmasked, failed = summary.with_status("no-mask"), summary.with_status("error")
    print(f"{len(done)} filled, {len(copied)} copied unchanged, {len(failed)} failed"
          + (f", {summary.skipped} already done earlier" if summary.skipped else "") + f"; record: {log.path}")
    found = [record for record in done if record.get("mask_source") == "found"]
    if found:
        print(f"{len(found)} photo(s) were masked by the tattoo finder; check them: "
              + ", ".join(record["photo"] for record in found))
    if unmasked:
        print(f"{len(unmasked)} photo(s) had no mask" + (" and no tattoo found" if finder else "")
              + " and were not written: " + ", ".join(record["photo"] for record in unmasked))
    return 1 if failed else 0


def _finder_path(args: argparse.Namespace) -> Path | None:
    """The tattoo finder a batch uses for photos without a mask, or ``None`` without --find-tattoos."""
    if not args.find_tattoos:
        if args.finder_weights or args.keep_found_masks:
            raise UsageError("--finder-weights and --keep-found-masks go with --find-tattoos.")
        return None
    if args.finder_weights is not None:
        if not args.finder_weights.is_file():
            raise UsageError(f"The finder weights {args.finder_weights} do not exist.")
        return args.finder_weights
    from .finder.find import embedded_finder_path

    path = embedded_finder_path()
    if path is None:
        raise UsageError("No tattoo finder is installed; pass --finder-weights.")
    return path


def _run_train(args: argparse.Namespace) -> int:
    from .training.losses import LossWeights
    from .training.loop import TrainConfig, train
    from .training.progress import ProgressBar

    if args.size % 8:
        raise UsageError("--size must be a multiple of 8.")
    if args.loader_workers < 0:
        raise UsageError("--loader-workers must be 0 or more.")
    config = TrainConfig(data=args.data, run_dir=args.run, steps=args.steps, batch_size=args.batch_size,
                         size=args.size, ngf=args.ngf, n_blocks=args.blocks, init=args.init,
                         losses=LossWeights(l1_hole=args.hole_l1, adversarial=args.adversarial,
                                           feature_matching=args.feature_matching, texture=args.texture,
                                           tone=args.tone, lattice=args.lattice,
                                           perceptual=args.perceptual if args.perceptual_weights else 0.0),
                         perceptual_weights=args.perceptual_weights,
                         device=args.device, mixed_precision=not args.float32, max_minutes=args.minutes,
                         scenes=args.scenes, loader_workers=args.loader_workers)
    if not sys.stderr.isatty():  # a log file: a line every 10 steps
        print(f"Wrote {train(config)}")
        return 0
    bar = ProgressBar(sys.stderr)
    try:
        written = train(config, report=bar.message, progress=bar.update)
    finally:
        bar.close()
    print(f"Wrote {written}")
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    import cv2

    from .model import load_generator
    from .engine.membrane import membrane_fill
    from .engine.tone import DEFAULT_TEXTURE_STRENGTH
    from .training.evaluate import evaluate, generator_inpaints, markdown_table, opencv_baseline
    from .training.fid import FIDInception
    from .training.lpips import LPIPS

    weights = _weights_path(args.weights)
    generator = load_generator(weights, device="cpu")
    methods = {}
    strengths = args.strengths or [DEFAULT_TEXTURE_STRENGTH]
    for strength, method in zip(strengths, generator_inpaints(generator, strengths)):
        methods[f"SkinGAN ({weights.name}, texture {strength:g})"] = method
    methods |= {"OpenCV Telea": opencv_baseline(cv2.INPAINT_TELEA),
                "OpenCV Navier-Stokes": opencv_baseline(cv2.INPAINT_NS),
                "Membrane fill (the tone of SkinGAN's fills, no texture)": membrane_fill}
    lpips = LPIPS.from_files(*args.lpips) if args.lpips else None
    fid = FIDInception.from_file(args.fid) if args.fid else None
    paired_with = "OpenCV Navier-Stokes"  # the better baseline on PSNR, as the model card compares
    results = evaluate(methods, args.data, args.cache, seed=args.seed, masks_per_crop=args.masks_per_crop,
                       limit=args.limit, training_subjects=args.training_subjects, paired_with=paired_with,
                       lpips=lpips, fid=fid)
    print(markdown_table(results, paired_with=paired_with))
    return 0


def _run_release(args: argparse.Namespace) -> int:
    from .training.release import release

    if args.structure_weight is not None and not 0 <= args.structure_weight <= 1:
        raise UsageError("--structure-weight must be between 0 and 1.")
    written = release(args.run, args.output, args.evaluation.read_text().strip(), args.produced_by, args.note,
                      args.structure_weight)
    print(f"Wrote {written}")
    return 0


def _run_masks(args: argparse.Namespace) -> int:
    from .io.photos import save_photo
    from .training.masks import sample_sheet

    save_photo(args.output, sample_sheet(args.kind, args.count, seed=args.seed))
    print(f"Wrote {args.output}")
    return 0


def _run_desktop_entry(args: argparse.Namespace) -> int:
    from . import desktop_entry

    if args.remove:
        removed = desktop_entry.remove()
        print("\n".join(f"Removed {path}" for path in removed) or "No desktop entry was installed.")
        return 0
    for path in desktop_entry.install():
        print(f"Wrote {path}")
    print("SkinGAN Desktop is in the applications menu (Graphics) and offers to open photos.")
    return 0


def _weights_path(given: Path | None) -> Path:
    if given is not None:
        return given
    embedded = embedded_model_path()
    if embedded is None:
        raise UsageError("No embedded model is installed yet; pass --weights PATH (e.g. big-lama.ckpt).")
    return embedded


def _run_inpaint(args: argparse.Namespace) -> int:
    # Heavy imports here so that `--help` stays instant.
    import numpy as np

    from .engine.runner import InpaintSettings, Inpainter, apply_results
    from .io.photos import load_mask, photo_size, read_photo, write_photo
    from .model import load_generator

    if args.both and args.refine:
        raise UsageError("--both already writes the refined result; drop --refine.")
    if args.both and args.both[0].resolve() == args.both[1].resolve():
        raise UsageError("--both needs two different files: the 512 result and the refined one.")
    if args.iters < 1 or args.feather < 0:
        raise UsageError("--iters must be at least 1 and --feather at least 0.")
    if args.texture_strength is not None and not 0 <= args.texture_strength <= 2:
        raise UsageError("--texture-strength must be between 0 and 2.")
    wanted = [(args.both[0], False), (args.both[1], True)] if args.both else [(args.output, args.refine)]
    for output, _ in wanted:
        _check_output(output, args.image, args.overwrite)
    hole = load_mask(args.mask, expected_size=photo_size(args.image))  # sizes from headers, before decoding
    photo_file = read_photo(args.image)
    photo = np.array(photo_file.rgb8)
    if hole.shape != photo.shape[:2]:  # a header that lied about the size
        raise UsageError(f"The mask {args.mask} does not fit the photo {args.image} as decoded.")
    if not hole.any():
        raise UsageError(f"The mask {args.mask} is empty: paint the area to remove in white on black.")
    if args.snap_to_ink:
        from .engine.ink import snap_to_ink

        hole = snap_to_ink(photo, hole)  # NoInkFound is a ValueError: one line, exit status 2
        print(f"Snapped the mask to the ink: {hole.mean():.1%} of the photo")
    started = time.perf_counter()
    generator = load_generator(_weights_path(args.weights), device=args.device)
    settings = InpaintSettings(n_iters=args.iters, feather=args.feather, refine=any(r for _, r in wanted))
    if args.texture_strength is not None:
        settings.texture_strength = args.texture_strength
    results = Inpainter(generator, settings).run(photo, hole)
    assert results is not None  # nothing cancels a command-line run
    if settings.refine and all(r.refined is None or np.array_equal(r.refined, r.preview) for r in results):
        print(f"Note: every region is within the quick result's {settings.preview_side} px, so the refined "
              "result is the same as the 512 one (refinement adds detail only to larger regions).")
    for output, refined in wanted:
        write_photo(output, photo_file, apply_results(photo, results, refined=refined), quality=args.quality,
                    subsampling=args.subsampling, private=not args.keep_private_metadata,
                    replace=args.overwrite)
        print(f"Wrote {output}")
    print(f"{len(results)} region(s) in {time.perf_counter() - started:.1f} s")
    return 0


def _check_output(output: Path, original: Path, overwrite: bool) -> None:
    from .io.photos import save_format

    if output.exists() and original.exists() and output.resolve() == original.resolve():
        raise UsageError(f"Refusing to overwrite the original photo {original}; choose another output path.")
    if output.exists() and not overwrite:
        raise UsageError(f"{output} already exists; pass --overwrite to replace it.")
    save_format(output)


COMMANDS = ("inpaint", "batch", *finder_commands.RUNNERS, "train", "evaluate", "release", "masks", "desktop-entry")


def _mistyped_command(word: str) -> bool:
    """A word that is neither a command, an option nor a photo (photos have a suffix, or exist)."""
    return not word.startswith("-") and word not in COMMANDS and not Path(word).suffix and not Path(word).exists()


def _run_gui(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="skingan-desktop", description="Start the SkinGAN Desktop app.",
                                     epilog="Commands: skingan-desktop inpaint --help")
    parser.add_argument("photo", nargs="?", type=Path, help="a photo to open")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    from .ui.app import run_app

    return run_app(args.photo)


def main(argv: Sequence[str] | None = None) -> int:
    from .engine.allocator import share_one_arena

    share_one_arena()  # before any worker thread allocates (engine/allocator.py)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and _mistyped_command(argv[0]):
        print(f"skingan-desktop: error: there is no command {argv[0]!r}; the commands are {', '.join(COMMANDS)} "
              "(or give a photo to open it in the app).", file=sys.stderr)
        return 2
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        return _run_gui(argv)
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .io.photos import PhotoError
    from .model import WeightsError

    run = {"inpaint": _run_inpaint, "batch": _run_batch, "train": _run_train, "evaluate": _run_evaluate, "release": _run_release,
           "masks": _run_masks, "desktop-entry": _run_desktop_entry, **finder_commands.RUNNERS}
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if on_main_thread else None
    try:
        return run[args.command](args)
    except (UsageError, PhotoError, WeightsError, ValueError) as exc:
        print(f"skingan-desktop: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("skingan-desktop: error: out of memory; try a smaller photo or --device cpu.", file=sys.stderr)
        return 3
    except Terminated:
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        return 130
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)
