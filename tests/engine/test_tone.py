"""Frequency separation: the fill's tone from the membrane fill, its texture from the generator."""

from __future__ import annotations

import cv2
import numpy as np
import torch

from skingan_desktop.engine.tone import frequency_separated_fill, remove_lattice_pattern, texture_ramp
from skingan_desktop.training.texture import diffusion_fills, texture_composite


def _skin_and_pinkish_fill() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    skin = np.clip(np.full((128, 160, 3), (200, 160, 140), np.float32) + rng.normal(0, 3, (128, 160, 3)), 0, 255)
    skin = skin.astype(np.uint8)
    hole = np.zeros((128, 160), bool)
    hole[40:90, 50:120] = True
    filled = skin.copy()
    filled[hole] = np.clip(np.array((230, 130, 150)) + rng.normal(0, 6, (128, 160, 3))[hole], 0, 255).astype(np.uint8)
    return skin, filled, hole


def _grain(photo: np.ndarray, hole: np.ndarray) -> float:
    """Fine detail inside the hole, away from its edge (where the grain fades in)."""
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
    inner = cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    return float((gray - cv2.GaussianBlur(gray, (0, 0), 1.5))[inner].std())


def test_an_off_tone_fill_takes_the_skins_tone_and_keeps_its_texture() -> None:
    skin, filled, hole = _skin_and_pinkish_fill()

    out = frequency_separated_fill(skin, filled, hole)

    assert np.array_equal(out[~hole], skin[~hole])
    before = np.abs(filled[hole].mean(0) - skin[~hole].mean(0)).max()
    after = np.abs(out[hole].mean(0) - skin[~hole].mean(0)).max()
    assert before > 25 and after < 2
    assert _grain(out, hole) > 0.9 * _grain(filled, hole)  # the texture survives


def test_texture_strength_scales_the_grain() -> None:
    skin, filled, hole = _skin_and_pinkish_fill()
    grains = [_grain(frequency_separated_fill(skin, filled, hole, strength=s), hole) for s in (0.0, 0.5, 1.0)]
    assert grains[0] < 0.5 < grains[1] < grains[2] and grains[1] > 3 * grains[0]
    assert abs(grains[1] / grains[2] - 0.5) < 0.1


def test_training_sees_the_fill_the_engine_makes() -> None:
    skin, filled, hole = _skin_and_pinkish_fill()
    image = torch.from_numpy(skin).permute(2, 0, 1)[None].float() / 255
    prediction = torch.from_numpy(filled).permute(2, 0, 1)[None].float() / 255
    mask = torch.from_numpy(hole)[None, None].float()

    trained = texture_composite(image, mask, prediction, diffusion_fills(image, mask))

    engine = frequency_separated_fill(skin, filled, hole)
    assert np.abs(trained[0].permute(1, 2, 0).numpy() * 255 - engine.astype(np.float32)).max() < 1.5


def test_the_grain_fades_in_from_the_edge_of_the_hole() -> None:
    hole = np.zeros((40, 40), bool)
    hole[10:30, 10:30] = True
    ramp = texture_ramp(hole)
    assert ramp[~hole].max() == 0 and ramp[10, 20] == 0 and 0 < ramp[11, 20] < 1 and ramp[20, 20] == 1


def test_the_generators_lattice_pattern_is_taken_out_and_the_grain_kept() -> None:
    rng = np.random.default_rng(0)
    grain = rng.normal(0, 3, (96, 120, 3)).astype(np.float32)
    cell = rng.normal(0, 2, (8, 8, 3)).astype(np.float32)
    lattice = np.tile(cell - cell.mean(axis=(0, 1)), (12, 15, 1))
    everywhere = np.ones((96, 120), np.float32)

    cleaned = remove_lattice_pattern(grain + lattice, everywhere)

    assert np.std(cleaned - grain) < 0.3 * np.std(lattice)
    assert np.corrcoef(cleaned.ravel(), grain.ravel())[0, 1] > 0.97

    stroke = np.zeros((96, 120), np.float32)  # a thin stroke: too few samples to call grain a pattern
    stroke[40:43, 10:110] = 1
    kept = remove_lattice_pattern(grain, stroke)
    assert np.std(kept[40:43, 10:110]) > 0.8 * np.std(grain[40:43, 10:110])


def test_an_empty_hole_changes_nothing() -> None:
    photo = np.zeros((20, 20, 3), np.uint8)
    assert np.array_equal(frequency_separated_fill(photo, photo, np.zeros((20, 20), bool)), photo)


def test_a_hole_over_everything_keeps_the_generators_fill() -> None:
    skin, filled, _ = _skin_and_pinkish_fill()
    everything = np.ones(skin.shape[:2], bool)  # no skin around to take a tone from
    assert np.array_equal(frequency_separated_fill(skin, filled, everything), filled)


def test_the_pattern_along_the_holes_edge_is_taken_out_apart_from_the_inside() -> None:
    rng = np.random.default_rng(1)
    hole = np.zeros((120, 160), bool)
    hole[16:104, 16:144] = True
    near_edge = hole & ~(cv2.erode(hole.astype(np.uint8), np.ones((19, 19), np.uint8)) > 0)
    grain = rng.normal(0, 3, (120, 160, 3)).astype(np.float32)
    cell = rng.normal(0, 3, (8, 8, 3)).astype(np.float32)
    edge_pattern = np.tile(cell - cell.mean(axis=(0, 1)), (15, 20, 1)) * near_edge[..., None]  # only along the edge

    together = remove_lattice_pattern(grain + edge_pattern, hole.astype(np.float32))
    apart = remove_lattice_pattern(grain + edge_pattern, hole.astype(np.float32), hole=hole)

    left_together = np.std((together - grain)[near_edge])
    left_apart = np.std((apart - grain)[near_edge])
    assert left_apart < 0.75 * left_together
    inner = hole & ~near_edge  # inside, the grain is kept as it was
    assert np.corrcoef(apart[inner].ravel(), grain[inner].ravel())[0, 1] > 0.97
