"""One photo of a batch: read it and its mask, fill, write the result; the outcome as a record.

The same engine, settings, privacy stripping and atomic writes as ``skingan-desktop inpaint``.
With ``--find-tattoos``, a photo that has no mask of its own gets the tattoo finder's
(``finder/``); one where it finds nothing is treated as a photo without a mask. A photo that cannot be done (damaged, a mask of another size, out of memory) gives an error
record with one sentence, and the batch goes on.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import numpy as np
from torch import nn

from ..engine.runner import InpaintSettings, Inpainter, apply_results
from ..io.photos import PhotoError, load_mask, photo_size, read_photo, save_photo, write_atomically, write_photo
from .log import file_digest
from .plan import PhotoJob


@dataclass(frozen=True)
class BatchSettings:
    """What every photo of a batch is filled and written with (and what a resumed batch must
    share with the records it skips)."""

    weights: str                 # the weights file's name and SHA-256, as recorded
    refine: bool = False
    snap_to_ink: bool = False
    texture_strength: Optional[float] = None
    quality: int = 95
    subsampling: Optional[str] = None
    private: bool = True
    copy_unchanged: bool = False
    overwrite: bool = False      # replace output files no record of this batch wrote
    finder: Optional[str] = None  # the tattoo finder's name and SHA-256, for photos without a mask
    keep_found_masks: bool = False  # write the finder's masks beside the results (NAME_mask.png)

    def recorded(self) -> dict[str, Any]:
        """The settings that shape a result: a rerun that only adds --overwrite or
        --copy-unchanged redoes none of the photos already filled."""
        return {name: value for name, value in asdict(self).items() if name not in ("overwrite", "copy_unchanged")}


Models = tuple[Path, Optional[Path]]  # the generator's weights file, the tattoo finder's (or None)


def load_models(weights: Path, finder_weights: Optional[Path], device: str) -> tuple[nn.Module, Any]:
    """The generator and, for a batch that finds tattoos, the finder: loaded once per worker."""
    from ..model import load_generator

    finder = None
    if finder_weights is not None:
        from ..finder.find import TattooFinder

        finder = TattooFinder.load(finder_weights, device=device)
    return load_generator(weights, device=device), finder


def process(job: PhotoJob, settings: BatchSettings, generator: nn.Module, *, finder: Any = None,
            ours: bool = False) -> dict[str, Any]:
    """Do ``job`` and return its record (``status``: done, copied, no-mask or error), masking a
    photo that has no mask with ``finder`` (a ``TattooFinder``) when there is one. ``ours``:
    the output file, if there is one, was written by this batch earlier and may be replaced."""
    started = time.perf_counter()
    record: dict[str, Any] = {"photo": job.name, "output": None, "mask": _shown(job.mask),
                              "mask_source": job.mask_source, "settings": settings.recorded()}
    try:
        record["input_sha256"] = file_digest(job.photo)
        record["mask_sha256"] = file_digest(job.mask)
        record |= _fill(job, settings, generator, finder, replace=ours or settings.overwrite)
    except (PhotoError, ValueError, OSError) as exc:
        record |= {"status": "error", "error": str(exc)}
    except MemoryError:
        record |= {"status": "error", "error": "Out of memory on this photo; run it alone or with fewer --workers."}
    except Exception as exc:  # noqa: BLE001 - one photo's failure must not end the batch
        record |= {"status": "error", "error": f"Internal error ({type(exc).__name__}: {exc}); please report it."}
    record["seconds"] = round(time.perf_counter() - started, 3)
    record["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return record


def _fill(job: PhotoJob, settings: BatchSettings, generator: nn.Module, finder: Any, *,
          replace: bool) -> dict[str, Any]:
    _check_free(job.output, replace)
    hole = None
    if job.mask is not None:
        hole = load_mask(job.mask, expected_size=photo_size(job.photo))
    photo_file = read_photo(job.photo)
    photo = np.array(photo_file.rgb8)
    if hole is not None and hole.shape != photo.shape[:2]:
        raise PhotoError(f"The mask {job.mask} does not fit the photo as decoded.")
    found: dict[str, Any] = {}
    if hole is None and finder is not None:
        hole, found = _found_mask(job, settings, finder, photo, replace)
    if hole is None or not hole.any():
        why = "no tattoo found" if found else "no mask" if hole is None else "an empty mask"
        return found | _unchanged(job, settings, photo_file, photo, why, replace)
    if settings.snap_to_ink:
        from ..engine.ink import snap_to_ink

        hole = snap_to_ink(photo, hole)
    inpaint = InpaintSettings(refine=settings.refine)
    if settings.texture_strength is not None:
        inpaint.texture_strength = settings.texture_strength
    results = Inpainter(generator, inpaint).run(photo, hole)
    if results is None:  # nothing cancels a batch's fill
        raise RuntimeError("the fill was cancelled")
    _write(job, settings, photo_file, apply_results(photo, results, refined=settings.refine), replace)
    return found | {"status": "done", "output": job.output_name, "filled_share": round(float(hole.mean()), 5)}


def _found_mask(job: PhotoJob, settings: BatchSettings, finder: Any, photo: np.ndarray,
                replace: bool) -> tuple[Optional[np.ndarray], dict[str, Any]]:
    """The finder's mask for a photo that has none (``None`` where it finds nothing) and what
    the record says of it; the mask is written beside the result when the batch keeps them."""
    finding = finder.find(photo)
    said: dict[str, Any] = {"mask_source": "found", "tattoos_found": len(finding.boxes)}
    if not finding.found:
        return None, said
    if settings.keep_found_masks:
        path = found_mask_path(job)
        _check_free(path, replace)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_photo(path, finding.mask.astype(np.uint8) * 255)
        said["found_mask"] = Path(job.output_name).with_name(path.name).as_posix()
    return finding.mask, said


def _check_free(path: Path, replace: bool) -> None:
    """Refuse to write over a file in the output folder that this batch did not write."""
    if path.exists() and not replace:
        raise PhotoError(f"{path} already exists and no record of this batch wrote it; "
                         "it was left as it is (pass --overwrite to replace it).")


def found_mask_path(job: PhotoJob) -> Path:
    """Where a batch that keeps the finder's masks writes this photo's: ``NAME_mask.png`` beside
    its result, which ``--masks OUT_DIR`` takes on a later run (after a person has checked it)."""
    return job.output.with_name(job.output.stem + "_mask.png")


def _unchanged(job: PhotoJob, settings: BatchSettings, photo_file: Any, photo: np.ndarray, why: str,
               replace: bool) -> dict[str, Any]:
    if not settings.copy_unchanged:
        return {"status": "no-mask", "note": f"{why}; pass --copy-unchanged to copy it"}
    if not settings.private and job.output.suffix.lower() == job.photo.suffix.lower():
        job.output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(job.output, job.photo.read_bytes(), replace=replace)  # every tag kept: the file as it is
    else:
        _write(job, settings, photo_file, photo, replace)  # stripped of identifying tags, like every result
    return {"status": "copied", "output": job.output_name, "note": why}


def _write(job: PhotoJob, settings: BatchSettings, photo_file: Any, edited: np.ndarray, replace: bool) -> None:
    job.output.parent.mkdir(parents=True, exist_ok=True)
    write_photo(job.output, photo_file, edited, quality=settings.quality, subsampling=settings.subsampling,
                private=settings.private, replace=replace)


def _shown(path: Optional[Path]) -> Optional[str]:
    return None if path is None else path.as_posix()
