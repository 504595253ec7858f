"""Training masks, all seeded and drawn with OpenCV: ``(H, W)`` bool, True = hole.

- ``large_mask``: LaMa's "large masks" (thick polygonal chains, boxes, or both);
- ``tattoo_mask``: what tattoos look like on a limb or a back: organic filled blobs, bold
  curved strokes, thin line-work, lettering-like stroke groups, dense clusters, optionally
  warped as if wrapped around a limb;
- ``acne_mask``: clusters of small round and oval spots.

Each generator keeps its coverage (hole fraction) inside ``COVERAGE[kind]`` by redrawing.
"""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

COVERAGE = {"large": (0.05, 0.6), "tattoo": (0.03, 0.5), "acne": (0.002, 0.08)}


def _scale(size: tuple[int, int]) -> float:
    return min(size) / 256.0


def _chain(canvas: np.ndarray, rng: np.random.Generator, start, vertices: int, max_len: float, width: int,
           max_turn: float) -> None:
    x, y = start
    angle = rng.uniform(0, 2 * np.pi)
    for _ in range(vertices):
        angle += rng.uniform(-max_turn, max_turn)
        length = rng.uniform(0.3, 1.0) * max_len
        nx = int(np.clip(x + length * np.cos(angle), 0, canvas.shape[1] - 1))
        ny = int(np.clip(y + length * np.sin(angle), 0, canvas.shape[0] - 1))
        cv2.line(canvas, (int(x), int(y)), (nx, ny), 1, max(1, width), lineType=cv2.LINE_AA)
        x, y = nx, ny


def _large(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    height, width = size
    s = _scale(size)
    canvas = np.zeros(size, np.uint8)
    style = rng.choice(["chains", "boxes", "mixed"])
    if style in ("chains", "mixed"):
        for _ in range(rng.integers(1, 5)):
            _chain(canvas, rng, (rng.integers(0, width), rng.integers(0, height)), int(rng.integers(3, 10)),
                   100 * s, int(rng.integers(10, 50) * s), max_turn=2.0)
    if style in ("boxes", "mixed"):
        for _ in range(rng.integers(1, 4)):
            bw, bh = (int(rng.integers(15, 100) * s) for _ in range(2))
            x, y = int(rng.integers(0, max(1, width - bw))), int(rng.integers(0, max(1, height - bh)))
            canvas[y:y + bh, x:x + bw] = 1
    return canvas > 0


def _blob(canvas: np.ndarray, rng: np.random.Generator, center, radius: float) -> None:
    """A filled organic shape: a circle whose radius wobbles with a few harmonics."""
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    wobble = sum(rng.uniform(0, 0.25) * np.cos(k * angles + rng.uniform(0, 2 * np.pi)) for k in range(2, 6))
    aspect = rng.uniform(0.5, 1.0)
    rot = rng.uniform(0, np.pi)
    r = radius * (1 + wobble)
    xs, ys = r * np.cos(angles), aspect * r * np.sin(angles)
    pts = np.stack([xs * np.cos(rot) - ys * np.sin(rot) + center[0], xs * np.sin(rot) + ys * np.cos(rot) + center[1]], -1)
    cv2.fillPoly(canvas, [pts.round().astype(np.int32)], 1, lineType=cv2.LINE_AA)


def _curve(canvas: np.ndarray, rng: np.random.Generator, size, width: int, scroll: bool) -> None:
    """A smooth curve (a scroll when ``scroll``): a sampled spline through random points."""
    height, w = size
    t = np.linspace(0, 1, 80)
    if scroll:
        turns, r0 = rng.uniform(0.8, 2.0), rng.uniform(0.1, 0.35) * min(size)
        theta = t * turns * 2 * np.pi
        r = r0 * (1 - 0.7 * t)
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * height
        pts = np.stack([cx + r * np.cos(theta), cy + r * np.sin(theta)], -1)
    else:
        ctrl = rng.uniform([0, 0], [w, height], size=(4, 2))
        b = np.stack([(1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3], -1)
        pts = b @ ctrl
    cv2.polylines(canvas, [pts.round().astype(np.int32)], False, 1, max(1, width), lineType=cv2.LINE_AA)


def _tattoo(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    height, width = size
    s = _scale(size)
    canvas = np.zeros(size, np.uint8)
    for _ in range(rng.integers(1, 4)):
        element = rng.choice(["blob", "sleeve", "bold", "scroll", "linework", "lettering", "cluster"])
        cx, cy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height
        if element == "blob":
            _blob(canvas, rng, (cx, cy), rng.uniform(12, 50) * s)
        elif element == "sleeve":  # a large filled section, as on a sleeve or a back piece
            _blob(canvas, rng, (cx, cy), rng.uniform(55, 100) * s)
        elif element in ("bold", "scroll"):
            _curve(canvas, rng, size, int(rng.uniform(6, 18) * s), scroll=element == "scroll")
        elif element == "linework":
            for _ in range(rng.integers(4, 12)):
                _chain(canvas, rng, (cx + rng.normal(0, 20 * s), cy + rng.normal(0, 20 * s)),
                       int(rng.integers(2, 6)), 25 * s, max(1, int(rng.uniform(1.5, 4) * s)), max_turn=0.8)
        elif element == "lettering":
            letters, letter_w = int(rng.integers(3, 9)), rng.uniform(8, 18) * s
            for i in range(letters):
                x0 = cx - letters * letter_w / 2 + i * letter_w * 1.2
                _chain(canvas, rng, (x0, cy), int(rng.integers(2, 5)), letter_w, max(1, int(rng.uniform(2, 5) * s)),
                       max_turn=2.5)
        else:  # a dense cluster of small marks (dots, stars, small shapes)
            for _ in range(rng.integers(6, 20)):
                _blob(canvas, rng, (cx + rng.normal(0, 25 * s), cy + rng.normal(0, 25 * s)), rng.uniform(2, 7) * s)
    if rng.random() < 0.5:
        canvas = _wrap_around_limb(canvas, rng)
    return canvas > 0


def _wrap_around_limb(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Compress the shape towards the edges as a cylinder seen from the front would."""
    height, width = canvas.shape
    horizontal = rng.random() < 0.5
    n = width if horizontal else height
    u = np.linspace(-1, 1, n)
    strength = rng.uniform(0.3, 0.9)
    source = np.sin(u * np.pi / 2 * strength) / np.sin(np.pi / 2 * strength)  # arc length -> projection
    coords = ((source + 1) / 2 * (n - 1)).astype(np.float32)
    map_x, map_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    if horizontal:
        map_x = np.broadcast_to(coords[None, :], (height, width)).astype(np.float32)
    else:
        map_y = np.broadcast_to(coords[:, None], (height, width)).astype(np.float32)
    return cv2.remap(canvas, map_x, map_y, cv2.INTER_NEAREST)


def _acne(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    height, width = size
    s = _scale(size)
    canvas = np.zeros(size, np.uint8)
    for _ in range(rng.integers(1, 4)):
        cx, cy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height
        spread = rng.uniform(10, 45) * s
        for _ in range(rng.integers(3, 15)):
            x, y = int(cx + rng.normal(0, spread)), int(cy + rng.normal(0, spread))
            a = max(1, int(rng.uniform(1.5, 7) * s))
            b = max(1, int(a * rng.uniform(0.6, 1.0)))
            cv2.ellipse(canvas, (x, y), (a, b), rng.uniform(0, 180), 0, 360, 1, -1, lineType=cv2.LINE_AA)
    return canvas > 0


_DRAW: dict[str, Callable[[np.random.Generator, tuple[int, int]], np.ndarray]] = {
    "large": _large, "tattoo": _tattoo, "acne": _acne,
}


def make_mask(kind: str, size: tuple[int, int], seed: int | np.random.Generator) -> np.ndarray:
    """A ``(H, W)`` bool mask of ``kind`` ("large", "tattoo", "acne") whose coverage lies in
    ``COVERAGE[kind]``; the same seed always gives the same mask."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    low, high = COVERAGE[kind]
    for _ in range(50):
        mask = _DRAW[kind](rng, size)
        if low <= mask.mean() <= high:
            return mask
    # Pathological sizes: fall back to a centred box of the lowest allowed coverage.
    mask = np.zeros(size, bool)
    side_h, side_w = (max(1, int(round(d * np.sqrt(low * 1.2)))) for d in size)
    top, left = (size[0] - side_h) // 2, (size[1] - side_w) // 2
    mask[top:top + side_h, left:left + side_w] = True
    return mask


def sample_sheet(kind: str, count: int = 16, size: int = 192, seed: int = 0) -> np.ndarray:
    """A grid of ``count`` masks of ``kind`` as a uint8 image (white = hole), for looking at."""
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    sheet = np.full((rows * (size + 4) + 4, columns * (size + 4) + 4), 64, np.uint8)
    for i in range(count):
        r, c = divmod(i, columns)
        sheet[4 + r * (size + 4):4 + r * (size + 4) + size, 4 + c * (size + 4):4 + c * (size + 4) + size] = (
            make_mask(kind, (size, size), seed + i) * 255)
    return sheet
