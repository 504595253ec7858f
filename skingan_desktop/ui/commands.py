"""Undoable steps that change the working photo (the canvas keeps the mask-only ones): an
applied result, a restored session, a heal dab, a clone stroke. Each holds only the rectangles
it changed, before and after."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtGui import QImage, QUndoCommand

from ..engine.mask_ops import mask_bounds
from ..engine.region import WorkRegion
from ..engine.runner import RegionResult
from .qt_images import array_to_mask

if TYPE_CHECKING:
    from .main_window import MainWindow

Patch = tuple[WorkRegion, np.ndarray, np.ndarray]  # a rectangle, its pixels before, its pixels after


class PhotoAndMaskCommand(QUndoCommand):
    """Changes rectangles of the working photo (``patches``) and, unless ``mask_after`` is
    None, the whole mask."""

    def __init__(self, window: "MainWindow", text: str, patches: list[Patch],
                 mask_after: Optional[QImage] = None) -> None:
        super().__init__(text)
        self._window, self._patches = window, patches
        self._mask_before = window.canvas.mask_layer.mask.copy() if mask_after is not None else None
        self._mask_after = mask_after

    def _put(self, which: int) -> None:
        for patch in self._patches:
            self._window.set_photo_region(patch[0], patch[which])
        if self._mask_after is not None:
            layer = self._window.canvas.mask_layer
            layer.replace_region(layer.mask.rect(), self._mask_after if which == 2 else self._mask_before)

    def redo(self) -> None:
        self._put(2)

    def undo(self) -> None:
        self._put(1)


def photo_patch_command(window: "MainWindow", text: str, region: WorkRegion, after: np.ndarray) -> PhotoAndMaskCommand:
    """``after`` laid into the photo at ``region``; the mask is left alone (heal, clone)."""
    assert window.photo is not None
    return PhotoAndMaskCommand(window, text, [(region, window.photo[region.slices].copy(), after)])


def apply_result_command(window: "MainWindow", results: list[RegionResult], refined: bool) -> PhotoAndMaskCommand:
    """Put a chosen result into the working photo and clear the mask; undo restores both."""
    assert window.photo is not None
    patches = [(r.region, window.photo[r.region.slices].copy(),
                r.refined if refined and r.refined is not None else r.preview) for r in results]
    cleared = window.canvas.mask_layer.mask.copy()
    cleared.fill(0)
    return PhotoAndMaskCommand(window, "Apply refined result" if refined else "Apply 512 result", patches, cleared)


def restore_session_command(window: "MainWindow", edited: np.ndarray, mask: np.ndarray,
                            text: str) -> PhotoAndMaskCommand:
    """The edits and mask of a restored session laid over the photo as opened: one step in the
    History (undo brings the photo as opened back)."""
    assert window.photo is not None
    bounds = mask_bounds((edited != window.photo).any(axis=-1))
    patches = []
    if bounds is not None:
        region = WorkRegion(*bounds)
        patches.append((region, window.photo[region.slices].copy(), edited[region.slices].copy()))
    return PhotoAndMaskCommand(window, text, patches, array_to_mask(mask))
