"""The real-job fill benchmark, CI-sized: its cases, every metric, the table and the contact sheet."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from skingan_desktop.engine.runner import InpaintSettings
from skingan_desktop.model import load_generator
from skingan_desktop.resources import embedded_model_path
from skingan_desktop.training.fill_benchmark import engine_fill, markdown_table, run_benchmark, summarise
from skingan_desktop.training.fill_cases import WINDOW, fill_cases, ink_shapes
from skingan_desktop.training.fill_metrics import contour_iou, lattice_share, mean_colour_delta_e
from skingan_desktop.training.peers import peer_fills
from tests.conftest import PHOTOS, REPO
from tests.training.test_training import two_photos


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> list:
    photos = two_photos(tmp_path_factory.mktemp("bench"))  # 58_1 is a validation subject, 63_1 lends its ink
    return list(fill_cases(photos, per_kind=1))


def test_the_cases_are_real_holes_on_clean_skin_and_across_a_limbs_edge(cases) -> None:
    kinds = {case.kind for case in cases}
    assert kinds == {"drawn", "ink", "edge"}
    for case in cases:
        assert case.name.startswith("58_1") and case.hole.any() and case.photo.shape[:2] == case.hole.shape
        top, left, bottom, right = case.view
        assert case.hole[top:bottom, left:right].sum() == case.hole.sum()  # the sheet shows the whole hole
        assert (case.blanked()[case.hole] == 128).all()                  # methods never see the truth there
        if case.kind == "edge":
            inside = case.limb[case.hole].mean()
            assert 0.25 < inside < 0.75  # skin and background in one hole
    ink = next(case for case in cases if case.kind == "ink")
    assert ink.hole.sum() < WINDOW * WINDOW


def test_every_method_every_metric_and_the_sheet(cases, tmp_path: Path) -> None:
    peers, _ = peer_fills()
    generator = load_generator(embedded_model_path())
    methods = {"OpenCV Telea": peers["OpenCV Telea"], "membrane fill": peers["membrane fill"],
               "SkinGAN 512": engine_fill(generator),
               "SkinGAN at 1/4 size": engine_fill(generator, InpaintSettings(refine=False, preview_side=90))}

    scores = run_benchmark(cases, methods, sheet=tmp_path / "sheet.png")

    assert len(scores) == len(cases) * len(methods)
    for s in scores:
        assert all(math.isfinite(v) for v in (s.psnr, s.ssim, s.texture, s.delta_e, s.seconds))
        assert math.isfinite(s.contour) == (s.kind == "edge")
    table = summarise(scores)
    assert all(math.isfinite(row["contour"]) for row in table.values())
    text = markdown_table(scores)
    assert all(f"| {name} |" in text for name in methods) and "lattice excess" in text and "drawn" in text
    sheet = cv2.imread(str(tmp_path / "sheet.png"))
    columns = len(methods) + 1  # the truth, then each method, every view zoomed 2x
    assert sheet.shape[1] % columns == 0 and sheet.shape[1] // columns >= 2 * WINDOW + 4
    assert sheet.shape[0] >= len(cases) * 2 * WINDOW


def test_a_method_that_touches_pixels_outside_the_hole_is_caught(cases) -> None:
    def sloppy(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(photo, (3, 3), 0)

    with pytest.raises(AssertionError, match="outside the hole"):
        run_benchmark(cases[:1], {"sloppy": sloppy})


def test_the_measures_mean_what_they_say() -> None:
    rng = np.random.default_rng(0)
    skin = np.clip(rng.normal(170, 6, (96, 96, 3)), 0, 255).astype(np.uint8)
    hole = np.zeros((96, 96), bool)
    hole[16:80, 16:80] = True
    lattice = skin.astype(np.float32)
    lattice[::8, ::8] -= 30  # a dot every 8 px: the generator's lattice
    lattice = np.clip(lattice, 0, 255).astype(np.uint8)
    assert lattice_share(lattice, hole) > 5 * lattice_share(skin, hole)
    shifted = np.clip(skin.astype(int) + (6, 0, 0), 0, 255).astype(np.uint8)
    assert 1.5 < mean_colour_delta_e(skin, shifted, hole) < 4 and mean_colour_delta_e(skin, skin, hole) == 0
    limb = np.zeros((96, 96), bool)
    limb[:, :48] = True
    truth = np.where(limb[..., None], skin, (skin * 0.3).astype(np.uint8))
    blurred = cv2.GaussianBlur(truth, (0, 0), 20)
    assert contour_iou(truth, truth, hole, limb) == 1.0
    assert contour_iou(truth, np.where(hole[..., None], truth[:, ::-1], truth), hole, limb) < 0.1
    assert contour_iou(truth, np.where(hole[..., None], blurred, truth), hole, limb) < 1.0


def test_the_benchmark_command_prints_one_table(tmp_path: Path) -> None:
    photos = two_photos(tmp_path)
    result = subprocess.run([sys.executable, "benchmarks/bench_fill.py", "--data", str(photos), "--per-kind", "1",
                             "--sheet", str(tmp_path / "sheet.png")], cwd=REPO, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("| fill | masked PSNR")
    assert "| SkinGAN 512 |" in result.stdout and "| SkinGAN at 1/4 size |" in result.stdout
    assert (tmp_path / "sheet.png").is_file()
    assert len(ink_shapes(PHOTOS, limit=2)) == 2
