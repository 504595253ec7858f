"""Tone matching keeps the fill's texture, takes its tone from the skin around it."""

from __future__ import annotations

import numpy as np

from skingan_desktop.engine.tone import match_fill_tone


def test_an_off_tone_fill_is_pulled_to_the_surrounding_skin_and_keeps_its_texture() -> None:
    rng = np.random.default_rng(0)
    skin = np.clip(np.full((128, 160, 3), (200, 160, 140), np.float32) + rng.normal(0, 3, (128, 160, 3)), 0, 255)
    skin = skin.astype(np.uint8)
    hole = np.zeros((128, 160), bool)
    hole[40:90, 50:120] = True
    texture = rng.normal(0, 6, (128, 160, 3))
    filled = skin.copy()
    filled[hole] = np.clip(np.array((230, 130, 150)) + texture[hole], 0, 255).astype(np.uint8)  # pinkish

    out = match_fill_tone(skin, filled, hole)

    assert np.array_equal(out[~hole], skin[~hole])
    before = np.abs(filled[hole].mean(0) - skin[~hole].mean(0)).max()
    after = np.abs(out[hole].mean(0) - skin[~hole].mean(0)).max()
    assert before > 25 and after < 5
    detail = lambda a: (a.astype(np.float32) - np.roll(a, 1, axis=1).astype(np.float32))[hole].std()  # noqa: E731
    assert detail(out) > 0.8 * detail(filled)  # the texture survives


def test_an_empty_hole_changes_nothing() -> None:
    photo = np.zeros((20, 20, 3), np.uint8)
    assert np.array_equal(match_fill_tone(photo, photo, np.zeros((20, 20), bool)), photo)
