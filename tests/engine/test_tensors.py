"""Shrinking a hole to the working size: every pixel the hole reaches into stays hole."""

from __future__ import annotations

import numpy as np
import pytest

from skingan_desktop.engine.tensors import shrunk_hole


@pytest.mark.parametrize("shape, size", [((480, 640), (384, 512)), ((4000, 3000), (512, 384)),
                                         ((1125, 1500), (512, 683))])
def test_a_pixel_the_hole_reaches_into_is_hole(shape: tuple[int, int], size: tuple[int, int]) -> None:
    hole = np.zeros(shape, bool)
    hole[shape[0] // 3 + 1: shape[0] // 2 + 2, shape[1] // 5 + 1: shape[1] - 3] = True

    small = shrunk_hole(hole, size)

    # The area each working pixel covers, in photo pixels: [i * sy, (i + 1) * sy).
    sy, sx = shape[0] / size[0], shape[1] / size[1]
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    reached_rows = (np.arange(size[0]) + 1) * sy > rows[0] + 1e-9
    reached_rows &= np.arange(size[0]) * sy < rows[-1] + 1 - 1e-9
    reached_cols = (np.arange(size[1]) + 1) * sx > cols[0] + 1e-9
    reached_cols &= np.arange(size[1]) * sx < cols[-1] + 1 - 1e-9
    assert np.array_equal(small, reached_rows[:, None] & reached_cols[None, :])
