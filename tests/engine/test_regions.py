"""Work regions: around each masked cluster, merged when they overlap, inside the photo."""

from __future__ import annotations

import numpy as np

from skingan_desktop.engine.region import WorkRegion, paste, work_regions


def _hole(height: int, width: int, *boxes: tuple[int, int, int, int]) -> np.ndarray:
    hole = np.zeros((height, width), bool)
    for left, top, right, bottom in boxes:
        hole[top:bottom, left:right] = True
    return hole


def test_a_small_tattoo_gets_a_region_of_at_least_512_around_it() -> None:
    hole = _hole(2000, 3000, (1400, 900, 1500, 960))

    (region,) = work_regions(hole)

    assert region.width == 512 and region.height == 512
    assert region.left <= 1400 and region.right >= 1500 and region.top <= 900 and region.bottom >= 960


def test_a_large_area_gets_twice_its_size() -> None:
    (region,) = work_regions(_hole(3000, 4000, (1000, 1000, 1600, 1400)))
    assert (region.width, region.height) == (1200, 800)


def test_far_apart_areas_get_separate_regions_and_near_ones_merge() -> None:
    far = work_regions(_hole(2000, 3000, (100, 100, 150, 150), (2500, 1500, 2600, 1600)))
    near = work_regions(_hole(2000, 3000, (100, 100, 150, 150), (300, 120, 340, 160)))

    assert len(far) == 2 and not far[0].overlaps(far[1])
    assert len(near) == 1


def test_regions_stay_inside_the_photo_at_its_border() -> None:
    (corner,) = work_regions(_hole(2000, 3000, (2950, 1950, 3000, 2000)))
    (small,) = work_regions(_hole(300, 200, (0, 0, 200, 50)))

    assert (corner.right, corner.bottom, corner.width, corner.height) == (3000, 2000, 512, 512)
    assert (small.left, small.top, small.right, small.bottom) == (0, 0, 200, 300)


def test_an_empty_mask_has_no_region() -> None:
    assert work_regions(np.zeros((100, 100), bool)) == []


def test_paste_changes_only_the_hole_unless_feathered() -> None:
    photo = np.full((20, 20, 3), 100, np.uint8)
    fill = np.full((20, 20, 3), 200, np.uint8)
    hole = _hole(20, 20, (5, 5, 10, 10))
    region = WorkRegion(0, 0, 20, 20)

    exact = paste(photo, region, fill, hole)
    feathered = paste(photo, region, fill, hole, feather=3)

    assert (exact[hole] == 200).all() and (exact[~hole] == 100).all()
    assert (feathered[hole] == 200).all()
    assert 100 < feathered[7, 11, 0] < 200 and feathered[7, 15, 0] == 100
