"""The batch's photos done on a Ray cluster: one actor per worker holds the generator (on a GPU
where the cluster has them) and does photos one by one; the driver records each outcome as it
arrives, so the record and the resume are those of a local batch.

The photos, masks and output folder must be at the same path on every node (shared storage).
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from .job import BatchSettings, Models, load_models, process
from .plan import BatchError, PhotoJob

INSTALL_HINT = "Ray is not installed; install it with: pip install 'skingan-desktop[cluster]'"


class _PhotoWorker:
    """A Ray actor: the generator, loaded once, and the batch's settings."""

    def __init__(self, settings: BatchSettings, models: Models, device: str, threads: Optional[int]) -> None:
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.settings = settings
        self.generator, self.finder = load_models(*models, device)

    def fill(self, job: PhotoJob, ours: bool) -> dict[str, Any]:
        return process(job, self.settings, self.generator, finder=self.finder, ours=ours)


def _ray():
    try:
        import ray
    except ImportError:
        raise BatchError(INSTALL_HINT) from None
    return ray


def on_ray(tasks: list[tuple[PhotoJob, bool]], settings: BatchSettings, models: Models, device: str,
           address: str, workers: Optional[int]) -> Iterator[dict[str, Any]]:
    """Do ``tasks`` on the Ray cluster at ``address`` (``"auto"``: the one this machine is part
    of; ``"local"``: a new Ray instance on this machine alone), with ``workers`` actors (default: one per GPU, else one per two
    CPUs), yielding each record as it is done."""
    ray = _ray()
    if not ray.is_initialized():
        try:
            ray.init(address=None if address == "local" else address, log_to_driver=False,
                     include_dashboard=False, ignore_reinit_error=True)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            reason = str(exc).splitlines()[0].split(". Please")[0].rstrip(".")
            raise BatchError(f"Could not reach a Ray cluster at '{address}' ({reason}): start one with "
                             "'ray start --head', or use --ray local for this machine alone.") from None
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
    use_gpu = gpus > 0 and device != "cpu"
    count = workers or (gpus if use_gpu else max(1, cpus // 2))
    per_actor = {"num_gpus": 1} if use_gpu else {"num_cpus": max(1, cpus // count)}
    threads = None if use_gpu else per_actor["num_cpus"]
    actor = ray.remote(**per_actor)(_PhotoWorker)
    actors = [actor.remote(settings, models, "cuda" if use_gpu else "cpu", threads) for _ in range(count)]
    pool = ray.util.ActorPool(actors)
    try:
        yield from pool.map_unordered(lambda worker, task: worker.fill.remote(*task), tasks)
    finally:
        for handle in actors:
            ray.kill(handle)
