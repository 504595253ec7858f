"""No ghost: a mask that stops short of the ink's soft edge does not carry its tint into the fill."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.anchor import anchored_hole, halo_for
from skingan_desktop.engine.membrane import membrane_fill
from skingan_desktop.engine.runner import InpaintSettings, Inpainter, apply_results
from skingan_desktop.engine.tone import native_fill
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from tests.conftest import drawn_tattoo, lit_skin


def _tattoo_with_a_tinted_halo() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clean skin, the same skin with a drawn tattoo whose ink greys the skin 1-4 px around it,
    the mask a retoucher painted (the ink and 1 px), and the tinted halo the mask missed."""
    skin = lit_skin()
    tattooed, ink = drawn_tattoo(skin)
    distance = cv2.distanceTransform((~ink).astype(np.uint8), cv2.DIST_L2, 3)
    halo = (distance > 0) & (distance <= 4)
    tint = np.where(halo[..., None], np.array([-24, -22, -12]), 0)
    tattooed = np.clip(tattooed.astype(int) + tint, 0, 255).astype(np.uint8)
    hole = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return skin, tattooed, hole, halo & ~hole


def test_the_tinted_ring_joins_what_is_redone_and_plain_skin_does_not() -> None:
    skin, tattooed, hole, missed = _tattoo_with_a_tinted_halo()

    redone = anchored_hole(tattooed, hole, band=6)

    assert (redone & missed).sum() > 0.85 * missed.sum()
    near_missed = cv2.dilate(missed.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert not (redone & ~hole & ~near_missed).any()
    assert np.array_equal(anchored_hole(skin, hole, band=6), hole)  # clean skin around: nothing added
    assert halo_for((480, 360)) == 3 and halo_for((4000, 6000)) == 38  # the ink's edge grows with the photo


def test_no_ghost_of_the_tattoo_in_the_fill() -> None:
    skin, tattooed, hole, _ = _tattoo_with_a_tinted_halo()
    truth = skin.astype(np.float32)

    def darkening(redone: np.ndarray) -> float:
        composite = membrane_fill(tattooed, redone).astype(np.float32)
        out = native_fill(tattooed, hole, redone, tattooed, redone, composite, strength=0)
        return float((truth[hole] - out[hole].astype(np.float32)).mean())

    assert darkening(hole) > 4                                    # anchored on the tint: a grey ghost
    assert abs(darkening(anchored_hole(tattooed, hole, band=6))) < 1.5

    # Through the engine, with the embedded model: the fill is the clean skin's tone, and only
    # the mask's pixels change.
    generator = load_generator(embedded_model_path())
    results = Inpainter(generator, InpaintSettings(refine=False)).run(tattooed, hole)
    out = apply_results(tattooed, results, refined=False)
    assert np.array_equal(out[~hole], tattooed[~hole])
    assert abs(float((truth[hole] - out[hole].astype(np.float32)).mean())) < 2.5


def test_ink_under_the_mask_stays_out_of_the_ring_of_a_shrunk_region() -> None:
    # A 640 px photo is worked at 512: each working pixel at the mask's edge is part ink, part
    # skin. Counted as ring, the pixels under 50 % ink drew a dark line all round the hole, and
    # the fill greyed towards it (10 levels darker on average here).
    smooth = cv2.resize(lit_skin(seed=3).astype(np.float32), (640, 480), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(1).normal(0, 2.5, smooth.shape)
    skin = np.clip(cv2.GaussianBlur(smooth, (0, 0), 4) + noise, 0, 255).astype(np.uint8)
    hole = np.zeros(skin.shape[:2], bool)
    hole[171:362, 107:] = True  # a box at the photo's right border, its edges between working pixels
    tattooed = skin.copy()
    tattooed[hole] = (40, 45, 60)

    generator = load_generator(embedded_model_path())
    results = Inpainter(generator, InpaintSettings(refine=False)).run(tattooed, hole)
    out = apply_results(tattooed, results, refined=False)

    assert max(max(r.region.height, r.region.width) for r in results) > InpaintSettings().preview_side  # shrunk
    darkening = skin[hole].astype(np.float32) - out[hole].astype(np.float32)
    assert abs(float(darkening.mean())) < 2.0
    assert np.array_equal(out[~hole], tattooed[~hole])
