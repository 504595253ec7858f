"""The photo's work kept safe: the recovery file written after every edit, the unsaved edits of
a photo that another one replaces, and File > Save session / Open session.

A session is the document's History (``RetouchDocument.session``: every step's pixels, which
are never written to again, so a worker thread may write them while editing goes on), one
recovery write at a time (the queued ``autosave`` slot of ``ui/jobs.py``): an edit made during
a write is saved after it. At the next start, after a crash or a close with edits not
exported, the recovery file is offered back (``offer_recovery``); a restored session comes
back with its History, each step undoable.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..io.photos import PhotoError, read_photo
from ..io.session import (
    SESSION_SUFFIX, DamagedRecovery, Session, default_session_path, load_session, read_session_header,
    recovery_candidate, save_session,
)
from ..document.retouch import RetouchDocument
from .jobs import AUTOSAVE
from .worker import CallJob, start_in_thread

if TYPE_CHECKING:
    from .main_window import MainWindow


class SessionKeeper(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.kept_edits: Optional[Path] = None  # where the last replaced photo's unsaved edits went
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.autosave)
        window.undo_stack.indexChanged.connect(lambda _: self._timer.start())

    def edited(self) -> None:
        """Something changed (a new photo on the canvas): autosave shortly."""
        self._timer.start()

    def snapshot(self) -> Session:
        """The session as it stands (nothing copied: a step's pixels never change)."""
        assert self.window.document is not None
        return self.window.document.session()

    def keep_unsaved_edits(self) -> None:
        """Before another photo replaces this one: its unsaved edits go to a session file of
        their own (in the background; every such write runs, none supersedes another);
        ``kept_edits`` says where."""
        window = self.window
        assert window.photo_path is not None and window.photo_file is not None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = window.settings.data_dir / "unsaved" / f"{window.photo_path.stem}-{stamp}{SESSION_SUFFIX}"
        self.kept_edits = path
        path.parent.mkdir(parents=True, exist_ok=True)
        job = CallJob(partial(save_session, path, self.snapshot()))
        job.failed.connect(lambda message: window.show_error(f"The unsaved edits could not be kept: {message}"))
        start_in_thread(job)

    # --- the recovery file ------------------------------------------------------------------
    def autosave(self) -> None:
        """Write the recovery file (mask and applied edits) in a worker thread."""
        window = self.window
        if window.document is None:
            return
        window.jobs.start(AUTOSAVE, partial(save_session, window.settings.recovery_path, self.snapshot()),
                          lambda _path: None, self._failed)

    @property
    def pending(self) -> bool:
        """True while an edit is not yet in the recovery file."""
        return self.window.jobs.busy(AUTOSAVE) or self._timer.isActive()

    def _failed(self, message: str) -> None:
        self.window.show_status(f"Autosave failed: {message}")

    def stop(self) -> None:
        """No more autosaves (the window closes)."""
        self._timer.stop()
        self.window.jobs.drop(AUTOSAVE)  # a write in progress still ends (the window waits for it)

    def closing(self) -> None:
        """The window closes (every job has ended): edits not exported stay in the recovery
        file for the next start to offer, as after a crash; without them it goes."""
        self.stop()
        window = self.window
        if window.has_unsaved_edits:
            try:
                save_session(window.settings.recovery_path, self.snapshot())
            except PhotoError:
                pass  # the last autosave stays
        else:
            window.settings.recovery_path.unlink(missing_ok=True)  # nothing left to recover

    def offer_recovery(self) -> None:
        """At start, after a crash or a close that left edits not exported, offer to restore
        the last session from the recovery file."""
        window = self.window
        try:
            header = recovery_candidate(window.settings.recovery_path)
        except DamagedRecovery as exc:
            QMessageBox.warning(window, "Recovery file damaged", str(exc))
            return
        if header is None:
            return
        answer = QMessageBox.question(
            window, "Restore your work?",
            f"The mask and edits of {Path(header['photo']).name} were not exported when SkinGAN Desktop last "
            "closed. Restore them?")
        if answer == QMessageBox.StandardButton.Yes:
            self.open_session_file(window.settings.recovery_path)
        else:
            window.settings.recovery_path.unlink(missing_ok=True)

    # --- session files ----------------------------------------------------------------------
    def save_session_file(self, path: Path) -> bool:
        window = self.window
        if window.document is None:
            return False
        try:
            save_session(path, self.snapshot())
        except PhotoError as exc:
            window.show_error(str(exc))
            return False
        window.mark_saved()
        window.show_status(f"Session saved to {path}")
        return True

    def open_session_file(self, path: Path) -> bool:
        window = self.window
        try:
            header = read_session_header(path)
            photo_file = read_photo(header["photo"])
            session = load_session(path, photo_file.rgb8)
        except PhotoError as exc:
            window.show_error(str(exc))
            return False
        window.show_document(RetouchDocument.restored(photo_file, session))
        steps = len(session.steps)
        window.show_status(f"Session {Path(path).name} restored: "
                           f"{steps} step{'s' if steps != 1 else ''} in the History")
        return True

    def ask_save_session(self) -> None:
        window = self.window
        if window.photo_path is None:
            return
        path, _ = QFileDialog.getSaveFileName(window, "Save session", str(default_session_path(window.photo_path)),
                                              f"Sessions (*{SESSION_SUFFIX})")
        if path:
            self.save_session_file(Path(path))

    def ask_open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", f"Sessions (*{SESSION_SUFFIX})")
        if path:
            self.open_session_file(Path(path))
