"""Reviewing a folder in the window: File > Open folder shows its photos in a filmstrip; each
photo opens with the mask it has (its own, or one a batch found), or the tattoo finder looks for
one; the user corrects it, runs, applies, and File > Save result and next writes the result to
the output folder, records it in the batch's record and opens the next photo to do. ``PgDn`` and
``PgUp`` step through the folder. What is reviewed here, ``skingan-desktop batch`` leaves alone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from ..batch.log import FINISHED
from ..batch.plan import BatchError
from ..batch.review import FolderReview
from ..io.photos import changed_pixels
from .filmstrip import Filmstrip, state_text

if TYPE_CHECKING:
    from .main_window import MainWindow


class FolderReviewPanel(QObject):
    """The filmstrip dock and the steps of a review, driving the window's own actions."""

    photo_ready = Signal(int)   # photo ``index`` of the folder is on the canvas with its starting mask
    folder_done = Signal()      # the last photo to do was saved

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.review: Optional[FolderReview] = None
        self.index: Optional[int] = None
        self._opening: Optional[tuple[int, Path, Optional[Path]]] = None
        self._started = 0.0
        self.filmstrip = Filmstrip()
        self.filmstrip.photo_chosen.connect(self.go_to)
        self.dock = QDockWidget("Folder", window)
        self.dock.setObjectName("folder")
        self.dock.setWidget(self.filmstrip)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        window.photo_opened.connect(self._photo_opened)
        window.tattoos_found.connect(self._searched)
        self._searching = False  # the finder is looking at a photo the review opened

    @property
    def active(self) -> bool:
        return self.review is not None

    def ask_open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a folder of photos to review")
        if not folder:
            return
        suggestion = str(Path(folder).with_name(Path(folder).name + "-clean"))
        out, ok = QInputDialog.getText(self.window, "Cleaned photos", "Write the cleaned photos to:",
                                       QLineEdit.EchoMode.Normal, suggestion)
        if not ok or not out.strip():
            return
        recursive = False
        if any(path.is_dir() for path in Path(folder).iterdir()):
            answer = QMessageBox.question(self.window, "Sub-folders",
                                          "Review the photos in its sub-folders too? (Their results go to the "
                                          "same sub-folders of the output folder.)")
            recursive = answer == QMessageBox.StandardButton.Yes
        self.open_folder(Path(folder), Path(out.strip()), recursive=recursive)

    def open_folder(self, in_dir: Path, out_dir: Path, *, recursive: bool = False) -> bool:
        """Show ``in_dir``'s photos (results go to ``out_dir``) and open the first one to do."""
        try:
            review = FolderReview(in_dir, out_dir, recursive=recursive)
        except BatchError as exc:
            self.window.show_error(str(exc))
            return False
        if not len(review):
            self.window.show_error(f"There is no photo in {in_dir}.")
            return False
        self.review = review
        photos = review.photos()
        self.filmstrip.show_photos(f"{Path(in_dir).name}: {len(photos)} photos, results to {out_dir}",
                                   [p.name for p in photos], [p.job.photo for p in photos],
                                   [state_text(p.status, p.mask is not None) for p in photos])
        self.dock.show()
        self.window.update_actions()
        self.go_to(next((i for i, p in enumerate(photos) if p.status not in FINISHED), 0))
        return True

    def step(self, by: int) -> None:
        if self.review is not None and self.index is not None:
            self.go_to(min(max(self.index + by, 0), len(self.review) - 1))

    def go_to(self, index: int) -> None:
        """Open photo ``index`` of the folder (asking first if the current one has unsaved edits)."""
        if self.review is None or not 0 <= index < len(self.review):
            return
        if index == self.index and self._opening is None and self.window.photo is not None:
            return
        if not self._may_leave():
            self.filmstrip.select(self.index or 0)
            return
        photo = self.review.photo(index)
        self.index = index
        self.filmstrip.select(index)
        self._opening = (index, photo.job.photo, photo.mask)
        self.window.open_photo(photo.job.photo)

    def _may_leave(self) -> bool:
        if self.index is None or not self.window.has_unsaved_edits:
            return True
        answer = QMessageBox.question(self.window, "Leave this photo?",
                                      "This photo's edits are not saved to the output folder. Leave it anyway?")
        return answer == QMessageBox.StandardButton.Yes

    def _photo_opened(self, path: Path) -> None:
        opening, self._opening = self._opening, None
        if opening is None or Path(path) != opening[1]:
            return
        index, _, mask = opening
        self._started = time.monotonic()
        if mask is not None and self.window.load_mask_file(mask):
            self.window.mark_saved()  # the starting mask is no edit of the user's
            self.window.show_status(f"{path.name}: its mask is on; check it, then run.")
        elif mask is None:
            self._searching = True
            self.window.find_tattoos()  # the status bar tells what it found
        self.photo_ready.emit(index)

    def _searched(self, _found: bool) -> None:
        if self._searching:
            self._searching = False
            self.window.mark_saved()  # the found mask is the photo's starting mask, not an edit

    def save_and_next(self) -> bool:
        """Write the photo as it now is to its output, record it, and open the next one to do."""
        window = self.window
        if self.review is None or self.index is None or window.photo is None or window.photo_file is None:
            return False
        job = self.review.jobs[self.index]
        if window.photo_path is None or window.photo_path.resolve() != job.photo.resolve():
            window.show_status(f"The open photo is not {job.name} of the folder: go back to it in the filmstrip.")
            return False
        job.output.parent.mkdir(parents=True, exist_ok=True)
        if not window.export_to(job.output):
            return False
        changed = changed_pixels(window.photo_file, window.photo)
        record = self.review.record_export(self.index, changed=bool(changed.any()), filled_share=float(changed.mean()),
                                           seconds=time.monotonic() - self._started)
        window.mark_saved()
        self.filmstrip.set_state(self.index, job.name, state_text(record["status"], False))
        statuses = [self.review.photo(i).status for i in range(len(self.review))]
        after = [i for i in range(self.index + 1, len(statuses)) if statuses[i] not in FINISHED]
        before = [i for i in range(self.index) if statuses[i] not in FINISHED]
        following = (after or before or [None])[0]
        if following is None:
            window.show_status(f"Saved {job.output_name}: every photo of the folder is done.")
            self.folder_done.emit()
        else:
            window.show_status(f"Saved {job.output_name}.")
            self.go_to(following)
        return True
