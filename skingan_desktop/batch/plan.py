"""Which photos a batch has, the mask each one gets and where its result goes.

A photo's mask is, in order: the one ``--mask`` for all; ``NAME_mask.*`` (or ``NAME.*``) in the
``--masks`` folder, under the photo's own sub-folder; ``NAME_mask.*`` beside the photo. Files
named ``*_mask.*`` are masks, never photos, and nothing under the output folder is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..io.photos import SAVE_FORMATS

PHOTO_SUFFIXES = tuple(SAVE_FORMATS)
MASK_SUFFIX = "_mask"


class BatchError(ValueError):
    """A batch that cannot start (a missing folder, the output inside the originals); one sentence."""


@dataclass(frozen=True)
class PhotoJob:
    """One photo of a batch: its file, its name relative to the input folder, its mask file and
    how that was found (``"one"``, ``"folder"``, ``"sidecar"``; ``None`` when it has none), and
    the file its result is written to, and its name relative to the output folder."""

    photo: Path
    name: str
    mask: Optional[Path]
    mask_source: Optional[str]
    output: Path
    output_name: str


def plan_batch(in_dir: Path, out_dir: Path, *, recursive: bool = False, masks_dir: Optional[Path] = None,
               one_mask: Optional[Path] = None, output_suffix: Optional[str] = None) -> list[PhotoJob]:
    """The photos of ``in_dir`` (and its sub-folders when ``recursive``) in name order, each with
    its mask and output (``out_dir`` mirrors the input's sub-folders; the output keeps the
    photo's format unless ``output_suffix``, e.g. ``".png"``, is given)."""
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise BatchError(f"The input folder {in_dir} does not exist.")
    if out_dir.resolve() == in_dir.resolve():
        raise BatchError("The output folder is the input folder; choose another, so that no original is replaced.")
    for given, what in ((masks_dir, "masks folder"), (one_mask, "mask")):
        if given is not None and not given.exists():
            raise BatchError(f"The {what} {given} does not exist.")
    found = sorted(in_dir.rglob("*") if recursive else in_dir.iterdir())
    outside = out_dir.resolve()
    jobs = []
    for photo in found:
        if not photo.is_file() or photo.suffix.lower() not in PHOTO_SUFFIXES or _is_mask(photo):
            continue
        if photo.resolve().is_relative_to(outside) or (masks_dir and photo.resolve().is_relative_to(masks_dir.resolve())):
            continue
        relative = photo.relative_to(in_dir)
        mask, source = _mask_for(photo, relative, masks_dir, one_mask)
        output = relative.with_suffix(output_suffix or photo.suffix)
        jobs.append(PhotoJob(photo, relative.as_posix(), mask, source, out_dir / output, output.as_posix()))
    return jobs


def _is_mask(path: Path) -> bool:
    return path.stem.lower().endswith(MASK_SUFFIX)


def _mask_for(photo: Path, relative: Path, masks_dir: Optional[Path],
              one_mask: Optional[Path]) -> tuple[Optional[Path], Optional[str]]:
    if one_mask is not None:
        return one_mask, "one"
    if masks_dir is not None:
        folder = masks_dir / relative.parent
        found = _first_image(folder, relative.stem + MASK_SUFFIX) or _first_image(folder, relative.stem)
        if found:
            return found, "folder"
    found = _first_image(photo.parent, photo.stem + MASK_SUFFIX)
    return (found, "sidecar") if found else (None, None)


def _first_image(folder: Path, stem: str) -> Optional[Path]:
    for suffix in (".png", *PHOTO_SUFFIXES):
        for candidate in (folder / (stem + suffix), folder / (stem + suffix.upper())):
            if candidate.is_file():
                return candidate
    return None
