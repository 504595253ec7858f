"""Frequency separation: the fill's tone from the generator, joined seamlessly to the skin, and
the photo's own grain over it."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.tone import enlarged, fill_tone, native_fill, tone_sigma
from tests.conftest import lit_skin


def _grain(photo: np.ndarray, hole: np.ndarray) -> float:
    """Fine detail (luma finer than a 1.5 px Gaussian) inside the hole, away from its edge."""
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
    inner = cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    return float((gray - cv2.GaussianBlur(gray, (0, 0), 1.5))[inner].std())


def _skin_hole_and_offset_fill(shape: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lit skin, a large hole, and a generator's fill that is 25 levels too pink and smooth,
    with (``shape``) a bright disc of its own in the middle: structure the generator drew."""
    skin = lit_skin(160, 200)
    hole = np.zeros(skin.shape[:2], bool)
    hole[40:120, 50:150] = True
    composite = skin.astype(np.float32)
    composite[hole] = cv2.GaussianBlur(skin, (0, 0), 6).astype(np.float32)[hole] + np.array([25, -10, 10])
    if shape:
        cv2.circle(composite, (100, 80), 12, (235, 200, 185), -1)
    return skin, hole, composite


def test_the_fills_tone_joins_the_skin_and_keeps_what_the_generator_drew() -> None:
    skin, hole, composite = _skin_hole_and_offset_fill()

    tone = fill_tone(skin, hole, composite, 1.5)

    assert np.array_equal(tone[~hole], skin[~hole].astype(np.float32))
    edge = hole & ~(cv2.erode(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
    blurred = cv2.GaussianBlur(skin, (0, 0), 3).astype(np.float32)
    assert np.abs(composite[edge] - blurred[edge]).mean() > 15  # the fill as drawn is off at the seam
    assert np.abs(tone[edge] - blurred[edge]).mean() < 3        # its tone meets the skin's
    # The drawn shape survives, as a bump over the corrected tone.
    assert tone[80, 100].mean() - tone[80, 70].mean() > 0.8 * (composite[80, 100].mean() - composite[80, 70].mean())


def test_texture_strength_scales_the_photos_grain_in_the_fill() -> None:
    skin, hole, composite = _skin_hole_and_offset_fill(shape=False)
    grains = [_grain(native_fill(skin, hole, hole, skin, hole, composite, strength=s), hole) for s in (0.0, 0.5, 1.0)]
    assert grains[0] < 0.5 < grains[1] < grains[2]
    assert abs(grains[1] / grains[2] - 0.5) < 0.1


def test_outside_the_hole_nothing_changes() -> None:
    skin, hole, composite = _skin_hole_and_offset_fill()
    redone = cv2.dilate(hole.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    out = native_fill(skin, hole, redone, skin, redone, composite)
    assert np.array_equal(out[~hole], skin[~hole]) and not np.array_equal(out[hole], skin[hole])
    nothing = np.zeros_like(hole)
    assert np.array_equal(native_fill(skin, nothing, nothing, skin, nothing, composite), skin)


def test_a_tone_made_small_is_enlarged_where_it_is_needed_only() -> None:
    small = cv2.GaussianBlur(lit_skin(60, 80).astype(np.float32), (0, 0), 2)
    whole = cv2.resize(small, (320, 240), interpolation=cv2.INTER_LINEAR)
    assert np.abs(enlarged(small, (240, 320), (0, 240, 0, 320)) - whole).max() < 0.01
    assert np.abs(enlarged(small, (240, 320), (50, 90, 100, 260)) - whole[50:90, 100:260]).max() < 0.01


def test_the_cut_between_tone_and_grain_follows_the_enlargement() -> None:
    assert tone_sigma((480, 360), (480, 360)) == 1.5
    assert tone_sigma((2048, 1536), (512, 384)) == 6.0
    assert tone_sigma((100, 80), (512, 400)) == 1.5  # never below the working size's own cut


def test_no_lattice_in_a_large_fill_of_lit_skin() -> None:
    """The embedded generator's 8 px lattice (its transposed convolutions) does not show: a
    large hole in flat, lit skin is filled with no more of an 8 px pattern than the skin has,
    and only the hole changes."""
    from skingan_desktop.engine.runner import InpaintSettings, Inpainter, apply_results
    from skingan_desktop.model import load_generator
    from skingan_desktop.resources import embedded_model_path
    from skingan_desktop.training.fill_metrics import lattice_share

    skin = lit_skin(256, 320, seed=3)
    hole = np.zeros(skin.shape[:2], bool)
    hole[48:208, 64:256] = True
    generator = load_generator(embedded_model_path())

    out = apply_results(skin, Inpainter(generator, InpaintSettings(refine=False)).run(skin, hole), refined=False)

    assert np.array_equal(out[~hole], skin[~hole])
    inner = cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert lattice_share(out, inner) < 1.3 * lattice_share(skin, inner)
    assert _grain(out, hole) > 0.6 * _grain(skin, hole)  # and it is not smooth either


def test_thin_lines_are_crossed_by_the_skins_real_detail() -> None:
    """A tattoo of 3 px lines over skin with pores: each line is filled with the detail its two
    edges hold, carried across, not with an unrelated grain (which is as far from the truth as
    the detail itself is strong), and the fill is not smooth: a line 3 px wide keeps more than a
    third of the skin's fine detail energy (the membrane alone keeps a 80th)."""
    from skingan_desktop.engine.membrane import membrane_fill
    from skingan_desktop.training.evaluate import texture_gap

    rng = np.random.default_rng(5)
    pores = cv2.GaussianBlur(rng.normal(0, 1, (200, 240)).astype(np.float32), (0, 0), 1.5)
    pores *= 7 / pores.std()
    truth = np.clip(lit_skin(200, 240, seed=4) + pores[..., None], 0, 255).astype(np.uint8)
    lines = np.zeros(truth.shape[:2], np.uint8)
    cv2.circle(lines, (120, 100), 60, 255, 3)
    cv2.line(lines, (40, 30), (200, 170), 255, 3)
    hole = lines > 0
    tattooed = truth.copy()
    tattooed[hole] = (40, 45, 70)

    out = native_fill(tattooed, hole, hole, tattooed, hole, membrane_fill(tattooed, hole).astype(np.float32),
                      structure=0)

    error = np.sqrt(((out[hole].astype(np.float32) - truth[hole]) ** 2).mean())
    assert error < 0.85 * pores[hole].std()  # grain alone: 0.98 of it
    assert texture_gap(out, hole) < 1.1
    assert np.array_equal(out[~hole], tattooed[~hole])


def test_a_black_and_white_photo_gets_a_grey_fill_from_a_tinted_generator() -> None:
    skin, hole, composite = _skin_hole_and_offset_fill()   # the generator's fill is pink
    grey = np.repeat(cv2.cvtColor(skin, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    out = native_fill(grey, hole, hole, grey, hole, composite)
    assert np.array_equal(out[~hole], grey[~hole])
    assert (out[hole].max(axis=1).astype(int) - out[hole].min(axis=1)).max() <= 1
    assert np.abs(out[hole].astype(int) - grey[hole]).mean() > 1     # filled, not left as it was
    coloured = native_fill(skin, hole, hole, skin, hole, composite)   # a colour photo keeps its colours
    assert (coloured[hole].max(axis=1).astype(int) - coloured[hole].min(axis=1)).mean() > 10


def test_deep_in_a_large_hole_the_tone_is_the_skins_not_a_generators_grey_guess() -> None:
    """A whole tattoo's box: the generator's fill is right near the edge and drifts to grey
    in the middle (the ghost of the tattoo), and the fill keeps the skin's colour there; a brush
    stroke keeps the light and shade the generator drew."""
    skin = lit_skin(240, 240)
    hole = np.zeros(skin.shape[:2], bool)
    hole[30:210, 30:210] = True
    depth = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)[..., None]
    grey = np.full(3, skin[hole].mean(axis=0).mean(), np.float32)  # the skin's brightness, no colour
    drift = np.clip(depth / 40.0, 0, 1)
    composite = skin.astype(np.float32) * (1 - drift) + grey * drift
    centre = (slice(100, 140), slice(100, 140))

    def chroma(photo: np.ndarray) -> float:  # red over blue, as a tint shows
        pixels = photo[centre].reshape(-1, 3).astype(np.float32)
        return float(pixels[:, 0].mean() - pixels[:, 2].mean())

    filled = native_fill(skin, hole, hole, skin, hole, composite, strength=0.0)
    assert chroma(composite) < 0.3 * chroma(skin)  # the generator's own tone: a grey patch
    assert chroma(filled) > 0.8 * chroma(skin)     # the skin's colour across the whole box

    stroke = np.zeros_like(hole)
    stroke[100:124, 20:220] = True                # a brush stroke 24 px wide: never far from the skin
    drawn = skin.astype(np.float32)
    drawn[108:116, 110:130] += 40                 # a shape the generator drew in its middle

    def bump(reach: float) -> float:
        out = native_fill(skin, stroke, stroke, skin, stroke, drawn, strength=0.0, structure_reach=reach)
        return float(out[109:115, 112:128].mean() - out[109:115, 60:80].mean())
    assert bump(np.inf) > 10 and bump(16.0) > 0.55 * bump(np.inf)


def test_a_colour_the_generator_carries_in_from_beside_the_limb_is_not_followed() -> None:
    """Where a hole's edge runs along jeans beside the arm, the generator carries their blue a
    few pixels into the arm, off the skin's colour by far more than skin varies across a hole:
    the fill keeps the skin's colour there, with the generator's light and shade."""
    skin = lit_skin(160, 200)
    hole = np.zeros(skin.shape[:2], bool)
    hole[40:120, 50:150] = True
    composite = cv2.GaussianBlur(skin, (0, 0), 3).astype(np.float32)
    band = (slice(50, 110), slice(54, 64))       # 4 to 14 px inside the hole's left edge
    composite[band] += np.array([-30.0, 10.0, 27.0], np.float32)  # bluer, the same luma
    composite[band] -= 12.0                      # and a shade the generator drew

    filled = native_fill(skin, hole, hole, skin, hole, composite, strength=0.0).astype(np.float32)

    def red_over_blue(pixels: np.ndarray) -> float:
        return float(pixels[..., 0].mean() - pixels[..., 2].mean())

    beside = skin[band[0], 64:80].astype(np.float32)  # the skin's colour next to the band
    assert red_over_blue(composite[band]) < red_over_blue(beside) - 40  # the generator's band is blue
    assert abs(red_over_blue(filled[band]) - red_over_blue(beside)) < 12  # the fill's is the skin's
    assert filled[band].mean() < filled[band[0], 64:80].mean() - 4     # and keeps the shade
