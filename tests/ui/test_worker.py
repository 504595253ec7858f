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
    the later one's result is delivered, whichever finishes first."""
    import threading

    from skingan_desktop.ui.worker import LatestJob

    delivered: list[tuple] = []
    slot = LatestJob(lambda result, context: delivered.append(("done", result, context)),
                     lambda message, context: delivered.append(("failed", message, context)))
    release = threading.Event()
    slot.start(lambda: release.wait(10) and "slow first", "first")
    slot.start(lambda: "second", "second")
    qtbot.waitUntil(lambda: bool(delivered), timeout=10_000)
    release.set()
    qtbot.wait(300)
    assert delivered == [("done", "second", "second")] and not slot.busy

    def broken():
        raise OSError("disk gone")
    slot.start(broken, "third")
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=10_000)
    assert delivered[1] == ("failed", "disk gone", "third")
