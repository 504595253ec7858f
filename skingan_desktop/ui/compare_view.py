"""The results pane: the 512 result and the refined result side by side, zoom and pan in sync,
a hold-to-compare button and a before/after split slider showing the original, and buttons to
apply either result."""

from __future__ import annotations

from functools import partial
from typing import Optional

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QGridLayout, QHBoxLayout, QLabel,
    QPushButton, QSlider, QVBoxLayout, QWidget,
)

from .anchored_zoom import keep_anchored


class _ResultView(QGraphicsView):
    zoom_requested = Signal(float, QPointF)  # a factor, the viewport point to zoom about

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(45, 45, 48))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.item: Optional[QGraphicsPixmapItem] = None

    def show_image(self, image: Optional[QImage]) -> None:
        if image is None:
            if self.item is not None:
                self.item.setVisible(False)
            return
        if self.item is None:
            self.item = self.scene().addPixmap(QPixmap.fromImage(image))
            self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        else:
            self.item.setPixmap(QPixmap.fromImage(image))
        self.item.setVisible(True)
        self.scene().setSceneRect(self.item.boundingRect())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_requested.emit(1.25 ** steps, event.position())


REFINING = "Refined {side} result: refining… (the 512 result until it is ready)"


class CompareView(QWidget):
    """Shows a work area's original, 512 result and refined result; the user picks one."""

    apply_requested = Signal(bool)  # True: the refined result

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.quick_view, self.refined_view = _ResultView(self), _ResultView(self)
        self.refined_side = 1024  # the long side of the refined result on show (the run's choice)
        self.quick_label, self.refined_label = QLabel("512 result"), QLabel("Refined 1024 result: waiting")
        self.original_button = QPushButton("Hold to see the original")
        self.original_button.setToolTip("Press and hold (or hold \\ ) to show the original in both views")
        self.split_slider = QSlider(Qt.Orientation.Horizontal)
        self.split_slider.setRange(0, 100)  # how much of each view, from the left, shows the original
        self.split_slider.setToolTip("Before | after: drag to show the original on the left of the line")
        self.apply_quick_button = QPushButton("Use 512 result")
        self.apply_refined_button = QPushButton("Use refined result")
        grid = QGridLayout()
        grid.addWidget(self.quick_label, 0, 0)
        grid.addWidget(self.refined_label, 0, 1)
        grid.addWidget(self.quick_view, 1, 0)
        grid.addWidget(self.refined_view, 1, 1)
        for column in (0, 1):  # two panes of one size, whatever their labels say
            grid.setColumnStretch(column, 1)
        self.refined_label.setWordWrap(True)
        split = QHBoxLayout()  # a row of its own: the slider needs the width
        split.addWidget(QLabel("Before"))
        split.addWidget(self.split_slider, 1)
        split.addWidget(QLabel("after"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.original_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_quick_button)
        buttons.addWidget(self.apply_refined_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addLayout(split)
        layout.addLayout(buttons)

        self._original: Optional[QImage] = None
        self._quick: Optional[QImage] = None
        self._refined: Optional[QImage] = None
        self.showing_original = False
        self.split_slider.valueChanged.connect(lambda _: self._refresh())
        self.original_button.pressed.connect(lambda: self.show_original(True))
        self.original_button.released.connect(lambda: self.show_original(False))
        self.apply_quick_button.clicked.connect(lambda: self.apply_requested.emit(False))
        self.apply_refined_button.clicked.connect(lambda: self.apply_requested.emit(True))
        self._link(self.quick_view, self.refined_view)
        self.clear()

    def _link(self, a: _ResultView, b: _ResultView) -> None:
        for one, other in ((a, b), (b, a)):
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.zoom_requested.connect(partial(self.zoom_by, over=one))

    def zoom_by(self, factor: float, at: Optional[QPointF] = None, over: Optional[_ResultView] = None) -> None:
        """Zoom both panes by ``factor``, keeping the pixel under the point ``at`` of the pane
        ``over`` (the cursor, for the wheel) under it; the other pane scrolls with it."""
        def scale_both() -> None:
            for view in (self.quick_view, self.refined_view):
                view.scale(factor, factor)
        if at is None:
            scale_both()
        else:
            over = over or self.quick_view
            other = self.refined_view if over is self.quick_view else self.quick_view
            keep_anchored(over, at, scale_both, followers=[other])

    def zoom_factor(self) -> tuple[float, float]:
        return self.quick_view.transform().m11(), self.refined_view.transform().m11()

    def clear(self) -> None:
        self._original = self._quick = self._refined = None
        self._refining = False  # the 512 result is in and the refined one is being made
        for view in (self.quick_view, self.refined_view):
            view.show_image(None)
        self.refined_label.setText(f"Refined {self.refined_side} result")
        self._update_buttons()

    def set_original(self, image: QImage) -> None:
        self._original = image
        self._refresh()

    def set_quick(self, image: QImage) -> None:
        first = self._quick is None
        self._quick = image
        if self._refined is None and first:
            self._refining = True
            self.refined_label.setText(REFINING.format(side=self.refined_side))
        self._refresh()
        if first:
            for view in (self.quick_view, self.refined_view):
                view.resetTransform()
                view.fitInView(view.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def set_refined(self, image: Optional[QImage], note: str = "") -> None:
        self._refined = image
        self._refining = False
        self.refined_label.setText(note or f"Refined {self.refined_side} result")
        self._refresh()

    def has_quick(self) -> bool:
        return self._quick is not None

    def has_refined(self) -> bool:
        return self._refined is not None

    def show_original(self, on: bool) -> None:
        self.showing_original = on
        self._refresh()

    def _refresh(self) -> None:
        if self.showing_original and self._original is not None:
            self.quick_view.show_image(self._original)
            self.refined_view.show_image(self._original)
        else:
            self.quick_view.show_image(self._split(self._quick))
            # Until the refined result is ready its pane shows the 512 one (the label says so),
            # never the untouched tattoo under the refined result's name.
            self.refined_view.show_image(self._split(self._refined or (self._quick if self._refining else None))
                                         or self._original)
        self._update_buttons()

    def _split(self, result: Optional[QImage]) -> Optional[QImage]:
        """``result`` with the original over its left part, as far as the split slider says,
        and a line where they meet."""
        share = self.split_slider.value() / 100
        if result is None or self._original is None or share <= 0 or self._original.size() != result.size():
            return result
        split = round(share * result.width())
        shown = result.convertToFormat(QImage.Format.Format_RGB888)
        painter = QPainter(shown)
        painter.drawImage(0, 0, self._original, 0, 0, split, result.height())
        painter.setPen(QPen(QColor(255, 255, 255, 220), 1))
        painter.drawLine(split, 0, split, result.height())
        painter.end()
        return shown

    def _update_buttons(self) -> None:
        self.apply_quick_button.setEnabled(self._quick is not None)
        self.apply_refined_button.setEnabled(self._refined is not None)
        self.original_button.setEnabled(self._original is not None)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.show_original(True)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.show_original(False)
        else:
            super().keyReleaseEvent(event)
