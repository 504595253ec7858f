"""What the canvas draws over the photo to show where a tool acts: the brush's outline and the
clone stamp's source mark. Each is a dark line under a light one, so that it shows on pale skin
and on dark hair alike; both are drawn in photo coordinates with lines one screen pixel wide."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

_DARK = QColor(0, 0, 0, 170)
_LIGHT = QColor(255, 255, 255, 230)
_ERASER = QColor(120, 200, 255, 240)  # the eraser's outline is blue, so which tool is on shows


def _pens(light: QColor) -> list[QPen]:
    pens = []
    for color, width in ((_DARK, 3), (light, 1)):
        pen = QPen(color, width)
        pen.setCosmetic(True)
        pens.append(pen)
    return pens


def draw_brush_outline(painter: QPainter, center: QPointF, radius: float, erasing: bool) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for pen in _pens(_ERASER if erasing else _LIGHT):
        painter.setPen(pen)
        painter.drawEllipse(center, radius, radius)


def draw_source_mark(painter: QPainter, at: QPointF, arm: float) -> None:
    """A cross with arms of ``arm`` photo px where the clone stamp takes its pixels from."""
    for pen in _pens(_LIGHT):
        painter.setPen(pen)
        painter.drawLine(at - QPointF(arm, 0), at + QPointF(arm, 0))
        painter.drawLine(at - QPointF(0, arm), at + QPointF(0, arm))
