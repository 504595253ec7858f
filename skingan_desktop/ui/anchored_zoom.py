"""Zooming a graphics view about a point of its viewport: the scene point under it (the pixel
under the cursor, for the mouse wheel) is under it again after the zoom, wherever the view's
own anchor would have put it."""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsView


def keep_anchored(view: QGraphicsView, at: QPointF, zoom: Callable[[], None],
                  followers: Sequence[QGraphicsView] = ()) -> None:
    """Run ``zoom()`` (a change of ``view``'s scale, and of its ``followers``', views of the
    same size showing the same scene), then scroll them all so that the scene point that was
    under the viewport point ``at`` of ``view`` is under it again (as far as the scroll bars reach)."""
    held = view.mapToScene(at.toPoint())
    zoom()
    moved = view.mapFromScene(held) - at.toPoint()
    horizontal = view.horizontalScrollBar().value() + moved.x()
    vertical = view.verticalScrollBar().value() + moved.y()
    for each in (view, *followers):
        each.horizontalScrollBar().setValue(horizontal)
        each.verticalScrollBar().setValue(vertical)
