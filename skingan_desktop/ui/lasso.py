"""The lasso and polygon mask tool (``L``).

Drag to draw a free outline; it closes when the button is released. Or click point after point
for a polygon: a double click, ``Enter`` or a click on the first point closes it, ``Backspace``
takes the last point back, ``Esc`` drops it. With ``Shift`` held at the first press the shape
adds to the mask, with ``Alt`` it is cut out of it, and otherwise it becomes the mask, as
selections do in Photoshop and Krita. The closed shape, laid into the mask, is the canvas's
``mask_shaped``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPen, QPolygonF

from .qt_images import mask_to_array

if TYPE_CHECKING:
    from .canvas import PhotoCanvas

DRAG_PX = 6      # screen px the pointer must travel with the button down for a free outline
CLOSE_PX = 8     # a polygon click this close to its first point (screen px) closes it
KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Backspace)


def lassoed(mask: QImage, outline: QPolygonF, mode: str) -> np.ndarray:
    """The mask ``mask`` (Alpha8) becomes with the closed ``outline`` laid in: the shape alone
    (``mode`` "replace"), joined to it ("add") or cut out of it ("subtract"), antialiased."""
    shaped = mask.copy()
    if mode == "replace":
        shaped.fill(0)
    painter = QPainter(shaped)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 255))
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOut if mode == "subtract"
                               else QPainter.CompositionMode.CompositionMode_SourceOver)
    painter.drawPolygon(outline)
    painter.end()
    return mask_to_array(shaped)


def mode_for(modifiers: Qt.KeyboardModifier) -> str:
    if modifiers & Qt.KeyboardModifier.ShiftModifier:
        return "add"
    if modifiers & Qt.KeyboardModifier.AltModifier:
        return "subtract"
    return "replace"


class LassoTool:
    """The outline being drawn, in photo coordinates, and how it will change the mask."""

    def __init__(self, canvas: "PhotoCanvas") -> None:
        self.canvas = canvas
        self.points: list[QPointF] = []
        self.mode = "replace"
        self.polygon = False          # clicking points (True) or dragging a free outline
        self._pressed_at: Optional[QPointF] = None  # screen position of the press that began a drag
        self._dragged = False

    @property
    def open(self) -> bool:
        return bool(self.points)

    def press(self, point: QPointF, screen: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        if not self.points:
            self.points, self.mode, self.polygon = [point], mode_for(modifiers), False
            self._pressed_at, self._dragged = screen, False
        elif self.polygon:
            first = self.canvas.mapFromScene(self.points[0])
            if len(self.points) >= 3 and math.hypot(first.x() - screen.x(), first.y() - screen.y()) <= CLOSE_PX:
                self.close()
            else:
                self.points.append(point)
        self.canvas.viewport().update()

    def move(self, point: QPointF, button_down: bool) -> None:
        if button_down and self._pressed_at is not None and not self.polygon:
            screen = self.canvas.mapFromScene(point)
            if math.hypot(screen.x() - self._pressed_at.x(), screen.y() - self._pressed_at.y()) > DRAG_PX:
                self._dragged = True
            if self._dragged:
                self.points.append(point)

    def release(self, _screen: QPointF) -> None:
        if self._pressed_at is None:
            return
        self._pressed_at = None
        if self._dragged:
            self.close()
        else:  # a click without a drag: the first point of a polygon
            self.polygon = True

    def close(self) -> None:
        points, mode = self.points, self.mode
        self.cancel()
        layer = self.canvas.mask_layer
        if len(points) >= 3 and layer is not None:
            text = {"replace": "Lasso", "add": "Lasso: add", "subtract": "Lasso: subtract"}[mode]
            self.canvas.mask_shaped.emit(lassoed(layer.mask, QPolygonF(points), mode), text)

    def cancel(self) -> None:
        self.points, self.polygon, self._pressed_at, self._dragged = [], False, None, False
        self.canvas.viewport().update()

    def wants_key(self, event: QEvent) -> bool:
        return self.open and isinstance(event, QKeyEvent) and event.key() in KEYS

    def key(self, event: QKeyEvent) -> bool:
        """Handle Enter, Esc and Backspace while an outline is open; True when handled."""
        if not self.wants_key(event):
            return False
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
        elif event.key() == Qt.Key.Key_Backspace:
            self.points.pop()
            if not self.points:
                self.cancel()
            self.canvas.viewport().update()
        else:
            self.close()
        return True

    def draw(self, painter: QPainter, cursor: Optional[QPointF]) -> None:
        """The outline so far, and in a polygon the rubber band to the pointer: a dark dashed
        line under a light one, visible on any skin."""
        if not self.points:
            return
        points = list(self.points) + ([cursor] if self.polygon and cursor is not None else [])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for color, width, style in ((QColor(0, 0, 0, 200), 3, Qt.PenStyle.SolidLine),
                                    (QColor(255, 255, 255, 240), 1, Qt.PenStyle.DashLine)):
            pen = QPen(color, width, style)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF(points))
