"""The mask as the canvas holds it, a full-resolution Alpha8 image drawn over the photo as a
tinted overlay, and the undoable steps that change it: a stroke (only the rectangle it
touched, before and after) and a whole replacement (clear, grow, a lasso, a loaded mask)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QUndoCommand
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget


def _put_patch(target: QImage, rect: QRect, patch: QImage) -> None:
    painter = QPainter(target)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    painter.drawImage(rect.topLeft(), patch)
    painter.end()


class MaskLayer(QGraphicsItem):
    """Holds the mask and draws it over the photo in ``color`` at ``overlay_opacity``."""

    def __init__(self, size: QSize) -> None:
        super().__init__()
        self.mask = QImage(size, QImage.Format.Format_Alpha8)
        self.mask.fill(0)
        self.color = QColor(255, 40, 90)
        self.overlay_opacity = 0.55
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return QRectF(self.mask.rect())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Optional[QWidget] = None) -> None:
        exposed = option.exposedRect.toAlignedRect().intersected(self.mask.rect())
        if exposed.isEmpty():
            return
        tile = QImage(exposed.size(), QImage.Format.Format_ARGB32_Premultiplied)
        tile.fill(self.color)
        tinter = QPainter(tile)
        tinter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        tinter.drawImage(0, 0, self.mask, exposed.x(), exposed.y(), exposed.width(), exposed.height())
        tinter.end()
        painter.setOpacity(self.overlay_opacity)
        painter.drawImage(exposed.topLeft(), tile)

    def replace_region(self, rect: QRect, patch: QImage) -> None:
        _put_patch(self.mask, rect, patch)
        self.update(QRectF(rect))


class StrokeCommand(QUndoCommand):
    """One brush or eraser stroke: the pixels it changed, before and after."""

    def __init__(self, layer: MaskLayer, rect: QRect, before: QImage, after: QImage, text: str) -> None:
        super().__init__(text)
        self._layer, self._rect, self._before, self._after = layer, rect, before, after
        self._done = True  # the stroke is already on the mask when pushed

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._layer.replace_region(self._rect, self._after)

    def undo(self) -> None:
        self._layer.replace_region(self._rect, self._before)


class MaskReplaceCommand(QUndoCommand):
    """Replace the whole mask (clear, grow/shrink, load from file)."""

    def __init__(self, layer: MaskLayer, new_mask: QImage, text: str) -> None:
        super().__init__(text)
        self._layer, self._before, self._after = layer, layer.mask.copy(), new_mask

    def redo(self) -> None:
        self._layer.replace_region(self._layer.mask.rect(), self._after)

    def undo(self) -> None:
        self._layer.replace_region(self._layer.mask.rect(), self._before)
