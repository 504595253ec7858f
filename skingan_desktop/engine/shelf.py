"""The results shelf: every run's results, kept until their mask or their pixels change.

A run is made for one mask on one state of the photo. Its results are offered again whenever
the mask is that mask and the photo's pixels in its regions are the ones it saw: after an
applied result is undone, the other result can be applied without running again; runs of the
same mask with other settings (feather, context, refined size) line up side by side. A heal,
a clone stroke or another applied result in a region makes that run stale, and undoing them
brings it back. Runs beyond the memory limit go, oldest first. No Qt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .runner import RegionResult

DEFAULT_LIMIT = 1536 * 1024 * 1024  # bytes of results kept, at most


def _digest(pixels: np.ndarray) -> bytes:
    return hashlib.blake2b(np.ascontiguousarray(pixels), digest_size=16).digest()


def _mask_key(hole: np.ndarray) -> tuple[tuple[int, ...], bytes]:
    packed = np.packbits(hole.astype(bool), axis=None)
    return hole.shape, hashlib.blake2b(packed.tobytes(), digest_size=16).digest()


@dataclass
class Run:
    """One run's results, the mask they were made for and what the run was asked to do."""

    number: int
    label: str
    results: list[RegionResult]
    seconds: float
    refined_side: int = 1024
    mask_key: tuple[tuple[int, ...], bytes] = field(repr=False, default=((0,), b""))
    # The digests of the pixels each region had when the run saw them: kept instead of the
    # pixels themselves (72 MB for a whole 24 MP photo's region).
    seen: list[bytes] = field(repr=False, default_factory=list)

    @property
    def has_refined(self) -> bool:
        return all(r.refined is not None for r in self.results)

    @property
    def nbytes(self) -> int:
        arrays = {id(a): a.nbytes for r in self.results for a in (r.hole, r.preview, r.refined, r.source)
                  if a is not None}  # a small region's refined result is its 512 result: counted once
        return sum(arrays.values())

    def made_for(self, hole: np.ndarray) -> bool:
        """Whether the run was made for the mask ``hole`` (``(H, W)`` bool)."""
        return _mask_key(hole) == self.mask_key

    def fits(self, photo: np.ndarray, digests: Optional[dict] = None) -> bool:
        """Whether the photo's pixels in every region are still the ones the run saw
        (``digests``: the regions' digests already taken, shared between runs)."""
        digests = {} if digests is None else digests
        if len(self.seen) != len(self.results):
            return False
        for result, seen in zip(self.results, self.seen):
            if result.region not in digests:
                digests[result.region] = _digest(photo[result.region.slices])
            if digests[result.region] != seen:
                return False
        return True

    def describe(self) -> str:
        return f"Run {self.number}: {self.label}, {self.seconds:.1f} s"


class ResultsShelf:
    def __init__(self, limit_bytes: int = DEFAULT_LIMIT) -> None:
        self.limit_bytes = limit_bytes
        self.runs: list[Run] = []
        self._count = 0

    def add(self, hole: np.ndarray, results: list[RegionResult], label: str, seconds: float,
            refined_side: int = 1024) -> Run:
        """Keep the results of a run on ``hole`` (``(H, W)`` bool); the oldest runs go when
        the shelf holds more than its limit (the newest always stays)."""
        self._count += 1
        seen = [_digest(r.source) for r in results if r.source is not None]
        kept = [RegionResult(r.region, r.hole, r.preview, r.refined) for r in results]  # the pixels seen go
        run = Run(self._count, label, kept, seconds, refined_side, _mask_key(hole), seen)
        self.runs.append(run)
        while len(self.runs) > 1 and self.nbytes > self.limit_bytes:
            self.runs.pop(0)
        return run

    def matching(self, hole: np.ndarray, photo: np.ndarray) -> list[Run]:
        """The runs made for ``hole`` that still fit ``photo``, oldest first."""
        if not hole.any() or not self.runs:
            return []
        key, digests = _mask_key(hole), {}  # runs of one mask share their regions: each is read once
        return [run for run in self.runs if run.mask_key == key and run.fits(photo, digests)]

    @property
    def nbytes(self) -> int:
        return sum(run.nbytes for run in self.runs)

    def clear(self) -> None:
        self.runs = []
