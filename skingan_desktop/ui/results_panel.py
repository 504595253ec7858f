"""The Results panel (View > Results): the runs kept for the mask as it is now, newest last.

Click one to show it in the compare panes; ``Alt+1`` and ``Alt+2`` apply what is shown. After an
applied result is undone, its run is offered again, so the other result can be applied without
running again. The panel only lists and forwards; ``ui/runs.py`` keeps the runs.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..engine.shelf import Run


class ResultsPanel(QDockWidget):
    chosen = Signal(object)  # the Run the user clicked

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("Results", parent)
        self.setObjectName("results")  # so that the window state remembers it
        self.list = QListWidget()
        self.note = QLabel("Each run of a mask stays here until the mask or the photo under it changes.")
        self.note.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(self.note)
        self.setWidget(body)
        self._runs: list[Run] = []
        self.list.itemClicked.connect(lambda item: self.chosen.emit(self._runs[self.list.row(item)]))

    def show_runs(self, runs: list[Run], shown: Optional[Run]) -> None:
        self._runs = list(runs)
        self.list.clear()
        for run in runs:
            item = QListWidgetItem(run.describe())
            item.setToolTip("Click to compare this run's results; Alt+1 or Alt+2 applies one")
            if run is shown:
                item.setData(Qt.ItemDataRole.FontRole, self._bold())
            self.list.addItem(item)
            if run is shown:
                self.list.setCurrentItem(item)

    def mark_shown(self, run: Run) -> None:
        self.show_runs(self._runs, run)

    def texts(self) -> list[str]:
        """What the list shows, top to bottom."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _bold(self):
        font = self.list.font()
        font.setBold(True)
        return font
