"""Native-resolution grain: taken from the real skin around the hole, it has that skin's grain."""

from __future__ import annotations

import cv2
import numpy as np

from skingan_desktop.engine.grain import native_grain
from skingan_desktop.engine.membrane import membrane_fill
from skingan_desktop.io.photos import load_photo
from skingan_desktop.training.data import tattoo_boxes
from skingan_desktop.training.fill_metrics import lattice_share
from tests.conftest import PHOTOS


def _detail(gray: np.ndarray, sigma: float) -> np.ndarray:
    return gray - cv2.GaussianBlur(gray, (0, 0), sigma)


def _spread(values: np.ndarray) -> float:
    return float(np.median(np.abs(values - np.median(values))))


def _real_skin() -> np.ndarray:
    """A clean window of real chest skin (photo 58_1, between its tattoos and the nipples),
    enlarged 3x as a 24 MP photo's skin would be sampled: the pores span several pixels."""
    photo = load_photo(PHOTOS / "58_1.JPG")
    return cv2.resize(photo[235:315, 110:190], None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)


def test_the_grain_has_the_rings_statistics() -> None:
    skin = _real_skin()
    hole = np.zeros(skin.shape[:2], bool)
    hole[60:180, 60:180] = True
    sigma = 4.5  # a fill made at a third of the size: the grain carries everything finer
    tone = cv2.GaussianBlur(membrane_fill(skin, hole).astype(np.float32), (0, 0), sigma)

    grain = native_grain(skin, hole, tone, sigma, seed=1)

    assert not grain[~hole].any()
    fill = np.where(hole[..., None], tone + grain, skin.astype(np.float32))
    gray_fill = cv2.cvtColor(np.clip(fill, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    gray_true = cv2.cvtColor(skin, cv2.COLOR_RGB2GRAY).astype(np.float32)
    inner = cv2.erode(hole.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    ring = ~(cv2.dilate(hole.astype(np.uint8), np.ones((11, 11), np.uint8)) > 0)  # the skin it draws from
    for band in (1.5, sigma):  # the finest band and the whole grain band
        made, real = _detail(gray_fill, band)[inner], _detail(gray_true, band)[ring]
        # Robust spreads: the skin around holds a few features (a chain, edges) that are no grain.
        assert 0.8 < _spread(made) / _spread(real) < 1.35
    # No lattice: no more of an 8 px pattern than the real skin has.
    assert lattice_share(np.clip(fill, 0, 255).astype(np.uint8), inner) < 1.3 * lattice_share(skin, inner)


def test_shadowed_skin_gets_fainter_grain_and_no_grain_comes_from_avoided_pixels() -> None:
    skin = _real_skin().astype(np.float32)
    skin[:, 120:] *= 0.5  # the right half in shadow
    skin = skin.astype(np.uint8)
    hole = np.zeros(skin.shape[:2], bool)
    hole[80:180, 30:90] = hole[80:180, 150:210] = True
    tone = cv2.GaussianBlur(membrane_fill(skin, hole).astype(np.float32), (0, 0), 1.5)

    grain = native_grain(skin, hole, tone, 1.5)
    lit, shade = grain[80:180, 30:90].std(), grain[80:180, 150:210].std()
    # Halving the light halves the grain; this skin is coarser where the shadow falls, and
    # the truth in the holes' places is 0.69.
    assert 0.3 < shade / lit < 0.8

    everything_else = ~hole
    everything_else[:10] = False  # only a strip at the top is allowed, too small for a tile
    assert not native_grain(skin, hole, tone, 1.5, avoid=everything_else).any()


def test_a_busy_background_beside_the_hole_prints_no_dashes_in_the_fill() -> None:
    """A big box whose surroundings are half real skin and half a tiled floor of the same tone
    (grout lines, a few bright specks): the floor's lines and specks are shapes, not grain, and
    none of them is laid into the fill as a dash; the skin's grain still is."""
    skin = _real_skin()
    floor = np.full_like(skin, np.median(skin.reshape(-1, 3), axis=0).astype(np.uint8))
    floor[::40] = floor[:, ::40] = floor[1::40] = floor[:, 1::40] = (70, 60, 55)  # grout
    rng = np.random.default_rng(3)
    for y, x in rng.integers(0, skin.shape[0] - 3, size=(40, 2)):
        floor[y:y + 3, x:x + 9] = 250  # specks
    photo = skin.copy()
    photo[:, :110] = floor[:, :110]
    hole = np.zeros(photo.shape[:2], bool)
    hole[40:200, 70:170] = True
    sigma = 4.5
    tone = cv2.GaussianBlur(membrane_fill(photo, hole).astype(np.float32), (0, 0), sigma)

    grain = native_grain(photo, hole, tone, sigma, seed=2)

    relative = cv2.cvtColor(np.clip(grain + 128, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32) - 128
    real = _detail(cv2.cvtColor(skin, cv2.COLOR_RGB2GRAY).astype(np.float32), sigma)
    # A grout line or speck laid in moves pixels by tens of levels (over 120 before the gate),
    # more than the deepest pore of the skin that is really there.
    assert np.abs(relative[hole]).max() < np.abs(real[hole]).max()
    assert 1.4826 * _spread(relative[hole]) > 0.5 * 1.4826 * _spread(real)


def test_each_surface_takes_its_grain_from_its_own_pixels() -> None:
    # A narrow limb of fine-grained skin across a box, crumpled plastic of the same mean tone on
    # both sides: the skin's part of the hole gets the skin's grain, the plastic's the plastic's.
    rng = np.random.default_rng(3)
    height, width = 180, 200
    columns = np.arange(width)[None, :].repeat(height, axis=0)
    limb = (columns >= 80) & (columns < 120)
    fine = rng.normal(0, 2.0, (height, width))
    coarse = cv2.GaussianBlur(rng.normal(0, 1, (height, width)), (0, 0), 1.0)
    gray = 170 + np.where(limb, fine, coarse * 12 / coarse.std())
    photo = np.clip(gray, 0, 255).astype(np.uint8)[..., None].repeat(3, axis=-1)
    hole = np.zeros((height, width), bool)
    hole[30:150, 30:170] = True
    tone = np.full((height, width, 3), 170, np.float32)

    def smoothness(grain: np.ndarray) -> tuple[float, float]:
        """The grain's correlation with itself a pixel across, in the limb and beside it: about
        0 for the skin's fine grain, 0.8 for the plastic's coarse crinkles."""
        values = grain[..., 0]
        inner = hole[:, 1:] & hole[:, :-1] & (cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)[:, 1:]
        found = []
        for side in (limb & ((columns - 100) ** 2 < 12**2), ~limb & ((columns - 100) ** 2 > 28**2)):
            where = inner & side[:, 1:]
            found.append(float(np.corrcoef(values[:, 1:][where], values[:, :-1][where])[0, 1]))
        return tuple(found)

    skin_side, plastic_side = smoothness(native_grain(photo, hole, tone, 1.5, seed=2, surfaces=limb.astype(np.int8)))
    assert skin_side < 0.2 and plastic_side > 0.4
    mixed_skin, _ = smoothness(native_grain(photo, hole, tone, 1.5, seed=2))
    assert mixed_skin > 0.3  # told nothing of the surfaces, the tone alone mixes them up


def _straw(rng: np.random.Generator, shape: tuple[int, int], tone: float) -> np.ndarray:
    """Criss-crossed straws of ``tone`` on average: bright and dark strokes, mostly upright."""
    canvas = np.full(shape, tone)
    for _ in range(shape[0] * shape[1] // 150):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        angle = rng.normal(np.pi / 2, 0.5)
        end = (int(x + 30 * np.cos(angle)), int(y + 30 * np.sin(angle)))
        cv2.line(canvas, (int(x), int(y)), end, float(tone + rng.choice([-40, 40])), 2)
    return canvas - canvas.mean() + tone


def test_a_limb_on_straw_takes_its_grain_from_its_own_skin() -> None:
    # A forearm on straw of the same tone (a black-and-white photo, 147_1): the box over the
    # tattoo leaves a band of skin on each side and the arm above and below. The straw's pieces
    # laid in printed as glyphs: the grain must be the arm's.
    rng = np.random.default_rng(5)
    height, width = 320, 260
    columns = np.arange(width)[None, :].repeat(height, axis=0)
    limb = (columns >= 70) & (columns < 190)
    skin = 170 + rng.normal(0, 3.0, (height, width))
    photo = np.clip(np.where(limb, skin, _straw(rng, (height, width), 170.0)), 0, 255).astype(np.uint8)
    photo = photo[..., None].repeat(3, axis=-1)
    hole = np.zeros((height, width), bool)
    hole[70:250, 100:160] = True

    grain = native_grain(photo, hole, np.full((height, width, 3), 170, np.float32), 1.5, seed=1)[..., 0]

    inner = cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    skin_detail = _detail(skin, 1.5)[limb & ~hole].std()
    assert 0.7 < grain[inner].std() / skin_detail < 1.4  # 2.6 times the skin's when taken from the straw
    both = inner[3:] & inner[:-3]  # the straws' strokes run on: their detail repeats 3 px along them
    assert np.corrcoef(grain[3:][both], grain[:-3][both])[0, 1] < 0.1


def test_no_tile_of_the_grain_stands_out_on_a_whole_tattoo() -> None:
    # 22_1: a back whose skin around the box is scarce, beside plastic wrap and a blurred body
    # part of the skin's tone; 135_1: a forearm on crumpled plastic. Sources that were a flat
    # patch with the odd JPEG speck, each raised to the skin's energy, printed as glyphs: the
    # local energy of the grain was 4.5 and 10 times its usual at the 99th percentile.
    for name, limit in (("22_1", 3.0), ("135_1", 6.0)):
        photo = load_photo(PHOTOS / f"{name}.JPG")
        hole = np.zeros(photo.shape[:2], bool)
        for left, top, right, bottom in tattoo_boxes(PHOTOS / f"{name}.JPG"):
            hole[top:bottom, left:right] = True
        tone = cv2.GaussianBlur(membrane_fill(photo, hole).astype(np.float32), (0, 0), 1.5)

        relative = native_grain(photo, hole, tone, 1.5, seed=1)[..., 1] / tone[..., 1]

        inner = cv2.erode(hole.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
        local = cv2.boxFilter(relative * relative, -1, (9, 9))[inner]
        assert np.percentile(local, 99) < limit * np.median(local), name


def test_no_grain_comes_from_a_surface_of_another_colour() -> None:
    # The mask took an arm's skin whole (103_2): around it only crumpled blue-grey plastic.
    # Laid into the skin's fill its crinkles printed as cracks; a skin fill gets no grain from it.
    rng = np.random.default_rng(4)
    height, width = 200, 200
    crinkles = cv2.GaussianBlur(rng.normal(0, 1, (height, width)), (0, 0), 1.0)
    plastic = np.array([150, 160, 180]) * (1 + 0.12 * crinkles / crinkles.std())[..., None]
    photo = np.clip(plastic, 0, 255).astype(np.uint8)
    hole = np.zeros((height, width), bool)
    hole[40:160, 60:140] = True

    def grain_energy(tone_colour) -> float:
        tone = np.broadcast_to(np.array(tone_colour, np.float32), (height, width, 3)).copy()
        grain = native_grain(photo, hole, tone, 1.5, seed=1)
        return float(np.mean((grain[hole] / tone[hole]) ** 2))

    assert grain_energy((215, 170, 140)) < 0.02 * grain_energy((150, 160, 180))  # skin's fill: none
