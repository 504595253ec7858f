"""A folder reviewed by a person in the app: the batch's photos, the mask each one starts from,
and what the person decided, written to the batch's own record.

The photos, their outputs and their masks are those ``skingan-desktop batch IN_DIR OUT_DIR``
plans (``batch/plan.py``); a photo without a mask of its own starts from the mask a batch with
``--keep-found-masks`` left beside its result. A photo the person exports is recorded as done
with ``"mask_source": "reviewed"``, and a later ``batch`` on the same folders leaves it as it is
(a person's result is final while the photo is the same file and the result is still there).
No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from .job import found_mask_path
from .log import BatchLog, file_digest
from .plan import PhotoJob, plan_batch

REVIEWED = "reviewed"


@dataclass(frozen=True)
class ReviewedPhoto:
    """One photo of the folder: its job, the mask file it starts from (``None``: none yet) and
    its last recorded status (``None``: not done yet)."""

    job: PhotoJob
    mask: Optional[Path]
    status: Optional[str]

    @property
    def name(self) -> str:
        return self.job.name


class FolderReview:
    """The photos of ``in_dir`` with their outputs in ``out_dir``, as the batch plans them."""

    def __init__(self, in_dir: Path, out_dir: Path, *, recursive: bool = False) -> None:
        self.in_dir, self.out_dir = Path(in_dir), Path(out_dir)
        self.jobs = plan_batch(self.in_dir, self.out_dir, recursive=recursive)
        self.log = BatchLog(self.out_dir)
        # Each photo's last recorded status, read once; the review's own records update it.
        self._status: dict[str, Optional[str]] = {}
        for record in self.log.records():
            self._status[record["photo"]] = record.get("status")

    def __len__(self) -> int:
        return len(self.jobs)

    def photos(self) -> list[ReviewedPhoto]:
        """Every photo with its starting mask and last status, in the batch's order."""
        return [self.photo(index) for index in range(len(self.jobs))]

    def photo(self, index: int) -> ReviewedPhoto:
        job = self.jobs[index]
        return ReviewedPhoto(job, self._starting_mask(job), self._status.get(job.name))

    @staticmethod
    def _starting_mask(job: PhotoJob) -> Optional[Path]:
        if job.mask is not None:
            return job.mask
        kept = found_mask_path(job)
        return kept if kept.is_file() else None

    def record_export(self, index: int, *, changed: bool, filled_share: float, seconds: float) -> dict[str, Any]:
        """Record that the person wrote photo ``index``'s result to its output (``changed``: it
        was edited; else it was passed as it is) and return the record."""
        job = self.jobs[index]
        record = {"photo": job.name, "output": job.output_name, "mask": None, "mask_source": REVIEWED,
                  "status": "done" if changed else "copied", "input_sha256": file_digest(job.photo),
                  "mask_sha256": None, "settings": {"reviewed": True}, "filled_share": round(filled_share, 5),
                  "seconds": round(seconds, 3),
                  "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        if not changed:
            record["note"] = "reviewed: nothing to remove"
        self.log.append(record)
        self._status[job.name] = record["status"]
        return record


def reviewed_and_kept(record: dict[str, Any], job: PhotoJob) -> bool:
    """Whether ``record`` is a person's result for ``job`` that is still valid: the same photo
    file, and the result still there."""
    return (record.get("mask_source") == REVIEWED and record.get("output") == job.output_name
            and job.output.exists() and record.get("input_sha256") == file_digest(job.photo))
