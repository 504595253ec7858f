"""Shared fixtures: the reference data in ../shared/fixtures and real photos in ../shared/data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
PHOTOS = SHARED / "data" / "tattoo-photos"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"reference fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(scope="session")
def parity_small(fixtures_dir: Path) -> dict:
    """The official small generator's config, state dict, input and output."""
    return torch.load(fixtures_dir / "parity_small.pt", weights_only=True)


@pytest.fixture(scope="session")
def small_weights(fixtures_dir: Path) -> Path:
    return fixtures_dir / "parity_small.pt"


@pytest.fixture(scope="session")
def tattoo_photo() -> tuple[Path, tuple[int, int, int, int]]:
    """A real tattoo photo and its first tattoo box ``(x1, y1, x2, y2)``."""
    path = PHOTOS / "23_1.jpg"
    x1, y1, x2, y2 = (int(float(v)) for v in path.with_suffix(".txt").read_text().split()[:4])
    return path, (x1, y1, x2, y2)


def box_mask(width: int, height: int, box: tuple[int, int, int, int]) -> np.ndarray:
    """A uint8 mask, 255 inside ``box``."""
    mask = np.zeros((height, width), np.uint8)
    x1, y1, x2, y2 = box
    mask[y1:y2, x1:x2] = 255
    return mask


def lit_skin(height: int = 240, width: int = 320, seed: int = 0) -> np.ndarray:
    """Skin with a gradient of light across it and a little grain."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width]
    base = np.stack([205 - 0.15 * cols, 165 - 0.1 * rows - 0.05 * cols, 145 - 0.1 * rows], axis=-1)
    return np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8)


def drawn_tattoo(skin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The skin with a line drawing and a filled shape in blue-black ink, and the ink's mask."""
    ink = np.zeros(skin.shape[:2], np.uint8)
    cv2.circle(ink, (150, 120), 45, 255, 2)
    cv2.line(ink, (110, 80), (200, 170), 255, 1)
    cv2.ellipse(ink, (170, 110), (14, 8), 30, 0, 360, 255, -1)
    tattooed = skin.copy()
    tattooed[ink > 0] = (0.35 * skin[ink > 0] + 0.65 * np.array([40, 45, 70])).astype(np.uint8)
    return tattooed, ink > 0


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skingan_desktop", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
