"""Long work off the GUI thread: a QObject moved to a QThread, reporting by signals."""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..engine.models import is_out_of_memory
from ..engine.runner import Inpainter, RegionResult


def _describe(exc: BaseException) -> str:
    if is_out_of_memory(exc):
        return "Out of memory: try a smaller mask, turn refinement off, or switch the device to CPU."
    return str(exc) or type(exc).__name__


class CallJob(QObject):
    """Runs ``fn()`` once; ``finished(result)`` or ``failed(message)``."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn

    @Slot()
    def run(self) -> None:
        # The job object outlives its run (see _RUNNING): let go of its inputs (a snapshot of a
        # 24 MP photo is 72 MB) as soon as the work is done.
        fn, self._fn = self._fn, None
        try:
            result = fn()
        except Exception as exc:  # reported to the user as a dialog; the app keeps running
            self.failed.emit(_describe(exc))
        else:
            self.finished.emit(result)


class InpaintJob(QObject):
    """One inpainting run on a snapshot of the photo and mask (later edits do not affect it)."""

    preview_ready = Signal(int, object)   # region index, RegionResult with the 512 result
    progress = Signal(str, int, int)      # stage, step, total
    finished = Signal(object)             # list[RegionResult], or None when cancelled
    failed = Signal(str)
    notice = Signal(str)                  # a fallback the user should know about (out of memory)

    def __init__(self, inpainter: Inpainter, photo: np.ndarray, hole: np.ndarray,
                 alpha: Optional[np.ndarray] = None) -> None:
        super().__init__()
        self.inpainter, self._photo, self._hole, self._alpha = inpainter, photo, hole, alpha
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Thread-safe: the run stops before its next refinement iteration."""
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        def preview(index: int, result: RegionResult) -> None:
            self.preview_ready.emit(index, result)

        photo, hole, alpha = self._photo, self._hole, self._alpha
        self._photo = self._hole = self._alpha = None  # not kept after the run
        try:
            results = self.inpainter.run(photo, hole, on_preview=preview, progress=self.progress.emit,
                                          cancel=self._cancel, on_notice=self.notice.emit, alpha=alpha)
        except Exception as exc:
            self.failed.emit(_describe(exc))
        else:
            self.finished.emit(results)


# Threads and their jobs stay referenced here until they end, so closing a window while a job
# runs never destroys a running QThread (which would abort the process), and until the job's
# last signal has reached the GUI thread: a job released before its queued result is delivered
# would send it as ``None``, and the receiver could not tell whose result it is.
_RUNNING: set[tuple[QThread, QObject]] = set()
_DELIVERED: set[int] = set()  # id() of jobs whose finished or failed signal the GUI thread has handled


class _Delivery(QObject):
    """Lives on the GUI thread; its slots run after the receivers connected before them."""

    @Slot(object)
    def finished(self, _result: Any) -> None:
        _DELIVERED.add(id(self.sender()))

    @Slot(str)
    def failed(self, _message: str) -> None:
        _DELIVERED.add(id(self.sender()))


_delivery: list[_Delivery] = []


def start_in_thread(job: QObject) -> QThread:
    """Move ``job`` to a new thread, start it, and release both once the job has ended and its
    result has been delivered."""
    if not _delivery:
        _delivery.append(_Delivery())  # made on the GUI thread, the first time a job starts
    thread = QThread()
    job.moveToThread(thread)
    thread.started.connect(job.run)
    for signal in (job.finished, job.failed):
        # Direct: quit from the worker thread itself. Queued to the GUI thread (the default, as
        # the QThread object lives there) it would never arrive while the GUI waits for it.
        signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    job.finished.connect(_delivery[0].finished, Qt.ConnectionType.QueuedConnection)
    job.failed.connect(_delivery[0].failed, Qt.ConnectionType.QueuedConnection)
    for done in [entry for entry in _RUNNING if entry[0].isFinished() and id(entry[1]) in _DELIVERED]:
        _RUNNING.discard(done)  # released here, on the GUI thread, never from inside a thread
        _DELIVERED.discard(id(done[1]))
    _RUNNING.add((thread, job))
    thread.start()
    return thread


def wait_for_all() -> None:
    """Block until every job thread has ended (used when the app closes, after cancelling).

    No time limit: a thread still running when Python exits aborts the process, and a
    cancelled refinement stops only after its current iteration, which can take many seconds
    on a CPU."""
    for thread, _ in list(_RUNNING):
        thread.wait()
