"""The app ships a default generator: it loads, and `inpaint` uses it when no --weights is given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from skingan_desktop.model import load_generator
from skingan_desktop.model.weights import read_metadata
from skingan_desktop.resources import embedded_model_path
from tests.conftest import run_cli


def test_the_embedded_model_ships_with_its_model_card() -> None:
    path = embedded_model_path()
    assert path is not None, "resources/models/skingan-default.safetensors is missing"
    assert path.stat().st_size < 30 * 2**20
    card = path.with_suffix(".md").read_text()
    assert "PatchMatch" in card and "skingan-desktop train" in card
    assert "model_card" in read_metadata(path)
    load_generator(path)


def test_inpaint_without_weights_uses_the_embedded_model(tmp_path: Path, tattoo_photo) -> None:
    source, (x1, y1, x2, y2) = tattoo_photo
    photo = np.asarray(Image.open(source).convert("RGB"))
    Image.fromarray(photo).save(tmp_path / "arm.png")
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[y1:y2, x1:x2] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")

    result = run_cli("inpaint", tmp_path / "arm.png", tmp_path / "mask.png", "-o", tmp_path / "clean.png")

    assert result.returncode == 0, result.stderr
    cleaned = np.asarray(Image.open(tmp_path / "clean.png"))
    assert np.array_equal(cleaned[mask == 0], photo[mask == 0])


def test_texture_strength_sets_the_grain_of_the_fill(tmp_path: Path, tattoo_photo) -> None:
    import cv2

    source, (x1, y1, x2, y2) = tattoo_photo
    Image.open(source).convert("RGB").save(tmp_path / "arm.png")
    mask = np.zeros(Image.open(source).size[::-1], np.uint8)
    mask[y1:y2, x1:x2] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")

    def grain(strength: str) -> float:
        out = tmp_path / f"clean-{strength}.png"
        result = run_cli("inpaint", tmp_path / "arm.png", tmp_path / "mask.png", "-o", out, "--texture-strength", strength)
        assert result.returncode == 0, result.stderr
        gray = cv2.cvtColor(np.asarray(Image.open(out)), cv2.COLOR_RGB2GRAY).astype(np.float32)
        inner = cv2.erode(mask, np.ones((9, 9), np.uint8)) > 0
        return float((gray - cv2.GaussianBlur(gray, (0, 0), 1.5))[inner].std())

    smooth, grainy = grain("0"), grain("1")
    assert grainy > 1.5 * smooth

    refused = run_cli("inpaint", tmp_path / "arm.png", tmp_path / "mask.png", "-o", tmp_path / "x.png",
                      "--texture-strength", "5")
    assert refused.returncode != 0 and "--texture-strength" in refused.stderr
