"""A box across a limb's edge: the skin and the background each keep their own part of the
hole, their own colour and their own grain; one skin in uneven light stays one surface."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.membrane import membrane_values
from skingan_desktop.engine.surfaces import hole_surfaces, ring_surfaces, surface_colour
from skingan_desktop.engine import tone as tone_module
from skingan_desktop.engine.tone import native_fill
from tests.conftest import lit_skin

EDGE = 120  # the limb's edge: skin left of this column, background right of it


def _arm_against_a_wall(height: int = 200, width: int = 220, wall_grain: float = 2.0) -> np.ndarray:
    """Lit skin left of a slightly slanted edge, a blue-grey wall with ``wall_grain`` noise right of it."""
    photo = lit_skin(height, width)
    rng = np.random.default_rng(1)
    wall = np.clip(np.array([150, 165, 190]) + rng.normal(0, wall_grain, (height, width, 3)), 0, 255)
    rows, cols = np.mgrid[0:height, 0:width]
    beyond = cols >= EDGE + (rows - height // 2) // 10
    photo[beyond] = wall[beyond].astype(np.uint8)
    return photo, beyond


def _box(shape: tuple[int, ...]) -> np.ndarray:
    hole = np.zeros(shape[:2], bool)
    hole[40:160, 60:170] = True  # across the edge: about 60 px of skin, 50 of wall
    return hole


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Plain CIELAB distance of ``(..., 3)`` 8-bit colours."""
    def to_lab(x):
        return cv2.cvtColor(np.clip(x, 0, 255).astype(np.float32).reshape(-1, 1, 3) / 255, cv2.COLOR_RGB2Lab)
    return np.linalg.norm(to_lab(a) - to_lab(b), axis=-1).reshape(a.shape[:-1])


def test_a_box_across_a_limbs_edge_finds_the_skin_and_the_wall() -> None:
    photo, _ = _arm_against_a_wall()
    surfaces = ring_surfaces(photo, _box(photo.shape))

    assert surfaces.count == 2
    skin_colour = surface_colour(photo[100, 20].astype(np.float32))
    assert np.linalg.norm(surfaces.centres[surfaces.main] - skin_colour) < 8  # the hole is on the skin


def test_the_limbs_edge_goes_straight_across_the_hole() -> None:
    photo, beyond = _arm_against_a_wall()
    hole = _box(photo.shape)
    split = hole_surfaces(photo, hole)

    skin_part = split.parts[split.surfaces.main]
    assert np.allclose(split.parts.sum(axis=0)[hole], 1, atol=1e-4)
    inside = hole & (cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3) > 3)
    wrong = inside & ((skin_part > 0.5) == beyond)
    assert wrong.sum() < 0.02 * inside.sum()  # the edge continues where it really goes


def test_each_side_of_the_edge_is_filled_with_its_own_colour() -> None:
    photo, beyond = _arm_against_a_wall()
    hole = _box(photo.shape)
    truth = photo.astype(np.float32)
    away = hole & (np.abs(np.mgrid[0:200, 0:220][1] - EDGE) > 12)  # clear of the edge itself

    by_surface = hole_surfaces(photo, hole).membrane(photo.astype(np.float32))
    blended = membrane_values(photo.astype(np.float32), hole)

    # The photo's own grain is some 2-4 units of the distance: nine pixels in ten within it.
    assert np.percentile(_delta_e(by_surface[away], truth[away]), 90) < 6
    assert np.percentile(_delta_e(blended[away], truth[away]), 90) > 8  # a membrane over the whole ring mixes them


def test_skin_in_uneven_light_stays_one_surface() -> None:
    rows, cols = np.mgrid[0:200, 0:220]
    shade = np.clip(0.45 + cols / 220, 0, 1.2)[..., None]  # from deep shadow to bright light
    photo = np.clip(lit_skin(200, 220).astype(np.float32) * shade, 0, 255).astype(np.uint8)
    surfaces = ring_surfaces(photo, _box(photo.shape))
    assert surfaces.count == 1


def test_the_grain_is_told_which_surface_each_pixel_is_on(monkeypatch) -> None:
    # Crumpled plastic, straw or denim beside a limb can match the fill's tone; tiles of it laid
    # into skin print as cracks (seen on whole tattoos). Each surface's grain comes from its own pixels.
    photo, beyond = _arm_against_a_wall(wall_grain=25.0)
    big = lambda mask: cv2.resize(mask.astype(np.uint8), (880, 800), interpolation=cv2.INTER_NEAREST) > 0  # noqa: E731
    photo, beyond = cv2.resize(photo, (880, 800), interpolation=cv2.INTER_NEAREST), big(beyond)
    hole = big(_box((200, 220)))
    seen = {}

    def sources_seen(photo_given, hole_given, sigma, holding, **options):
        seen["surfaces"] = options["surfaces"]
        return real_sources(photo_given, hole_given, sigma, holding, **options)
    real_sources = tone_module.grain_sources
    monkeypatch.setattr(tone_module, "grain_sources", sources_seen)
    small = cv2.resize(photo, (220, 200), interpolation=cv2.INTER_AREA)
    small_hole = _box((200, 220))

    native_fill(photo, hole, hole, small, small_hole, small.astype(np.float32))  # made at a quarter of the size

    named = seen["surfaces"]
    assert named.shape == hole.shape
    skin, wall = np.median(named[~beyond & ~hole]), np.median(named[beyond & ~hole])
    assert skin != wall and skin >= 0 and wall >= 0
    clear = np.abs(np.mgrid[0:800, 0:880][1] - 4 * EDGE) > 48
    assert np.mean(named[hole & clear & ~beyond] == skin) > 0.98
    assert np.mean(named[hole & clear & beyond] == wall) > 0.98


def test_a_shallow_hole_across_the_edge_is_left_to_the_generator() -> None:
    # Within a few tens of px of the ring the generator sees the limb's edge; only a deep hole
    # (a whole tattoo's box) is split.
    photo, _ = _arm_against_a_wall()
    thin = np.zeros(photo.shape[:2], bool)
    thin[80:140, 90:150] = True  # 30 px from its edge at most

    assert hole_surfaces(photo, thin).surfaces is None
    assert hole_surfaces(photo, _box(photo.shape)).surfaces.count == 2


def _skin_lit_white_above(height: int = 200, width: int = 220) -> np.ndarray:
    """Skin in shade, lit twice as bright along the top, the light falling gradually (over 40
    px) to the shade below."""
    rows = np.mgrid[0:height, 0:width][0]
    light = np.clip(1.0 - 0.5 * (rows - 38) / 40, 0.5, 1.0)[..., None]
    return np.clip(lit_skin(height, width).astype(np.float32) * light, 0, 255).astype(np.uint8)


def test_skin_lit_white_beside_the_hole_is_met_by_the_fill() -> None:
    # Lit white, the skin is a surface of its own colour along the ring, but it is reached
    # gradually: the fill meets it, with no hard edge where the white skin touches the hole.
    photo = _skin_lit_white_above()
    hole = _box(photo.shape)
    split = hole_surfaces(photo, hole)
    assert split.surfaces.count >= 2  # the white is told apart by colour ...

    by_surface = split.membrane(photo.astype(np.float32))

    top = np.zeros_like(hole)
    top[40:43, 70:160] = True  # the hole's first rows under the white skin
    assert np.percentile(_delta_e(by_surface[top], photo[top].astype(np.float32)), 90) < 6  # ... and met


def test_skin_lit_yellow_beside_the_hole_is_met_by_the_fill() -> None:
    # A lamp lights the back of a hand bright and yellower (hue 83 degrees, past skin's usual 80;
    # in shade 75): it is the same skin in another light, and the fill meets it. Taken for a
    # background, it was left out of the skin's membrane, and the fill ended against it in a
    # bright halo over a dark patch (75_1).
    height, width = 200, 220
    rows = np.mgrid[0:height, 0:width][0]
    light = np.clip((78 - rows) / 40, 0, 1)[..., None]  # lit above row 38, in shade below row 78
    shade, lit = np.array([140, 118, 92], np.float32), np.array([245, 220, 180], np.float32)
    grain = np.random.default_rng(0).normal(0, 2.5, (height, width, 3))
    photo = np.clip(shade + light * (lit - shade) + grain, 0, 255).astype(np.uint8)
    hole = _box(photo.shape)

    split = hole_surfaces(photo, hole)
    by_surface = split.membrane(photo.astype(np.float32))

    assert split.surfaces.count >= 2  # the lit skin is told apart by colour ...
    top = np.zeros_like(hole)
    top[40:43, 70:160] = True  # the hole's first rows under the lit skin
    assert np.percentile(_delta_e(by_surface[top], photo[top].astype(np.float32)), 90) < 6  # ... and met


def test_a_piece_of_the_hole_on_the_wall_alone_is_filled_with_the_wall() -> None:
    # A stroke that strayed off the arm onto the wall, a piece of the mask of its own.
    photo, beyond = _arm_against_a_wall()
    hole = _box(photo.shape)
    stray = np.zeros_like(hole)
    stray[60:90, 185:205] = True  # wholly on the wall
    split = hole_surfaces(photo, hole | stray)

    filled = split.membrane(photo.astype(np.float32))

    assert np.percentile(_delta_e(filled[stray], photo[stray].astype(np.float32)), 90) < 6


def test_the_hole_is_on_the_skin_more_than_on_its_greyed_shading() -> None:
    # Shading the mask left (greyed, skin-hued) holds more of the ring than the tan skin does;
    # the tan skin is the skin.
    photo = lit_skin(200, 220)
    grey = np.array([110, 98, 86], np.uint8)  # a little warm: of skin's hue, with little chroma
    hole = _box(photo.shape)
    ring = (cv2.dilate(hole.astype(np.uint8), np.ones((31, 31), np.uint8)) > 0) & ~hole
    greyed = ring & (np.mgrid[0:200, 0:220][0] > 85)  # the lower part of the ring
    photo[greyed] = grey

    surfaces = ring_surfaces(photo, hole)

    assert surfaces.count >= 2
    tan = surface_colour(photo[20, 100].astype(np.float32))
    assert np.linalg.norm(surfaces.centres[surfaces.main] - tan) < 8


def _limb_boxed_whole(height: int = 260, width: int = 220) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A pale arm under a yellow lamp (118_1's skin) running down to the photo's lower border,
    between a many-coloured background (bedding, a floor, a shirt, jeans, a chair), and a box over
    its whole width from a little below its top: the ring's only skin is the short arc above."""
    rng = np.random.default_rng(2)
    photo = np.zeros((height, width, 3), np.float32)
    photo[:, :110] = (225, 200, 210)            # bedding
    photo[130:, :110] = (120, 160, 110)         # a green floor
    photo[:, 110:] = (170, 240, 190)            # a shirt
    photo[90:180, 110:] = (60, 80, 140)         # jeans
    photo[180:, 110:] = (180, 30, 50)           # a chair
    arm = np.zeros((height, width), bool)
    arm[:, 60:160] = True
    photo[arm] = (172, 153, 123)
    photo = np.clip(photo + rng.normal(0, 2.0, photo.shape), 0, 255).astype(np.uint8)
    hole = np.zeros((height, width), bool)
    hole[60:, 52:168] = True
    return photo, hole, arm


def test_a_box_over_a_limbs_whole_width_is_filled_with_its_skin() -> None:
    # k-means merged the short arc of skin into a grey group of the many background colours,
    # and the box over the arm filled grey (118_1).
    photo, hole, arm = _limb_boxed_whole()
    skin = photo[20, 100].astype(np.float32)

    surfaces = ring_surfaces(photo, hole)
    assert np.linalg.norm(surfaces.centres[surfaces.main] - surface_colour(skin)) < 8

    filled = hole_surfaces(photo, hole).membrane(photo.astype(np.float32))
    middle = hole & arm & (np.mgrid[0:260, 0:220][0] > 120)
    assert np.median(_delta_e(filled[middle], np.broadcast_to(skin, filled[middle].shape))) < 6


def test_a_box_cut_by_the_photos_border_keeps_the_background_to_its_own_side() -> None:
    """Where the hole runs along the photo's border there is no ring: a background arc reaching
    the border ends there, instead of running up the border and taking a wedge of the skin."""
    photo = lit_skin(200, 220)
    rng = np.random.default_rng(2)
    photo[160:] = np.clip(np.array([150, 165, 190]) + rng.normal(0, 2, (40, 220, 3)), 0, 255).astype(np.uint8)
    hole = np.zeros(photo.shape[:2], bool)
    hole[60:185, 120:] = True  # across the skin's lower edge, out to the right border

    split = hole_surfaces(photo, hole)

    skin = split.parts[split.surfaces.main]
    assert skin[60:140, 170:].mean() > 0.9  # 0.33 when the arc ran up the border
    assert skin[170:185, 125:160].mean() < 0.1  # the background's own corner stays background
