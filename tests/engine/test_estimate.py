"""The run's time estimate: proportional to the pixels and iterations a run will do."""

from __future__ import annotations

import numpy as np

from skingan_desktop.engine.estimate import ITERATION_PASSES, corrected_scale, run_passes, run_seconds
from skingan_desktop.engine.runner import InpaintSettings


def _forearm(height: int = 4000, width: int = 6000) -> np.ndarray:
    hole = np.zeros((height, width), bool)
    hole[1500:2500, 2000:3200] = True
    return hole


def test_a_small_region_costs_one_pass_and_refinement_adds_the_iterations() -> None:
    small = np.zeros((480, 360), bool)
    small[100:200, 100:200] = True
    assert run_passes(small, InpaintSettings()) < 1.0  # fits in 512: no refinement happens
    big = _forearm()
    plain = run_passes(big, InpaintSettings(refine=False))  # the 2400x2000 region at 512x427
    assert abs(plain - 512 * 427 / 512**2) < 0.01
    refined = run_passes(big, InpaintSettings(refined_side=1024, n_iters=15))  # the 512 pass is the coarse one
    assert abs(refined - plain * (1 + 15 * ITERATION_PASSES * 4 + 4)) < 0.5  # sizes round to whole px
    # 2048 px does four times the pixels per iteration of 1024, and a coarse pass of its own.
    assert run_passes(big, InpaintSettings(refined_side=2048)) > 3.9 * refined


def test_seconds_scale_with_the_pass_and_the_correction_learns_from_runs() -> None:
    settings = InpaintSettings(refined_side=1536)
    assert run_seconds(_forearm(), settings, 0.2) == 2 * run_seconds(_forearm(), settings, 0.1)
    scale = 1.0
    for _ in range(8):  # runs keep taking twice the estimate
        scale = corrected_scale(scale, estimated=10.0 * scale, took=20.0)
    assert 1.9 < scale < 2.1
    assert corrected_scale(1.0, 0.0, 5.0) == 1.0


def test_a_big_photo_is_estimated_from_its_mask_shrunk_as_from_the_whole(monkeypatch) -> None:
    import skingan_desktop.engine.estimate as estimate

    hole, settings = _forearm(), InpaintSettings(refined_side=1536)
    shrunk = run_passes(hole, settings)
    monkeypatch.setattr(estimate, "ESTIMATE_PIXELS", hole.size)  # the whole mask at full size
    exact = run_passes(hole, settings)
    assert abs(shrunk - exact) / exact < 0.02
