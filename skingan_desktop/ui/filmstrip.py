"""The filmstrip of a folder under review: a thumbnail per photo with its name and where it
stands (to do, has a mask, done, failed); a click asks for that photo. It shows what it is given
and holds no document state: the review (``batch/review.py``) does."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..io.photos import PhotoError, photo_thumbnail
from .qt_images import photo_to_qimage
from .jobs import THUMBNAILS, JobSlots

THUMBNAIL = 96
MARKS = {"done": "✓ done", "copied": "✓ passed", "error": "✗ failed", "no-mask": "· no mask"}


def _thumbnails(paths: list[Path]) -> list[Optional[np.ndarray]]:
    """Every photo's thumbnail (worker thread); ``None`` for one that cannot be read."""
    made: list[Optional[np.ndarray]] = []
    for path in paths:
        try:
            made.append(photo_thumbnail(path, THUMBNAIL))
        except PhotoError:
            made.append(None)
    return made


class Filmstrip(QWidget):
    photo_chosen = Signal(int)  # the index of the photo the user clicked

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("No folder open")
        self.heading.setWordWrap(True)
        self.strip = QListWidget()  # a column: thumbnail on the left, name and state beside it
        self.strip.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.strip.setUniformItemSizes(True)
        self.strip.setSpacing(3)
        self.strip.itemClicked.connect(lambda item: self.photo_chosen.emit(self.strip.row(item)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.strip)
        self._jobs = JobSlots(self)  # the thumbnails of the folder opened last win

    def show_photos(self, heading: str, names: list[str], paths: list[Path], states: list[str]) -> None:
        """Fill the strip: one item per photo, its thumbnail made in the background."""
        self.heading.setText(heading)
        self.strip.clear()
        for name, state in zip(names, states):
            item = QListWidgetItem(f"{name}\n{state}")
            item.setToolTip(name)
            item.setSizeHint(QSize(THUMBNAIL + 140, THUMBNAIL + 6))
            self.strip.addItem(item)
        self._jobs.start(THUMBNAILS, partial(_thumbnails, list(paths)), self._thumbnails_made, lambda _message: None)

    def _thumbnails_made(self, thumbnails: list[Optional[np.ndarray]]) -> None:
        if len(thumbnails) != self.strip.count():
            return
        for row, thumbnail in enumerate(thumbnails):
            if thumbnail is None:
                pixmap = QPixmap(THUMBNAIL, THUMBNAIL * 3 // 4)
                pixmap.fill(QColor("#888888"))
            else:
                pixmap = QPixmap.fromImage(photo_to_qimage(thumbnail))
            self.strip.item(row).setIcon(QIcon(pixmap))

    def set_state(self, row: int, name: str, state: str) -> None:
        self.strip.item(row).setText(f"{name}\n{state}")

    def select(self, row: int) -> None:
        self.strip.setCurrentRow(row)
        self.strip.scrollToItem(self.strip.item(row))

    def count(self) -> int:
        return self.strip.count()

    def text(self, row: int) -> str:
        return self.strip.item(row).text()


def state_text(status: Optional[str], has_mask: bool) -> str:
    """What the strip says of a photo: its last recorded status, else whether a mask awaits it."""
    if status in MARKS:
        return MARKS[status]
    return "mask ready" if has_mask else "to do"
