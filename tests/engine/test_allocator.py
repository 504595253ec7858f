"""Freed tensor memory is reused within an engine job and handed back to the system after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from skingan_desktop.engine.allocator import _glibc
from tests.conftest import REPO

PROBE = textwrap.dedent("""
    import contextlib, resource, sys, threading
    import torch
    from skingan_desktop.engine.allocator import reusing_freed_memory, share_one_arena

    tuned = sys.argv[1] == "tuned"
    if tuned:
        assert share_one_arena()  # at start, as skingan-desktop does

    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    def resident_mb():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    def job():  # in a worker thread, as the app runs the engine: the same steps, step after step
        with reusing_freed_memory() if tuned else contextlib.nullcontext():
            x = torch.rand(1, 64, 512, 512)  # 64 MB activations
            weight = torch.rand(64, 64, 3, 3)
            counts = []
            for _ in range(5):
                before = faults()
                y = torch.nn.functional.conv2d(x, weight, padding=1)
                z = torch.relu(y) + x
                del y, z
                counts.append(faults() - before)
            del x
            print(counts[0], max(counts[-2:]), round(resident_mb()))  # the heap settles within a few steps

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    print(round(resident_mb()))
""")


def probe(mode: str) -> tuple[int, int, int, int]:
    """Page faults of the first step and the worse of the last two; resident MB at the end of
    the job and after it."""
    result = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    during, after = result.stdout.strip().splitlines()
    first, later, resident = (int(v) for v in during.split())
    return first, later, resident, int(after)


@pytest.mark.skipif(_glibc() is None, reason="the allocator setting applies to glibc only")
def test_large_blocks_are_reused_then_released() -> None:
    first, later, resident, after = probe("tuned")
    assert first > 40_000 and later < 0.01 * first  # later steps reuse the memory: no faulting in
    assert after < resident - 100  # the job's free memory goes back to the system after it

    first, later, _, _ = probe("default")
    assert later > 0.9 * first  # glibc's default faults every large block in again


@pytest.mark.skipif(_glibc() is None, reason="the allocator setting applies to glibc only")
def test_numpy_asks_for_no_huge_pages_during_a_job() -> None:
    multiarray = pytest.importorskip("numpy._core.multiarray")
    if not hasattr(multiarray, "_get_madvise_hugepage"):
        pytest.skip("this NumPy has no huge-page switch")
    from skingan_desktop.engine.allocator import reusing_freed_memory

    before = multiarray._get_madvise_hugepage()
    with reusing_freed_memory():
        assert not multiarray._get_madvise_hugepage()
        with reusing_freed_memory():  # a script's nested job
            assert not multiarray._get_madvise_hugepage()
        assert not multiarray._get_madvise_hugepage()  # the outer job is still running
    assert multiarray._get_madvise_hugepage() == before
