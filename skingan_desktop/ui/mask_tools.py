"""The mask tools that think: Snap to ink, Add ink by clicking and Find tattoos. Each runs in the
background on a copy of the photo and mask (``engine/ink.py``, ``engine/ink_at.py``,
``finder/``); its result replaces the mask undoably, unless the photo or the mask changed
meanwhile, and the status bar says what happened. The latest asked for wins (``ui/jobs.py``).
No tensor maths here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal, SignalInstance

from ..engine.ink import snap_to_ink
from ..engine.ink_at import ink_at
from ..finder.find import find_tattoos
from .jobs import MASK_TOOL

if TYPE_CHECKING:
    from .main_window import MainWindow

# What a finished tool makes of its result and the mask it started from: the new mask (None:
# unchanged) and what the status bar says.
Finish = Callable[[Any, np.ndarray], tuple[Optional[np.ndarray], str]]


class MaskTools(QObject):
    mask_snapped = Signal(bool)   # snap to ink ended: the mask was replaced (True) or left as it was
    ink_added = Signal(bool)      # add ink by clicking ended: ink was added (True) or not
    tattoos_found = Signal(bool)  # find tattoos ended: what was found was added (True) or not

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.finder = None  # the tattoo finder, loaded on first use and kept

    def snap_to_ink(self) -> None:
        """The mask becomes the ink under it, with its halo."""
        def finish(ink: np.ndarray, brushed: np.ndarray) -> tuple[np.ndarray, str]:
            share = ink.sum() / max(int((brushed > 0).sum()), 1)
            return ink, f"The mask now covers the ink: {share:.0%} of the area brushed over."
        self._run(snap_to_ink, "Finding the ink under the mask…", finish, self.mask_snapped, "Snap mask to ink")

    def add_ink_at(self, x: int, y: int) -> None:
        """The piece of ink at photo point ``(x, y)`` joins the mask."""
        def finish(grown: np.ndarray, before: np.ndarray) -> tuple[np.ndarray, str]:
            return grown, f"Added the ink at the click ({int(grown.sum() - (before > 0).sum())} px)."
        self._run(lambda photo, mask: ink_at(photo, (x, y), mask), "Finding the ink where you clicked…", finish,
                  self.ink_added, "Add ink")

    def find_tattoos(self) -> None:
        """What the tattoo finder sees in the whole photo is added to the mask."""
        finder, device = self.finder, self.window.settings.device

        def finish(found: tuple, before: np.ndarray) -> tuple[Optional[np.ndarray], str]:
            self.finder, finding = found
            return (finding.mask | (before > 0)) if finding.found else None, finding.summary()
        self._run(lambda photo, _mask: find_tattoos(photo, finder, device), "Looking for tattoos in the photo…",
                  finish, self.tattoos_found, "Find tattoos")

    def _run(self, work: Callable[[np.ndarray, np.ndarray], Any], working: str, finish: Finish,
             ended: SignalInstance, edit: str) -> None:
        """Run ``work(photo, mask)`` in the background; ``finish`` makes the new mask of its
        result, pushed as the undoable step ``edit``; ``ended`` says whether the mask changed."""
        window = self.window
        mask = window.mask_array()
        if window.photo is None or mask is None:
            return
        window.show_status(working)
        window.jobs.start(MASK_TOOL, partial(work, window.photo.copy(), mask > 0),
                          partial(self._finished, window.photo, mask, finish, ended, edit),
                          partial(self._failed, ended), partial(ended.emit, False))  # superseded: ended, no change

    def _finished(self, photo: np.ndarray, mask: np.ndarray, finish: Finish, ended: SignalInstance, edit: str,
                  result: Any) -> None:
        window = self.window
        if photo is not window.photo or not np.array_equal(window.mask_array(), mask):
            window.show_status("The photo or the mask changed meanwhile: try again.")
            ended.emit(False)
            return
        new_mask, said = finish(result, mask)
        if new_mask is not None:
            window.replace_mask(np.where(new_mask, 255, 0).astype(np.uint8), edit)
        window.show_status(said)
        ended.emit(new_mask is not None)

    def _failed(self, ended: SignalInstance, message: str) -> None:
        self.window.show_status(message)
        ended.emit(False)
