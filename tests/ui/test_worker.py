"""Background jobs: a job's result always arrives as that job's, even when other jobs start
between its end and the GUI thread's turn to handle it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from skingan_desktop.ui.worker import CallJob, start_in_thread


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[object, object]] = []

    @Slot(object)
    def done(self, value: object) -> None:
        self.got.append((value, self.sender()))


def test_a_job_is_kept_until_its_result_has_been_delivered(qtbot) -> None:
    receiver = _Receiver()
    first = CallJob(lambda: "first")
    first.finished.connect(receiver.done)
    start_in_thread(first).wait()  # it has ended; its result waits for the GUI thread
    del first                      # only the worker module holds it now
    second = CallJob(lambda: "second")
    second.finished.connect(receiver.done)
    start_in_thread(second)        # starting a job releases ended ones: not this one yet
    qtbot.waitUntil(lambda: len(receiver.got) == 2, timeout=10_000)
    assert sorted(value for value, _ in receiver.got) == ["first", "second"]
    assert all(sender is not None for _, sender in receiver.got)  # each result came from its own job


def test_the_latest_job_in_a_slot_wins(qtbot) -> None:
    """Two requests in one slot (a photo opened, then another before the first decoded): only
    the later one's result is delivered, whichever finishes first; the earlier one is told it
    was dropped."""
    import threading

    from skingan_desktop.ui.jobs import JobSlots

    slots, delivered = JobSlots(), []
    release = threading.Event()
    slots.start("decode", lambda: release.wait(10) and "slow first", lambda r: delivered.append(("done", r)),
                lambda m: delivered.append(("failed", m)), lambda: delivered.append(("dropped", "first")))
    slots.start("decode", lambda: "second", lambda r: delivered.append(("done", r)),
                lambda m: delivered.append(("failed", m)))
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=10_000)
    release.set()
    qtbot.wait(300)
    assert delivered == [("dropped", "first"), ("done", "second")] and not slots.busy("decode")

    def broken():
        raise OSError("disk gone")
    slots.start("decode", broken, delivered.append, lambda m: delivered.append(("failed", m)))
    qtbot.waitUntil(lambda: len(delivered) == 3, timeout=10_000)
    assert delivered[2] == ("failed", "disk gone")


def test_a_queued_slot_finishes_each_write_and_runs_only_the_newest_waiting_one(qtbot) -> None:
    """The recovery file: a write in progress is never superseded; of the requests made while
    it runs, only the newest follows it."""
    import threading

    from skingan_desktop.ui.jobs import JobSlots

    slots, written, dropped = JobSlots(queued=("autosave",)), [], []
    release = threading.Event()
    slots.start("autosave", lambda: release.wait(10) and "first", written.append, dropped.append)
    for name in ("second", "third"):
        slots.start("autosave", lambda name=name: name, written.append, dropped.append,
                    lambda name=name: dropped.append(name))
    assert slots.busy("autosave") and dropped == ["second"]
    release.set()
    qtbot.waitUntil(lambda: not slots.busy("autosave"), timeout=10_000)
    assert written == ["first", "third"]


def test_a_dropped_job_is_cancelled_and_nothing_it_sends_is_delivered(qtbot) -> None:
    import threading

    from PySide6.QtCore import Signal

    from skingan_desktop.ui.jobs import JobSlots

    class Cancellable(QObject):
        finished, failed = Signal(object), Signal(str)

        def __init__(self) -> None:
            super().__init__()
            self.stop = threading.Event()

        def cancel(self) -> None:
            self.stop.set()

        @Slot()
        def run(self) -> None:
            self.finished.emit("cancelled" if self.stop.wait(10) else "ran out")

    slots, delivered = JobSlots(), []
    job = slots.start("inference", Cancellable(), delivered.append, delivered.append)
    assert slots.is_current("inference", job)
    slots.drop("inference")
    qtbot.waitUntil(lambda: job.stop.is_set(), timeout=5_000)
    qtbot.wait(300)
    assert delivered == [] and not slots.is_current("inference", job) and not slots.busy("inference")
