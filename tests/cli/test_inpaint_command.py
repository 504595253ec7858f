"""`skingan-desktop inpaint` run as a subprocess, the way a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO, assert_one_line_error, box_mask, drawn_tattoo, lit_skin, run_cli


@pytest.fixture()
def photo_and_mask(tmp_path: Path, tattoo_photo) -> tuple[Path, Path, np.ndarray]:
    """A real tattoo photo saved as PNG (lossless, so pixels can be compared) and its box mask."""
    source, box = tattoo_photo
    photo = np.asarray(Image.open(source).convert("RGB"))
    photo_path = tmp_path / "arm.png"
    Image.fromarray(photo).save(photo_path)
    mask = box_mask(photo.shape[1], photo.shape[0], box)
    mask_path = tmp_path / "arm-mask.png"
    Image.fromarray(mask).save(mask_path)
    return photo_path, mask_path, mask > 0


def test_inpaint_fills_the_mask_and_keeps_everything_else(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    photo_path, mask_path, hole = photo_and_mask
    out = tmp_path / "clean.png"

    result = run_cli("inpaint", photo_path, mask_path, "-o", out, "--weights", small_weights, "--device", "cpu")

    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    original = np.asarray(Image.open(photo_path))
    cleaned = np.asarray(Image.open(out))
    assert cleaned.shape == original.shape
    assert np.array_equal(cleaned[~hole], original[~hole])
    assert not np.array_equal(cleaned[hole], original[hole])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_inpaint_writes_jpeg_and_odd_sizes(tmp_path: Path, small_weights: Path) -> None:
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (101, 77, 3), dtype=np.uint8)  # not a multiple of 8
    Image.fromarray(photo).save(tmp_path / "odd.png")
    mask = np.zeros((101, 77), np.uint8)
    mask[30:60, 20:50] = 1  # any non-zero value is hole
    Image.fromarray(mask).save(tmp_path / "mask.png")

    result = run_cli("inpaint", tmp_path / "odd.png", tmp_path / "mask.png", "-o", tmp_path / "out.jpg",
                     "--weights", small_weights)

    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "out.jpg").size == (77, 101)


def test_snap_to_ink_fills_only_the_drawing_under_a_rough_mask(tmp_path: Path, small_weights: Path) -> None:
    photo, ink = drawn_tattoo(lit_skin())
    rough = np.zeros(ink.shape, np.uint8)
    rough[60:190, 80:230] = 255
    Image.fromarray(photo).save(tmp_path / "drawing.png")
    Image.fromarray(rough).save(tmp_path / "rough.png")

    result = run_cli("inpaint", tmp_path / "drawing.png", tmp_path / "rough.png", "-o", tmp_path / "clean.png",
                     "--snap-to-ink", "--weights", small_weights)

    assert result.returncode == 0, result.stderr
    assert "Snapped the mask to the ink" in result.stdout
    cleaned = np.asarray(Image.open(tmp_path / "clean.png"))
    changed = (cleaned != photo).any(axis=-1)
    assert changed[ink].mean() > 0.9                       # the ink is filled
    assert changed[rough > 0].mean() < 0.5                 # most of the skin brushed over is the photo's own

    Image.fromarray(lit_skin()).save(tmp_path / "skin.png")
    refused = run_cli("inpaint", tmp_path / "skin.png", tmp_path / "rough.png", "-o", tmp_path / "none.png",
                      "--snap-to-ink", "--weights", small_weights)
    assert_one_line_error(refused, "No ink found")
    assert not (tmp_path / "none.png").exists()


def test_mask_of_another_size_is_refused(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    photo_path, _, _ = photo_and_mask
    Image.fromarray(np.full((10, 10), 255, np.uint8)).save(tmp_path / "small.png")

    result = run_cli("inpaint", photo_path, tmp_path / "small.png", "-o", tmp_path / "o.png", "--weights", small_weights)

    assert_one_line_error(result, "10x10", "360x480", "same size")
    assert not (tmp_path / "o.png").exists()


def test_empty_mask_is_refused(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    photo_path, _, _ = photo_and_mask
    Image.fromarray(np.zeros((480, 360), np.uint8)).save(tmp_path / "empty.png")

    result = run_cli("inpaint", photo_path, tmp_path / "empty.png", "-o", tmp_path / "o.png", "--weights", small_weights)

    assert_one_line_error(result, "empty")


def test_missing_and_corrupt_photos_are_refused(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    _, mask_path, _ = photo_and_mask
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")

    assert_one_line_error(run_cli("inpaint", tmp_path / "nope.jpg", mask_path, "-o", tmp_path / "o.png",
                                  "--weights", small_weights), "does not exist")
    assert_one_line_error(run_cli("inpaint", broken, mask_path, "-o", tmp_path / "o.png",
                                  "--weights", small_weights), "broken.jpg")


def test_bad_weights_are_refused(tmp_path: Path, photo_and_mask) -> None:
    photo_path, mask_path, _ = photo_and_mask
    weights = tmp_path / "big-lama.ckpt"
    weights.write_bytes(b"PK\x03\x04 cut short")

    result = run_cli("inpaint", photo_path, mask_path, "-o", tmp_path / "o.png", "--weights", weights)

    assert_one_line_error(result, "big-lama.ckpt", "truncated")


def test_the_original_is_never_overwritten(photo_and_mask, small_weights: Path) -> None:
    photo_path, mask_path, _ = photo_and_mask
    before = photo_path.read_bytes()

    result = run_cli("inpaint", photo_path, mask_path, "-o", photo_path, "--weights", small_weights, "--overwrite")

    assert_one_line_error(result, "original")
    assert photo_path.read_bytes() == before


def test_existing_output_needs_overwrite(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    photo_path, mask_path, _ = photo_and_mask
    out = tmp_path / "out.png"
    out.write_bytes(b"keep me")

    assert_one_line_error(run_cli("inpaint", photo_path, mask_path, "-o", out, "--weights", small_weights), "--overwrite")
    assert out.read_bytes() == b"keep me"
    assert run_cli("inpaint", photo_path, mask_path, "-o", out, "--weights", small_weights, "--overwrite").returncode == 0


def test_unknown_output_format_is_refused(tmp_path: Path, photo_and_mask, small_weights: Path) -> None:
    photo_path, mask_path, _ = photo_and_mask
    assert_one_line_error(run_cli("inpaint", photo_path, mask_path, "-o", tmp_path / "o.xyz",
                                  "--weights", small_weights), "o.xyz")


def test_help_runs() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and "inpaint" in result.stdout


def test_both_results_from_the_command_line(tmp_path: Path, small_weights: Path) -> None:
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 256, (900, 1300, 3), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "big.png")
    mask = np.zeros((900, 1300), np.uint8)
    mask[300:600, 400:800] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    out512, out1024, refined = tmp_path / "quick.png", tmp_path / "refined.png", tmp_path / "r.png"

    both = run_cli("inpaint", tmp_path / "big.png", tmp_path / "mask.png", "--both", out512, out1024,
                   "--weights", small_weights, "--iters", "3")
    alone = run_cli("inpaint", tmp_path / "big.png", tmp_path / "mask.png", "-o", refined, "--refine",
                    "--weights", small_weights, "--iters", "3")

    assert both.returncode == 0, both.stderr
    assert alone.returncode == 0, alone.stderr
    quick, sharp = np.asarray(Image.open(out512)), np.asarray(Image.open(out1024))
    hole = mask > 0
    for result in (quick, sharp):
        assert np.array_equal(result[~hole], photo[~hole])
    assert not np.array_equal(quick[hole], sharp[hole])
    assert np.array_equal(np.asarray(Image.open(refined)), sharp)
    assert "Note:" not in both.stdout


def test_refining_a_small_region_says_it_gives_the_512_result(tmp_path: Path, small_weights: Path) -> None:
    rng = np.random.default_rng(4)
    Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(tmp_path / "small.png")
    mask = np.zeros((300, 400), np.uint8)
    mask[100:200, 150:250] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    result = run_cli("inpaint", tmp_path / "small.png", tmp_path / "mask.png", "--both", tmp_path / "a.png",
                     tmp_path / "b.png", "--weights", small_weights, "--iters", "3")
    assert result.returncode == 0, result.stderr
    assert "the refined result is the same as the 512 one" in result.stdout
    assert np.array_equal(np.asarray(Image.open(tmp_path / "a.png")), np.asarray(Image.open(tmp_path / "b.png")))


def test_the_entry_script_runs_as_a_top_level_script() -> None:
    """PyInstaller's bundle runs skingan_desktop/__main__.py as a plain script, not as part of
    the package: a relative import there made the built app exit 1 on every command."""
    result = subprocess.run([sys.executable, str(REPO / "skingan_desktop" / "__main__.py"), "--version"],
                            cwd=REPO / "tests", capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("skingan-desktop ")


def test_a_mistyped_command_is_named_instead_of_opening_the_app() -> None:
    result = run_cli("inpiant", "photo.jpg", "mask.png")
    assert_one_line_error(result, "no command 'inpiant'", "inpaint", "batch")
