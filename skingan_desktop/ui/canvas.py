"""The painting canvas: the photo, the mask as a tinted overlay, and the tools' strokes.

The mask is the document's alpha array, painted through an Alpha8 image over its memory
(``ui/mask_layer.py``). Strokes are stamped as soft round dabs along the mouse path (no gaps on
fast moves), and only the rectangle a dab touches is repainted, so painting stays smooth on
24 MP photos. At a stroke's end the canvas says which rectangle it painted and what was there
before (``mask_stroke``); the lasso says what the mask becomes (``mask_shaped``): the window
makes each one step of the document.

The heal and clone brushes paint into a stroke layer of their own instead of the mask; the
canvas says where (``spot_painted``, ``clone_stroke``) and the retouch brushes
(``ui/retouch.py``) change the photo. The lasso is ``ui/lasso.py``.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor, QCursor, QImage, QKeyEvent, QMouseEvent, QPainter, QPixmap, QRadialGradient, QTabletEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem, QGraphicsScene, QGraphicsTextItem, QGraphicsView, QWidget,
)

from .anchored_zoom import keep_anchored
from .brush_marks import draw_brush_outline, draw_source_mark
from .lasso import LassoTool
from .mask_layer import MaskLayer
from .qt_images import rect_region

# The tools (the Tools menu): what a left drag or click on the photo does.
BRUSH, ERASER, ADD_INK, HEAL, CLONE, LASSO = "brush", "eraser", "add_ink", "heal", "clone", "lasso"
EMPTY_HINT = "Open a photo with File > Open (Ctrl+O), or drop one here"


class PhotoCanvas(QGraphicsView):
    """Shows the photo and lets the user paint the mask, zoom and pan."""

    zoom_changed = Signal(float)
    ink_clicked = Signal(int, int)  # with the add ink tool, a left click at photo (x, y) asks for the ink there
    spot_painted = Signal(QRect)    # a heal stroke ended: the rectangle of the stroke layer it painted
    clone_stroke = Signal(QRect, bool)  # a clone stroke painted this rectangle; True: the stroke ended
    clone_source_missing = Signal()  # a clone stroke began with no source chosen (Alt+click sets it)
    brush_size_changed = Signal(int)
    mask_stroke = Signal(QRect, object, str)  # a brush or eraser stroke painted this rectangle; the mask there before; its text
    mask_shaped = Signal(object, str)  # the lasso made this (H, W) uint8 mask; the step's text

    MIN_BRUSH, MAX_BRUSH = 1, 1000

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)  # keys zoom on the centre
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QColor(45, 45, 48))
        self.photo_item: Optional[QGraphicsPixmapItem] = None
        self.original_item: Optional[QGraphicsPixmapItem] = None  # shown while comparing
        self.mask_layer: Optional[MaskLayer] = None
        self.brush_size = 40
        # The share of the tip's radius at full strength (the rest fades out), for the mask's
        # brush and eraser (hard: the fill is blended where the mask fades) and for the heal and
        # clone brushes (soft: their strokes melt into the photo).
        self.hardness_of = {"mask": 1.0, "retouch": 0.7}
        self.tool = BRUSH
        self.stroke_layer: Optional[MaskLayer] = None  # what the heal and clone brushes paint
        self.clone_source: Optional[QPointF] = None   # the point Alt+click chose
        self.clone_offset: Optional[QPoint] = None    # source minus brush, fixed by the first stroke after it
        self.lasso = LassoTool(self)
        self._stroke_start_mask: Optional[np.ndarray] = None
        self._stroke_rect = QRect()
        self._last_point: Optional[QPointF] = None
        self._cursor_point: Optional[QPointF] = None
        self._panning_from: Optional[QPointF] = None
        self._space_down = False
        # A pen's pressure (0-1] while it touches a tablet; None for the mouse (full size).
        self._pen_pressure: Optional[float] = None
        self._last_pressure = 1.0
        hint = self.scene().addText(EMPTY_HINT)  # until the first photo: what to do first
        hint.setDefaultTextColor(QColor(190, 190, 195))
        hint.setScale(1.4)

    # --- photo and mask -------------------------------------------------------------------
    def set_photo(self, image: QImage, mask: np.ndarray) -> None:
        """Show a new photo with its mask (``(H, W)`` uint8 alpha: the canvas paints into it)."""
        scene = self.scene()
        scene.clear()
        self.original_item = None
        self.photo_item = scene.addPixmap(QPixmap.fromImage(image))
        self.photo_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.mask_layer = MaskLayer(mask)
        scene.addItem(self.mask_layer)
        self.stroke_layer = None  # made by the first heal or clone stroke (24 MB on a 24 MP photo)
        self.clone_source, self.clone_offset = None, None
        self.lasso.cancel()
        scene.setSceneRect(QRectF(image.rect()))
        self.fit_to_window()

    def update_photo_region(self, rect: QRect, image: QImage) -> None:
        """Repaint part of the displayed photo (after a result is applied or undone)."""
        if self.photo_item is None:
            return
        pixmap = self.photo_item.pixmap()
        painter = QPainter(pixmap)
        painter.drawImage(rect.topLeft(), image)
        painter.end()
        self.photo_item.setPixmap(pixmap)

    def show_original(self, top_left: QPoint, image: QImage) -> None:
        """Lay ``image`` (the original pixels of an edited rectangle) over the photo and the mask."""
        self.hide_original()
        self.original_item = self.scene().addPixmap(QPixmap.fromImage(image))
        self.original_item.setPos(QPointF(top_left))
        self.original_item.setZValue(1)

    def hide_original(self) -> None:
        if self.original_item is not None:
            self.scene().removeItem(self.original_item)
            self.original_item = None

    def has_photo(self) -> bool:
        return self.mask_layer is not None

    @property
    def erasing(self) -> bool:
        return self.tool == ERASER

    def set_tool(self, tool: str) -> None:
        self.lasso.cancel()
        self.tool = tool
        self.brush_size_changed.emit(self.brush_size)  # the status bar shows this tool's hardness
        if self.stroke_layer is not None:
            self.stroke_layer.setVisible(tool == HEAL)  # a clone stroke shows as the photo changing
        self.viewport().update()

    def stroke_alpha(self, rect: QRect) -> np.ndarray:
        """The stroke layer inside ``rect`` as ``(h, w)`` float32 alpha, 0-1."""
        assert self.stroke_layer is not None
        area = self.stroke_layer.values[rect_region(rect).slices]
        return area.astype(np.float32) / 255.0

    def clear_stroke_layer(self) -> None:
        """Drop what the heal and clone brushes painted, and the layer's memory with it (unless
        a stroke is being painted on it now)."""
        if self.stroke_layer is not None and self._last_point is None:
            self.scene().removeItem(self.stroke_layer)
            self.stroke_layer = None

    def _ensure_stroke_layer(self) -> MaskLayer:
        if self.stroke_layer is None:
            assert self.mask_layer is not None
            self.stroke_layer = MaskLayer(np.zeros_like(self.mask_layer.values))
            self.stroke_layer.color, self.stroke_layer.overlay_opacity = QColor(255, 255, 255), 0.5
            self.scene().addItem(self.stroke_layer)
            self.stroke_layer.setVisible(self.tool == HEAL)
        return self.stroke_layer

    def shown_texts(self) -> list[str]:
        """The texts the canvas shows (the hint on an empty start)."""
        return [item.toPlainText() for item in self.scene().items() if isinstance(item, QGraphicsTextItem)]

    # --- view -------------------------------------------------------------------------------
    def zoom_factor(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(0.01, min(factor, 32.0))
        self.scale(factor / self.zoom_factor(), factor / self.zoom_factor())
        self.zoom_changed.emit(self.zoom_factor())

    def zoom_by(self, step: float, at: Optional[QPointF] = None) -> None:
        """Zoom by ``step``; the photo pixel under the viewport point ``at`` (the cursor, for
        the wheel) stays under it, else the one at the centre."""
        if at is None:
            self.set_zoom(self.zoom_factor() * step)
        else:
            keep_anchored(self, at, lambda: self.set_zoom(self.zoom_factor() * step))
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        """After a zoom or a pan the brush outline goes where the cursor now is over the photo."""
        at = self.viewport().mapFromGlobal(QCursor.pos())
        if self._cursor_point is None or not self.viewport().rect().contains(at):
            return
        self._cursor_point = self.mapToScene(at)
        self.viewport().update()

    def fit_to_window(self) -> None:
        if self.photo_item is not None:
            self.fitInView(self.photo_item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom_changed.emit(self.zoom_factor())

    def zoom_to_area(self, left: int, top: int, right: int, bottom: int) -> None:
        """Fit the photo's rectangle (with a quarter of its size around it) into the window."""
        width, height = right - left, bottom - top
        margin_x, margin_y = max(8.0, width / 4), max(8.0, height / 4)
        self.fitInView(QRectF(left - margin_x, top - margin_y, width + 2 * margin_x, height + 2 * margin_y),
                       Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom_factor())

    def zoom_to_actual_size(self) -> None:
        self.set_zoom(1.0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position())

    # --- brush ------------------------------------------------------------------------------
    def set_brush_size(self, size: int) -> None:
        size = max(self.MIN_BRUSH, min(int(size), self.MAX_BRUSH))
        if size != self.brush_size:
            self.brush_size = size
            self.brush_size_changed.emit(size)
            self.viewport().update()

    @property
    def hardness(self) -> float:
        """The current tool's tip hardness."""
        return self.hardness_of[self._tip()]

    def _tip(self) -> str:
        return "retouch" if self.tool in (HEAL, CLONE) else "mask"

    def set_hardness(self, hardness: float, tip: Optional[str] = None) -> None:
        """The hardness of ``tip`` ("mask" or "retouch"; the current tool's by default)."""
        tip = tip or self._tip()
        hardness = max(0.0, min(1.0, round(hardness, 2)))
        if hardness != self.hardness_of[tip]:
            self.hardness_of[tip] = hardness
            self.brush_size_changed.emit(self.brush_size)  # the status bar shows both

    def _dab(self, painter: QPainter, center: QPointF, scale: float = 1.0) -> QRect:
        radius = max(0.5, self.brush_size / 2.0 * scale)
        if self.hardness >= 0.99:  # a hard tip (two gradient stops at 1.0 would make a cone)
            painter.setBrush(QColor(0, 0, 0, 255))
        else:
            gradient = QRadialGradient(center, radius)
            gradient.setColorAt(0.0, QColor(0, 0, 0, 255))
            gradient.setColorAt(self.hardness, QColor(0, 0, 0, 255))
            gradient.setColorAt(1.0, QColor(0, 0, 0, 0))
            painter.setBrush(gradient)
        painter.drawEllipse(center, radius, radius)
        return QRectF(center.x() - radius, center.y() - radius, 2 * radius, 2 * radius).toAlignedRect().adjusted(-1, -1, 1, 1)

    def _painting_layer(self) -> MaskLayer:
        layer = self._ensure_stroke_layer() if self.tool in (HEAL, CLONE) else self.mask_layer
        assert layer is not None
        return layer

    def _paint_segment(self, start: QPointF, end: QPointF) -> None:
        layer = self._painting_layer()
        painter = QPainter(layer.mask)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        mode = (QPainter.CompositionMode.CompositionMode_DestinationOut if self.erasing
                else QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setCompositionMode(mode)
        # Pen pressure scales the tip, changing smoothly from the last point's pressure.
        first, last = self._last_pressure, self._pen_pressure if self._pen_pressure is not None else 1.0
        self._last_pressure = last
        spacing = max(1.0, self.brush_size * 0.2 * min(first, last))
        distance = math.hypot(end.x() - start.x(), end.y() - start.y())
        count = max(1, int(distance / spacing))
        dirty = QRect()
        for i in range(1, count + 1) if distance else [0]:
            t = i / count
            dirty = dirty.united(self._dab(painter, start + (end - start) * t, first + (last - first) * t))
        painter.end()
        dirty = dirty.intersected(layer.mask.rect())
        self._stroke_rect = self._stroke_rect.united(dirty)
        layer.changed(dirty)
        if self.tool == CLONE and not dirty.isEmpty():
            self.clone_stroke.emit(dirty, False)

    def _begin_stroke(self, point: QPointF) -> None:
        assert self.mask_layer is not None
        if self.tool == CLONE:
            if self.clone_source is None:
                self.clone_source_missing.emit()
                return
            if self.clone_offset is None:  # aligned: the first stroke after Alt+click sets the offset
                self.clone_offset = (self.clone_source - point).toPoint()
        self._last_pressure = self._pen_pressure if self._pen_pressure is not None else 1.0
        self._stroke_start_mask = self.mask_layer.values.copy() if self.tool in (BRUSH, ERASER) else None
        self._stroke_rect = QRect()
        self._last_point = point
        self._paint_segment(point, point)

    def _end_stroke(self) -> None:
        if self._last_point is None or self.mask_layer is None:  # no stroke going on
            return
        rect, start = self._stroke_rect, self._stroke_start_mask
        # The stroke is over before anyone hears of it: the heal and clone brushes may drop the
        # stroke layer as soon as they have its pixels.
        self._stroke_start_mask = self._last_point = None
        if rect.isEmpty():
            return
        if self.tool == HEAL:
            self.spot_painted.emit(rect)
        elif self.tool == CLONE:
            self.clone_stroke.emit(rect, True)
        else:
            assert start is not None
            before = start[rect_region(rect).slices]
            self.mask_stroke.emit(rect, before, "Erase" if self.erasing else "Brush stroke")

    # --- mouse, pen and keys ----------------------------------------------------------------
    def tabletEvent(self, event: QTabletEvent) -> None:
        """Remember the pen's pressure, then let Qt deliver the same motion as mouse events,
        which paint: a light touch paints a thin line, full pressure the set brush size."""
        if event.type() == QEvent.Type.TabletRelease:
            self._pen_pressure = None
        elif event.pressure() > 0:
            self._pen_pressure = min(1.0, max(0.05, event.pressure()))
        event.ignore()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space_down):
            self._panning_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() == Qt.MouseButton.LeftButton and self.has_photo():
            point = self.mapToScene(event.position().toPoint())
            if self.tool == ADD_INK:
                self.ink_clicked.emit(int(point.x()), int(point.y()))
            elif self.tool == LASSO:
                self.lasso.press(point, event.position(), event.modifiers())
            elif self.tool == CLONE and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.clone_source, self.clone_offset = point, None
                self.viewport().update()
            else:
                self._begin_stroke(point)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.tool == LASSO and event.button() == Qt.MouseButton.LeftButton:
            self.lasso.close()
        else:
            super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning_from is not None:
            delta = event.position() - self._panning_from
            self._panning_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            if self._cursor_point is not None:  # the outline stays under the hand, on another pixel
                self._cursor_point = self.mapToScene(event.position().toPoint())
                self.viewport().update()
            return
        point = self.mapToScene(event.position().toPoint())
        old_cursor = self._cursor_point
        self._cursor_point = point
        if self.tool == LASSO:
            self.lasso.move(point, bool(event.buttons() & Qt.MouseButton.LeftButton))
        elif self._last_point is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._paint_segment(self._last_point, point)
            self._last_point = point
        self._update_cursor_outline(old_cursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._panning_from = None
            self.viewport().unsetCursor()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            if self.tool == LASSO:
                self.lasso.release(event.position())
            else:
                self._end_stroke()

    def event(self, event: QEvent) -> bool:
        # While a polygon is being drawn, Enter, Esc and Backspace are its own (Esc would cancel a run).
        if event.type() == QEvent.Type.ShortcutOverride and self.lasso.wants_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.lasso.key(event):
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def _update_cursor_outline(self, old: Optional[QPointF]) -> None:
        if self.tool in (LASSO, CLONE):  # the lasso's rubber band and the clone's source mark move too
            self.viewport().update()
            return
        radius = self.brush_size / 2.0 + 3 / max(self.zoom_factor(), 1e-3)  # the outline's width, in photo px
        for point in (old, self._cursor_point):
            if point is not None:
                self.scene().update(QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius))

    def _source_mark(self) -> Optional[QPointF]:
        """Where the clone stamp takes pixels from now: the chosen point, or the brush plus the offset."""
        if self.tool != CLONE or self.clone_source is None:
            return None
        if self.clone_offset is None or self._cursor_point is None:
            return self.clone_source
        return self._cursor_point + QPointF(self.clone_offset)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if not self.has_photo():
            return
        self.lasso.draw(painter, self._cursor_point)
        source = self._source_mark()
        if source is not None:
            draw_source_mark(painter, source, 8 / max(self.zoom_factor(), 1e-3))
        if self._cursor_point is not None and self.tool not in (LASSO, ADD_INK):
            draw_brush_outline(painter, self._cursor_point, self.brush_size / 2.0, self.erasing)
