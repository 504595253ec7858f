"""One photo being retouched: the file as read, the working pixels the user edits, the mask
with its soft edge, the History of every step, and the results shelf. No Qt.

Every change goes through here and becomes a step of the History (an applied result, a heal,
a clone stroke, a mask edit; a brush stroke the canvas painted into the mask array reports
itself with :meth:`RetouchDocument.mask_painted`). Whoever shows the document watches it: each
change is announced with the layer and the rectangle it touched, and every step, undo or redo
with ``"history"``. The photo and mask arrays are the same objects for the document's life
(edited in place), so a view may draw straight from them.

Runs on the shelf are offered only while the mask and the pixels under them are the ones they
were made for, so a stale result cannot be applied; sessions (autosave, File > Save session)
serialise the document, History included (:meth:`session` and :meth:`restored`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..engine.mask_ops import mask_bounds
from ..engine.region import WorkRegion
from ..engine.runner import RegionResult
from ..engine.shelf import ResultsShelf, Run
from ..io.photos import PhotoFile, changed_pixels
from ..io.session import SavedStep, Session
from .history import MASK, PHOTO, Change, Edit, History

HOLE_THRESHOLD = 128  # mask alpha at or above this is hole (a saved mask, grow, snap)
SOFT_EDGE_MIN = 8     # mask alpha from which a run fills a pixel; below 255 the fill is blended by it

Listener = Callable[[str, Optional[WorkRegion]], None]  # (layer or "history", the rectangle or None)


def _whole(shape: tuple[int, ...]) -> WorkRegion:
    return WorkRegion(0, 0, shape[1], shape[0])


class RetouchDocument:
    def __init__(self, photo_file: PhotoFile, photo: Optional[np.ndarray] = None) -> None:
        self.photo_file = photo_file
        self.path = Path(photo_file.path)
        self.photo = np.array(photo_file.rgb8) if photo is None else photo  # (H, W, 3) uint8, edited in place
        if self.photo.shape != photo_file.rgb8.shape or self.photo.dtype != np.uint8:
            raise ValueError("the working photo must be an 8-bit copy of the photo as read")
        self.mask = np.zeros(self.photo.shape[:2], np.uint8)  # alpha 0-255, edited in place
        self.history = History()
        self.shelf = ResultsShelf()
        self._listeners: list[Listener] = []

    # --- watching ---------------------------------------------------------------------------
    def watch(self, listener: Listener) -> None:
        """Call ``listener(layer, region)`` after each change: ``"photo"`` or ``"mask"`` with
        the rectangle changed; ``"step"`` (region None) when a new step is made, and
        ``"history"`` after each step, undo, redo or save."""
        self._listeners.append(listener)

    def _tell(self, layer: str, region: Optional[WorkRegion] = None) -> None:
        for listener in list(self._listeners):
            listener(layer, region)

    # --- reading ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape

    def hole(self) -> np.ndarray:
        """What a run fills: every pixel the mask covers at all (``(H, W)`` bool)."""
        return self.mask >= SOFT_EDGE_MIN

    def binary_mask(self) -> np.ndarray:
        """The mask as saved or grown: ``(H, W)`` uint8, 255 where it is at least half on."""
        return np.where(self.mask >= HOLE_THRESHOLD, 255, 0).astype(np.uint8)

    @property
    def unsaved(self) -> bool:
        """Whether there are steps not yet exported or kept in a session file."""
        return not self.history.is_saved

    def mark_saved(self) -> None:
        self.history.mark_saved()
        self._tell("history")

    def edited_bounds(self) -> Optional[tuple[int, int, int, int]]:
        """``(left, top, right, bottom)`` of the pixels that differ from the photo as read."""
        return mask_bounds(changed_pixels(self.photo_file, self.photo))

    def runs_on_offer(self) -> list[Run]:
        """The shelf's runs made for the mask and the photo as they are now, oldest first."""
        return self.shelf.matching(self.hole(), self.photo)

    # --- steps ------------------------------------------------------------------------------
    def _step(self, text: str, changes: list[Change]) -> Optional[Edit]:
        if not changes:
            return None
        edit = Edit(text, tuple(changes))
        self.history.push(edit)
        self._tell("step")
        self._tell("history")
        return edit

    def _layer(self, layer: str) -> np.ndarray:
        return self.photo if layer == PHOTO else self.mask

    def _change(self, layer: str, region: WorkRegion, after: np.ndarray) -> Change:
        """Put ``after`` into ``layer`` at ``region`` and return the change (its pixels copied)."""
        target = self._layer(layer)
        before = target[region.slices].copy()
        target[region.slices] = after
        self._tell(layer, region)
        return Change(layer, region, before, target[region.slices].copy())

    def mask_painted(self, region: WorkRegion, before: np.ndarray, text: str) -> Optional[Edit]:
        """The mask inside ``region`` was painted in place (a brush or eraser stroke on the
        canvas); ``before`` is what it held there. The stroke becomes one step."""
        after = self.mask[region.slices].copy()
        if before.shape != after.shape:
            raise ValueError(f"a stroke's pixels before are {before.shape}, its rectangle {after.shape}")
        if np.array_equal(before, after):
            return None
        self._tell(MASK, region)
        return self._step(text, [Change(MASK, region, before.copy(), after)])

    def set_mask(self, values: np.ndarray, text: str) -> Optional[Edit]:
        """Make ``values`` (``(H, W)`` uint8 alpha) the mask, as one step holding only the
        rectangle that changed; nothing happens when it is the mask already."""
        if values.shape != self.mask.shape:
            raise ValueError(f"a {values.shape[1]}x{values.shape[0]} mask for a "
                             f"{self.mask.shape[1]}x{self.mask.shape[0]} photo")
        bounds = mask_bounds(values != self.mask)
        if bounds is None:
            return None
        region = WorkRegion(*bounds)
        return self._step(text, [self._change(MASK, region, values[region.slices])])

    def patch_photo(self, region: WorkRegion, after: np.ndarray, text: str) -> Optional[Edit]:
        """Lay ``after`` into the photo at ``region`` (a heal dab, a clone stroke): one step."""
        return self._step(text, [self._change(PHOTO, region, after)])

    def apply_results(self, results: list[RegionResult], refined: bool) -> Optional[Edit]:
        """Put a run's 512 or refined results into the photo and clear the mask: one step
        (undo brings back both, and the run is on offer again)."""
        changes = [self._change(PHOTO, r.region, r.chosen(refined)) for r in results]
        bounds = mask_bounds(self.mask)
        if bounds is not None:
            region = WorkRegion(*bounds)
            changes.append(self._change(MASK, region, np.zeros((region.height, region.width), np.uint8)))
        return self._step("Apply refined result" if refined else "Apply 512 result", changes)

    def undo(self) -> bool:
        return self._put(self.history.step_back(), undoing=True)

    def redo(self) -> bool:
        return self._put(self.history.step_forward(), undoing=False)

    def _put(self, edit: Optional[Edit], undoing: bool) -> bool:
        """Lay the pixels of ``edit`` back as they were before it (``undoing``) or after it."""
        if edit is None:
            return False
        for change in reversed(edit.changes) if undoing else edit.changes:
            self._layer(change.layer)[change.region.slices] = change.before if undoing else change.after
            self._tell(change.layer, change.region)
        self._tell("history")
        return True

    # --- sessions ---------------------------------------------------------------------------
    def session(self) -> Session:
        """The document as a session file holds it: the History's steps (each change's pixels
        after it; those before follow from replaying them) and how many are in effect. The
        arrays are shared, never written to: a worker may save it while editing goes on."""
        steps = [SavedStep(edit.text, [(c.layer, (c.region.left, c.region.top, c.region.right, c.region.bottom),
                                        c.after) for c in edit.changes])
                 for edit in self.history.edits]
        return Session(self.path, self.shape[1], self.shape[0], steps, self.history.done)

    @classmethod
    def restored(cls, photo_file: PhotoFile, session: Session) -> "RetouchDocument":
        """The document ``session`` was saved from, rebuilt on ``photo_file`` (the photo as
        opened): every step replayed, then those not in effect undone. Its History is unsaved
        from the photo as opened on."""
        document = cls(photo_file)
        for step in session.steps:
            document.history.push(Edit(step.text, tuple(
                document._change(layer, WorkRegion(*box), after) for layer, box, after in step.changes)))
        while document.history.done > session.done:
            document.undo()
        document.history.saved = 0
        return document

