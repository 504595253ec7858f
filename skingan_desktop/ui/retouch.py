"""The heal brush (``J``) and the clone stamp (``S``): strokes that change the photo itself,
not the mask.

A heal dab is filled in the background by the engine (``engine/heal.py``) from the skin around
it and lands as one undoable step; dabs painted while one heals wait their turn, each healing
the photo as the one before left it. A clone stroke shows the copied pixels as it is painted
(``engine/clone.py``) and becomes one undoable step when the button is released. No tensor
maths here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QRect, Signal

from ..engine.clone import cloned
from ..engine.heal import heal_reach, heal_spot
from ..engine.region import WorkRegion
from .qt_images import photo_to_qimage, rect_region, region_rect
from .jobs import HEAL

if TYPE_CHECKING:
    from .main_window import MainWindow

# A dab waiting to heal: the photo it was painted on, the rectangle the heal reads, its alpha there.
Dab = tuple[np.ndarray, WorkRegion, np.ndarray]


class RetouchBrushes(QObject):
    healed = Signal(bool)  # a heal dab ended: it landed in the photo (True) or was dropped

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self._waiting: list[Dab] = []
        canvas = window.canvas
        canvas.spot_painted.connect(self.heal)
        canvas.clone_stroke.connect(self.clone)
        canvas.clone_source_missing.connect(
            lambda: window.show_status("Alt+click where to clone from first, then paint where it should go."))

    # --- heal -------------------------------------------------------------------------------
    def heal(self, painted: QRect) -> None:
        """Heal the spot painted within ``painted`` (photo pixels) on the stroke layer."""
        photo = self.window.photo
        if photo is None:
            return
        reach = heal_reach(rect_region(painted), photo.shape)
        alpha = self.window.canvas.stroke_alpha(region_rect(reach))
        self._waiting.append((photo, reach, alpha))
        self._next()

    def _next(self) -> None:
        window = self.window
        if window.jobs.busy(HEAL):
            return
        if not self._waiting:
            window.canvas.clear_stroke_layer()
            return
        if window.generator is None:
            weights = window.configured_weights()
            if weights is None:
                self._drop("No model is loaded to heal with: choose a weights file with File > Load weights…")
            elif not window.models.loading:
                window.load_weights(weights, then=self._next)
            return
        dab = self._waiting[0]
        photo, reach, alpha = dab
        if photo is not window.photo:
            self._drop()
            return
        crop = photo[reach.slices].copy()
        window.jobs.start(HEAL, partial(heal_spot, window.generator, crop, alpha, photo_shape=photo.shape,
                                        texture_strength=window.settings.texture_strength),
                          partial(self._healed, dab, crop), self._failed)

    def _healed(self, dab: Dab, crop: np.ndarray, pixels: np.ndarray) -> None:
        photo, reach, _ = dab
        window = self.window
        if photo is not window.photo:
            self._drop()
            return
        if not np.array_equal(photo[reach.slices], crop):  # undone or redone meanwhile: heal it as it is now
            self._next()
            return
        self._waiting.pop(0)
        window.document.patch_photo(reach, pixels, "Heal")
        self.healed.emit(True)
        self._next()

    def _failed(self, message: str) -> None:
        self._drop(f"Healing failed: {message}")

    def _drop(self, message: str = "") -> None:
        """Forget the waiting dabs (the photo was replaced, or healing cannot work)."""
        count = len(self._waiting)
        self._waiting = []
        self.window.canvas.clear_stroke_layer()
        if message:
            self.window.show_error(message)
        for _ in range(count):
            self.healed.emit(False)

    # --- clone ------------------------------------------------------------------------------
    def clone(self, painted: QRect, ended: bool) -> None:
        """Show the source pixels over ``painted`` while the stroke goes on; at its end the
        whole stroke becomes one step."""
        window, canvas = self.window, self.window.canvas
        photo, offset = window.photo, canvas.clone_offset
        if photo is None or offset is None:
            return
        area = rect_region(painted)
        pixels = cloned(photo, area, canvas.stroke_alpha(painted), (offset.x(), offset.y()))
        if not ended:
            canvas.update_photo_region(painted, photo_to_qimage(pixels))  # on show only, until the release
            return
        canvas.clear_stroke_layer()
        window.document.patch_photo(area, pixels, "Clone")
