"""The clone stamp's pixels: the source laid over the painted area by the brush's alpha."""

from __future__ import annotations

import numpy as np
import pytest

from skingan_desktop.engine.clone import cloned
from skingan_desktop.engine.region import WorkRegion


def _gradient(height: int = 60, width: int = 80) -> np.ndarray:
    rows, cols = np.mgrid[0:height, 0:width]
    return np.stack([cols * 3, rows * 4, (cols + rows) % 256], axis=-1).astype(np.uint8)


def test_full_alpha_copies_the_source_and_half_alpha_blends() -> None:
    photo = _gradient()
    area = WorkRegion(10, 10, 30, 20)
    alpha = np.ones((10, 20), np.float32)
    alpha[:, 10:] = 0.5
    out = cloned(photo, area, alpha, (40, 30))
    assert np.array_equal(out[:, :10], photo[40:50, 50:60])
    expected = np.round((photo[10:20, 20:30].astype(np.float32) + photo[40:50, 60:70]) / 2)
    assert np.abs(out[:, 10:].astype(np.float32) - expected).max() <= 1
    assert np.array_equal(photo, _gradient())  # the photo itself is untouched


def test_unpainted_pixels_and_sources_beyond_the_border_stay() -> None:
    photo = _gradient()
    area = WorkRegion(60, 40, 80, 60)
    alpha = np.zeros((20, 20), np.float32)
    alpha[:, :5] = 1.0
    out = cloned(photo, area, alpha, (10, 0))  # the source of columns 70-79 is beyond the photo
    assert np.array_equal(out[:, :5], photo[40:60, 70:75])
    assert np.array_equal(out[:, 5:], photo[40:60, 65:80])


def test_a_stroke_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="stroke is 3x3"):
        cloned(_gradient(), WorkRegion(0, 0, 4, 4), np.ones((3, 3), np.float32), (1, 1))
