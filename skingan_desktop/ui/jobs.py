"""The window's background work, one named slot per kind of job.

Each slot holds at most one job running. In most slots the latest request wins: a job started
while another runs there supersedes it (the older one is cancelled when it can be, and its
result, when it comes, is dropped), so a photo opened after another, a second weights file, a
new run or a second mask tool never lands the older answer. In a *queued* slot (the recovery
file's writes) a job in progress is never cut short: a new request waits for it, and only the
newest waiting request runs after it, since each write holds everything the ones before it held.

``done(result)`` and ``failed(message)`` run on the GUI thread, only for the job still current
in its slot; other signals of a job (progress, a first result) are checked with
:meth:`JobSlots.is_current`. Threads are ``ui/worker.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Union

from PySide6.QtCore import QObject, Slot

from .worker import CallJob, start_in_thread

DECODE, WEIGHTS, INFERENCE, HEAL = "decode", "weights", "inference", "heal"
MASK_TOOL, AUTOSAVE = "mask tool", "autosave"
THUMBNAILS = "thumbnails"  # a folder's filmstrip


@dataclass
class _Request:
    job: QObject  # a CallJob, or any job with ``finished`` and ``failed`` signals (an InpaintJob)
    done: Callable[[Any], None]
    failed: Callable[[str], None]
    dropped: Optional[Callable[[], None]]  # told when a later request or drop() supersedes it


class JobSlots(QObject):
    def __init__(self, parent: Optional[QObject] = None, queued: Iterable[str] = (AUTOSAVE,)) -> None:
        super().__init__(parent)
        self._queued = frozenset(queued)
        self._running: dict[str, _Request] = {}
        self._waiting: dict[str, _Request] = {}

    def start(self, slot: str, work: Union[Callable[[], Any], QObject], done: Callable[[Any], None],
              failed: Callable[[str], None], dropped: Optional[Callable[[], None]] = None) -> QObject:
        """Run ``work`` (a function, or a job object) in ``slot``; returns the job."""
        job = work if isinstance(work, QObject) else CallJob(work)
        request = _Request(job, done, failed, dropped)
        if slot in self._queued and slot in self._running:
            self._tell_dropped(self._waiting.get(slot))
            self._waiting[slot] = request  # an older waiting request is superseded by this one
        else:
            self._supersede(slot)
            self._launch(slot, request)
        return job

    def busy(self, slot: str) -> bool:
        """Whether a job of ``slot`` is running or waiting."""
        return slot in self._running or slot in self._waiting

    def is_current(self, slot: str, job: Optional[QObject]) -> bool:
        """Whether ``job`` (a signal's sender) is the one running in ``slot``."""
        request = self._running.get(slot)
        return job is not None and request is not None and request.job is job

    def drop(self, slot: str) -> None:
        """Stop listening to ``slot``'s job (cancelled when it can be) and forget any waiting one."""
        self._tell_dropped(self._waiting.pop(slot, None))
        self._supersede(slot)

    def _supersede(self, slot: str) -> None:
        request = self._running.pop(slot, None)
        if request is not None and hasattr(request.job, "cancel"):
            request.job.cancel()  # its thread ends on its own; what it sends is no one's now
        self._tell_dropped(request)

    @staticmethod
    def _tell_dropped(request: Optional[_Request]) -> None:
        if request is not None and request.dropped is not None:
            request.dropped()

    def _launch(self, slot: str, request: _Request) -> None:
        self._running[slot] = request
        request.job.finished.connect(self._finished)  # bound methods run on the GUI thread
        request.job.failed.connect(self._failed)
        start_in_thread(request.job)

    def _take(self, job: QObject) -> tuple[Optional[str], Optional[_Request]]:
        for slot, request in self._running.items():
            if request.job is job:
                del self._running[slot]
                return slot, request
        return None, None

    def _next(self, slot: str) -> None:
        waiting = self._waiting.pop(slot, None)
        if waiting is not None and slot not in self._running:
            self._launch(slot, waiting)

    @Slot(object)
    def _finished(self, result: Any) -> None:
        self._deliver(lambda request: request.done(result))

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._deliver(lambda request: request.failed(message))

    def _deliver(self, tell: Callable[[_Request], None]) -> None:
        """Tell the request whose job sent the signal (if it is still its slot's), then start
        the one waiting in that slot."""
        slot, request = self._take(self.sender())
        if request is not None:
            tell(request)
            self._next(slot)
