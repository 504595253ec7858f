"""The document's History shown through a QUndoStack: the History panel (``QUndoView``), the
Undo and Redo actions and their texts. The stack holds one thin command per step of the
document; undoing or redoing a command undoes or redoes the document, which owns the pixels.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..document.retouch import RetouchDocument


class _Step(QUndoCommand):
    def __init__(self, mirror: "HistoryMirror", text: str) -> None:
        super().__init__(text)
        self._mirror = mirror

    def redo(self) -> None:  # pushed quietly: the step is in the document already
        if self._mirror.document is not None and not self._mirror.quiet:
            self._mirror.document.redo()

    def undo(self) -> None:
        if self._mirror.document is not None and not self._mirror.quiet:
            self._mirror.document.undo()


class HistoryMirror(QObject):
    def __init__(self, stack: QUndoStack) -> None:
        super().__init__(stack)
        self.stack = stack
        self.document: Optional[RetouchDocument] = None
        self.quiet = False  # while the stack is brought to where the document already is (a push, a restore)

    def follow(self, document: Optional[RetouchDocument]) -> None:
        """Show ``document``'s History (a restored one comes with its steps, some perhaps undone)."""
        self.document = document
        self.quiet = True
        try:
            self.stack.clear()  # clean at "Photo as opened"
            if document is not None:
                for edit in document.history.edits:
                    self.stack.push(_Step(self, edit.text))
                self.stack.setIndex(document.history.done)
                if document.history.is_saved:
                    self.stack.setClean()
        finally:
            self.quiet = False
        if document is not None:
            document.watch(self._heard)  # a bound method: the document holds no cycle back to itself

    def _heard(self, layer: str, _region: object) -> None:
        if layer == "step" and self.document is not None:
            self.quiet = True
            try:
                self.stack.push(_Step(self, self.document.history.edits[-1].text))
            finally:
                self.quiet = False

    def mark_saved(self) -> None:
        """The work was exported or kept in a session file: the document and the stack are clean here."""
        if self.document is not None:
            self.document.mark_saved()
            self.stack.setClean()
