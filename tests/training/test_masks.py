"""Every mask generator is deterministic for a seed and keeps its claimed shapes and coverage."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from skingan_desktop.training.masks import COVERAGE, make_mask, sample_sheet


@pytest.mark.parametrize("kind", sorted(COVERAGE))
def test_same_seed_same_mask_and_coverage_in_range(kind: str) -> None:
    low, high = COVERAGE[kind]
    masks = [make_mask(kind, (192, 256), seed) for seed in range(40)]

    assert all(np.array_equal(m, make_mask(kind, (192, 256), s)) for s, m in enumerate(masks[:5]))
    assert not np.array_equal(masks[0], masks[1])
    assert all(m.shape == (192, 256) and m.dtype == bool for m in masks)
    assert all(low <= m.mean() <= high for m in masks)


def _components(mask: np.ndarray) -> np.ndarray:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return stats[1:count, cv2.CC_STAT_AREA]


def test_acne_masks_are_clusters_of_small_spots() -> None:
    for seed in range(20):
        areas = _components(make_mask("acne", (256, 256), seed))
        assert len(areas) >= 3
        assert np.median(areas) < 0.002 * 256 * 256  # spots, not patches


def test_tattoo_masks_mix_sizes_from_small_marks_to_large_sections() -> None:
    coverages = [make_mask("tattoo", (256, 256), seed).mean() for seed in range(60)]
    assert min(coverages) < 0.06 and max(coverages) > 0.2


def test_large_masks_are_large() -> None:
    coverages = [make_mask("large", (256, 256), seed).mean() for seed in range(40)]
    assert np.median(coverages) > 0.15


def test_sample_sheet() -> None:
    sheet = sample_sheet("tattoo", count=6, size=64)
    assert sheet.dtype == np.uint8 and sheet.shape == (2 * 68 + 4, 3 * 68 + 4)
    assert (sheet == 255).any()
