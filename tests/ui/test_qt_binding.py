"""The Qt binding itself keeps Python's reference counts: PySide6 6.12.0 dropped a reference to
None at every call of a method that returns nothing, and on Python 3.11 (where None is not yet
immortal) the app aborted with "deallocating None" once the references it holds (about 60,000)
were used up: in a long retouching session, or within a minute of a loop of processEvents."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_calls_that_return_nothing_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(300):
        label.setText("skin")
        QApplication.processEvents()
    lost = before - sys.getrefcount(None)
    assert lost < 100, (f"this PySide6 loses a reference to None per call ({lost} in 600 calls); "
                        "the app would abort: install another PySide6-Essentials version")
