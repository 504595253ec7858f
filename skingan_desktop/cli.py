"""The ``skingan-desktop`` command: ``inpaint`` a photo from the shell."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Sequence

from . import __version__
from .resources import embedded_model_path


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit status 2."""


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
    inpaint.add_argument("-o", "--output", type=Path, required=True, help="where to write the result")
    inpaint.add_argument("--weights", type=Path, help="generator weights (.ckpt, .pth, .pt, .bin, .safetensors); "
                                                      "default: the embedded model")
    inpaint.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                         help="where the generator runs (default: auto = CUDA when present)")
    inpaint.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality (default 95)")
    inpaint.add_argument("--overwrite", action="store_true", help="allow OUT to replace an existing file")
    return parser


def _weights_path(given: Path | None) -> Path:
    if given is not None:
        return given
    embedded = embedded_model_path()
    if embedded is None:
        raise UsageError("No embedded model is installed yet; pass --weights PATH (e.g. big-lama.ckpt).")
    return embedded


def _run_inpaint(args: argparse.Namespace) -> int:
    # Heavy imports here so that `--help` stays instant.
    from .engine.runner import inpaint_photo
    from .io.photos import load_mask, load_photo, save_format, save_photo
    from .model import load_generator

    output = args.output
    if output.exists() and output.resolve() == args.image.resolve():
        raise UsageError(f"Refusing to overwrite the original photo {args.image}; choose another output path.")
    if output.exists() and not args.overwrite:
        raise UsageError(f"{output} already exists; pass --overwrite to replace it.")
    save_format(output)
    photo = load_photo(args.image)
    hole = load_mask(args.mask, expected_size=(photo.shape[1], photo.shape[0]))
    if not hole.any():
        raise UsageError(f"The mask {args.mask} is empty: paint the area to remove in white on black.")
    started = time.perf_counter()
    generator = load_generator(_weights_path(args.weights), device=args.device)
    result = inpaint_photo(generator, photo, hole)
    save_photo(output, result, quality=args.quality)
    print(f"Wrote {output} ({time.perf_counter() - started:.1f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .io.photos import PhotoError
    from .model import WeightsError

    try:
        return _run_inpaint(args)
    except (UsageError, PhotoError, WeightsError, ValueError) as exc:
        print(f"skingan-desktop: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("skingan-desktop: error: out of memory; try a smaller photo or --device cpu.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
