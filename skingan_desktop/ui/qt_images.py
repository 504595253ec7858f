"""Between numpy arrays and QImages, and between Qt's rectangles and the engine's (the only
place the two meet)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from ..engine.region import WorkRegion


def photo_to_qimage(photo: np.ndarray) -> QImage:
    """``(H, W, 3)`` uint8 RGB -> an RGB888 QImage that owns its pixels."""
    photo = np.ascontiguousarray(photo)
    height, width = photo.shape[:2]
    return QImage(photo.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def _view(image: QImage, channels: int) -> np.ndarray:
    height, width = image.height(), image.width()
    buffer = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = buffer.reshape(height, image.bytesPerLine())
    return rows[:, : width * channels].reshape(height, width, channels) if channels > 1 else rows[:, :width]


def mask_to_array(mask: QImage) -> np.ndarray:
    """An Alpha8/Grayscale8 QImage -> a ``(H, W)`` uint8 array (a copy)."""
    return _view(mask, 1).copy()


def alpha_view(values: np.ndarray) -> QImage:
    """An Alpha8 QImage over the very memory of ``values`` (C-contiguous ``(H, W)`` uint8): what
    is painted into it lands in the array. The caller keeps the array alive as long as the image."""
    if values.dtype != np.uint8 or values.ndim != 2 or not values.flags.c_contiguous:
        raise ValueError("an Alpha8 view needs a C-contiguous (H, W) uint8 array")
    height, width = values.shape
    return QImage(values.data, width, height, width, QImage.Format.Format_Alpha8)


def rect_region(rect: QRect) -> WorkRegion:
    """A QRect of photo pixels as the engine's rectangle."""
    return WorkRegion(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1)


def region_rect(region: WorkRegion) -> QRect:
    return QRect(region.left, region.top, region.width, region.height)
