"""The C allocator, tuned while the engine allocates the same large tensors again and again.

glibc serves every block over 32 MB with a fresh ``mmap`` and unmaps it when freed, so each
refinement iteration page-faults its gigabytes of activations in again: 13 % of the refined
1024 result's time on the 2-core CPU (224 -> 194 s, BENCHMARKS.md). Inside
:func:`reusing_freed_memory`, freed blocks stay in the process and the next iteration reuses
them; on leaving it, glibc's limits come back and the free memory goes back to the system, so
the app does not sit on a job's peak. :func:`share_one_arena` (once, at start) makes the worker
thread allocate from the same heap as the rest. All of it does nothing where the C library is
not glibc (Windows, macOS); CUDA memory has its own caching allocator.

Inside it, NumPy also stops asking the kernel for transparent huge pages for its arrays. Where
the kernel's THP setting is ``madvise`` with ``defrag`` ``madvise`` (Ubuntu's and this VM's),
the kernel may compact memory on the spot for each huge page such an array first touches: the
26 MP photo's first result took 3.4 s with the advice and 2.9 s without it on the 2-core VM
(medians of five fresh processes each, BENCHMARKS.md), and a second run in the same process
was no faster with it. Within a job the heap's pages are reused anyway.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from contextlib import contextmanager
from functools import cache
from typing import Iterator, Optional

# mallopt parameters and glibc's defaults for them (malloc.h, malloc.c)
M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD = -1, 128 * 1024
M_MMAP_MAX, DEFAULT_MMAP_MAX = -4, 65536
M_ARENA_MAX = -8

_lock = threading.Lock()
_depth = 0  # jobs inside reusing_freed_memory (the app runs one at a time, a script may nest)


try:  # NumPy's switch for MADV_HUGEPAGE on array data (private; NumPy's global-state page documents it)
    from numpy._core.multiarray import _set_madvise_hugepage
except ImportError:  # pragma: no cover - NumPy < 2, or a NumPy without it
    try:
        from numpy.core.multiarray import _set_madvise_hugepage
    except ImportError:
        _set_madvise_hugepage = None

_huge_pages_before = True  # NumPy's setting when the outermost job began


@cache
def _glibc() -> Optional[ctypes.CDLL]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's name; musl's differs
        libc.gnu_get_libc_version, libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


def share_one_arena() -> bool:
    """All threads allocate from one heap, so memory a job freed in the worker thread is there
    for its next step and for the next job. Call once, early: it only binds threads that have
    not allocated yet. Returns whether it applied."""
    libc = _glibc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, 1) == 1


@contextmanager
def reusing_freed_memory() -> Iterator[None]:
    """Large blocks come from the heap and stay there when freed, for reuse, and NumPy asks for
    no huge pages; on leaving, the defaults return and the free memory is given back to the
    system."""
    global _depth, _huge_pages_before
    libc = _glibc()
    if libc is None:
        yield
        return
    with _lock:
        if _depth == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
            if _set_madvise_hugepage is not None:
                _huge_pages_before = _set_madvise_hugepage(False)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:  # (glibc no longer moves its mmap threshold by itself after this)
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)
                if _set_madvise_hugepage is not None:
                    _set_madvise_hugepage(_huge_pages_before)
