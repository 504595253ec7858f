"""Copies between numpy arrays and QImages (the only place the two meet)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


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


def array_to_mask(values: np.ndarray) -> QImage:
    """``(H, W)`` uint8 -> an Alpha8 QImage that owns its pixels."""
    values = np.ascontiguousarray(values, dtype=np.uint8)
    height, width = values.shape
    return QImage(values.data, width, height, width, QImage.Format.Format_Alpha8).copy()
