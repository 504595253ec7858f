"""Adding the ink around a click to a mask: the missed part of a tattoo, whole, and nothing else."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from skingan_desktop.engine.ink import NoInkFound
from skingan_desktop.engine.ink_at import ink_at
from tests.conftest import lit_skin


def _inked(skin: np.ndarray, ink: np.ndarray) -> np.ndarray:
    out = skin.copy()
    out[ink] = (0.35 * skin[ink] + 0.65 * np.array([40, 45, 70])).astype(np.uint8)
    return out


def test_a_click_on_a_missed_piece_adds_that_piece_whole_and_keeps_the_mask() -> None:
    skin = lit_skin(300, 400)
    circle, eye, line = (np.zeros(skin.shape[:2], np.uint8) for _ in range(3))
    cv2.circle(circle, (120, 150), 50, 255, 3)
    cv2.ellipse(eye, (300, 90), (9, 6), 0, 0, 360, 255, -1)       # the missed eye
    cv2.line(line, (60, 270), (380, 250), 255, 2)                # a long stroke, longer than one disc
    photo = _inked(skin, (circle | eye | line) > 0)
    mask = cv2.dilate(circle, np.ones((7, 7), np.uint8)) > 0      # the mask has the circle only

    with_eye = ink_at(photo, (300, 90), mask)

    assert with_eye[mask].all()                                  # nothing of the mask is lost
    assert with_eye[eye > 0].all()                               # the eye, all of it
    added = with_eye & ~mask
    assert added.sum() < 4 * (eye > 0).sum()                     # the eye and its halo, no more
    assert not added[line > 0].any()                             # not the other stroke

    with_line = ink_at(photo, (220, 259), mask)                  # a click on the stroke's middle
    assert with_line[line > 0].mean() > 0.98                     # both of its ends, past the first disc


def test_a_click_on_plain_skin_says_there_is_no_ink_there() -> None:
    skin = lit_skin(300, 400)
    with pytest.raises(NoInkFound, match="No ink found where you clicked"):
        ink_at(skin, (200, 150), np.zeros(skin.shape[:2], bool))
    with pytest.raises(NoInkFound, match="outside the photo"):
        ink_at(skin, (500, 10), np.zeros(skin.shape[:2], bool))
