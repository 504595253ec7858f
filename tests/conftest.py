"""Shared fixtures: the reference data in ../shared/fixtures and real photos in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

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
