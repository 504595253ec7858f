"""The C allocator, tuned for an engine that allocates the same large tensors again and again.

glibc serves every block over 32 MB with a fresh ``mmap`` and unmaps it when freed, so each
refinement iteration page-faults its gigabytes of activations in again: a fifth of the refined
1024 result's time on the 2-core CPU (BENCHMARKS.md). :func:`keep_freed_memory` makes freed
blocks stay in the process for reuse, and :func:`release_free_memory` hands them back to the
system once a job ends, so the app does not sit on the job's peak memory. Both do nothing where
the C library is not glibc (Windows, macOS); CUDA memory has its own caching allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Optional

# mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
M_ARENA_MAX = -8


@cache
def _glibc() -> Optional[ctypes.CDLL]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt, libc.malloc_trim  # glibc has both; musl has neither
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory() -> bool:
    """Serve large blocks from the heap, never trim it by itself, and use one arena for all
    threads (the worker thread's tensors then reuse the same memory). Call once, early: the
    arena limit only binds threads that have not allocated yet. Returns whether it applied."""
    libc = _glibc()
    if libc is None:
        return False
    return all(libc.mallopt(option, value) == 1 for option, value in
               ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1)))


def release_free_memory() -> None:
    """Return the free parts of the heap to the system (after a job)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
