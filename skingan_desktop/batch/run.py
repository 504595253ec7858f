"""Running a batch: the photos not yet done, one after another or in local worker processes,
each worker loading the generator once; every outcome is recorded as it arrives."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from .job import BatchSettings, Models, load_models, process
from .log import BatchLog, file_digest
from .plan import PhotoJob
from .review import REVIEWED, reviewed_and_kept

Report = Callable[[int, int, dict[str, Any]], None]  # (photos finished, photos to do, the record)


@dataclass
class BatchSummary:
    """What a batch did: the records of this run, and how many photos an earlier run had done."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    def with_status(self, status: str) -> list[dict[str, Any]]:
        return [record for record in self.records if record["status"] == status]


def weights_label(path: Path) -> str:
    """How a batch records the generator it used: the file's name and SHA-256."""
    return f"{path.name} sha256:{file_digest(path)}"


def still_to_do(jobs: Iterable[PhotoJob], settings: BatchSettings, log: BatchLog) -> tuple[list[PhotoJob], int]:
    """The jobs an earlier run has not finished (same input, mask and settings, output still
    there), and how many it had."""
    finished = log.finished()
    todo, skipped = [], 0
    for job in jobs:
        record = finished.get(job.name)
        if record and _still_valid(record, job, settings):
            skipped += 1
        else:
            todo.append(job)
    return todo, skipped


def _still_valid(record: dict[str, Any], job: PhotoJob, settings: BatchSettings) -> bool:
    if record.get("mask_source") == REVIEWED:  # a person's result, from the app's folder review
        return reviewed_and_kept(record, job)
    if record.get("settings") != settings.recorded() or record.get("output") != job.output_name:
        return False
    if not job.output.exists():
        return False
    return record.get("input_sha256") == file_digest(job.photo) and record.get("mask_sha256") == file_digest(job.mask)


def run_batch(jobs: list[PhotoJob], settings: BatchSettings, log: BatchLog, *, weights: Path, device: str = "auto",
              workers: int = 1, ray_address: Optional[str] = None, finder: Optional[Path] = None,
              report: Optional[Report] = None) -> BatchSummary:
    """Do every job an earlier run of this batch has not finished (photos without a mask masked
    by the tattoo finder in the file ``finder``, when given), with ``workers`` processes
    (1: in this process) or, given ``ray_address``, on that Ray cluster (``batch/on_ray.py``;
    ``workers`` actors, None: as many as it has room for), recording each outcome in ``log``
    as it arrives."""
    todo, skipped = still_to_do(jobs, settings, log)
    if (ray_address or workers > 1) and todo:
        load_models(weights, finder, "cpu")  # a bad file is one error here, not a pool of failing workers
    summary = BatchSummary(skipped=skipped)
    ours = {record.get("output") for record in log.records() if record.get("status") in ("done", "copied")}
    tasks = [(job, job.output_name in ours) for job in todo]
    if ray_address and tasks:
        from .on_ray import on_ray

        outcomes = on_ray(tasks, settings, (weights, finder), device, ray_address, workers)
    elif workers <= 1 or len(tasks) <= 1:
        outcomes = _in_this_process(tasks, settings, (weights, finder), device)
    else:
        outcomes = _in_workers(tasks, settings, (weights, finder), device, workers)
    for record in outcomes:
        log.append(record)
        summary.records.append(record)
        if report:
            report(len(summary.records), len(tasks), record)
    return summary


def _in_this_process(tasks: list[tuple[PhotoJob, bool]], settings: BatchSettings, models: Models,
                     device: str) -> Iterator[dict[str, Any]]:
    if not tasks:
        return
    generator, finder = load_models(*models, device)
    for job, ours in tasks:
        yield process(job, settings, generator, finder=finder, ours=ours)


# Each worker process holds its generator here, loaded once by the pool's initializer.
_worker_state: dict[str, Any] = {}


def _start_worker(settings: BatchSettings, models: Models, device: str, threads: int) -> None:
    import signal

    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle: it ends the pool
    torch.set_num_threads(threads)
    _worker_state["settings"] = settings
    _worker_state["generator"], _worker_state["finder"] = load_models(*models, device)


def _work(task: tuple[PhotoJob, bool]) -> dict[str, Any]:
    job, ours = task
    return process(job, _worker_state["settings"], _worker_state["generator"], finder=_worker_state["finder"],
                   ours=ours)


def _in_workers(tasks: list[tuple[PhotoJob, bool]], settings: BatchSettings, models: Models, device: str,
                workers: int) -> Iterator[dict[str, Any]]:
    threads = max(1, (os.cpu_count() or 1) // workers)
    # Fresh interpreters: a forked copy of a process holding torch's thread pools can hang.
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(workers, initializer=_start_worker, initargs=(settings, models, device, threads))
    try:
        yield from pool.imap_unordered(_work, tasks)
        pool.close()
    except BaseException:
        pool.terminate()  # Ctrl+C or SIGTERM: the photos in progress are redone next time
        raise
    finally:
        pool.join()
