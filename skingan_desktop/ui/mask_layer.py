"""A mask drawn over the photo as a tinted overlay: an Alpha8 QImage over the very memory of a
``(H, W)`` uint8 array (the document's mask, or the heal and clone brushes' stroke layer), so
what the canvas paints lands in the array and what the document changes shows at once."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .qt_images import alpha_view


class MaskLayer(QGraphicsItem):
    """Draws ``values`` over the photo in ``color`` at ``overlay_opacity``; ``mask`` is the
    image to paint into (its pixels are the array's)."""

    def __init__(self, values: np.ndarray) -> None:
        super().__init__()
        self.mask = alpha_view(values)
        self.values = values  # kept alive as long as the image over it
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

    def changed(self, rect: QRect) -> None:
        """The array changed inside ``rect``: draw it again there."""
        self.update(QRectF(rect))
