"""Training batches, made in the training process or beside it in worker processes.

Cutting a scene (a view of a photo, its hole, its augmentation) is numpy and OpenCV work on one
core: about 75 crops a second on the 2-core CPU, at 128 or 256 px alike. That is about what the
CPU trains at, but a GPU trains this generator many times faster, so on a GPU the batches are
made by ``workers`` processes (``skingan-desktop train --loader-workers``), each with its own
random stream, while the step runs.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

Batch = tuple[torch.Tensor, torch.Tensor]  # (B, 3, S, S) images in [0, 1], (B, 1, S, S) masks
PREFETCH = 4  # batches each worker makes ahead


# What makes a batch from a random generator: ``partial(scene_batch, scenes, batch_size, size)``
# or ``partial(make_batch, crops, batch_size, size)`` (a partial of a module's function can be
# sent to a worker process, where a start method other than fork pickles it).
Sampler = Callable[[np.random.Generator], Batch]


class _Endless(IterableDataset):
    """Batches without end, each worker from its own random stream (``seed`` then its number)."""

    def __init__(self, sample: Sampler, seed: Sequence[int]) -> None:
        self.sample, self.seed = sample, list(seed)

    def __iter__(self) -> Iterator[Batch]:
        worker = get_worker_info()
        rng = np.random.default_rng(self.seed + [0 if worker is None else worker.id])
        while True:
            yield self.sample(rng)


def batch_stream(sample: Sampler, seed: Sequence[int], workers: int = 0, pin_memory: bool = False) -> Iterator[Batch]:
    """Endless batches from ``sample``: made here, one after another, from the random stream of
    ``seed`` (``workers`` 0), or by ``workers`` processes at once, their batches taken in turn."""
    if workers <= 0:
        rng = np.random.default_rng(list(seed))
        while True:
            yield sample(rng)
    loader = DataLoader(_Endless(sample, seed), batch_size=None, num_workers=workers, prefetch_factor=PREFETCH,
                        pin_memory=pin_memory)
    # (OpenCV's threads are left as they are: cv2.setNumThreads(1) in a worker forked from a
    # process whose OpenCV pool has run hangs for good.)
    yield from loader
