"""Feature refinement reproduces the reference run of the paper's algorithm."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from skingan_desktop.model import load_generator, refine_inpaint
from skingan_desktop.model.refine import PyramidLevel, build_pyramid, refine_level, refine_pyramid, scale_count


@pytest.fixture(scope="module")
def reference_run(fixtures_dir: Path) -> dict:
    return torch.load(fixtures_dir / "refine_small.pt", weights_only=True)


@pytest.fixture(scope="module")
def generator(fixtures_dir: Path):
    return load_generator(fixtures_dir / "parity_small.pt")


def test_every_scale_and_the_final_result_match_the_reference(generator, reference_run: dict) -> None:
    params = {k: v for k, v in reference_run["params"].items() if k != "modulo"}
    image, mask = reference_run["image"], reference_run["mask"]
    levels = build_pyramid(image, mask, min_side=params["min_side"], max_scales=params["max_scales"],
                           px_budget=params["px_budget"])
    assert [list(level.image.shape[-2:]) for level in levels] == [list(s) for s in reference_run["pyramid_sizes"]]

    outputs = refine_pyramid(generator, levels, n_iters=params["n_iters"], lr=params["lr"])
    for ours, theirs in zip(outputs, reference_run["per_scale_outputs"], strict=True):
        assert (ours - theirs).abs().max().item() <= 2e-3

    refined = refine_inpaint(generator, image, mask, **params)
    assert (refined - reference_run["refined"]).abs().max().item() <= 2e-3
    # ...and refinement really changed something compared with a plain pass.
    assert (refined - reference_run["unrefined"]).abs().max().item() > 1e-2


def test_the_plain_pass_composites_the_whole_generator_output_inside_the_hole(generator) -> None:
    """The plain pass upscales only around the hole (rear_crop); the composite is the same."""
    torch.manual_seed(3)
    image = torch.rand(1, 3, 90, 125)  # not a multiple of 8: the pass pads
    mask = torch.zeros(1, 1, 90, 125)
    mask[..., 5:20, 100:125] = 1  # touches the right border
    mask[..., 60:71, 10:30] = 1   # far from the other
    padded_image = torch.nn.functional.pad(image, (0, 3, 0, 6), mode="reflect")
    padded_mask = torch.nn.functional.pad(mask, (0, 3, 0, 6), mode="reflect")

    with torch.inference_mode():
        whole = generator(torch.cat([padded_image * (1 - padded_mask), padded_mask], dim=1))[..., :90, :125]
        result = refine_level(generator, PyramidLevel(image, mask), None)

    assert torch.equal(result[mask.expand_as(image) == 0], image[mask.expand_as(image) == 0])
    assert (result - (mask * whole + (1 - mask) * image)).abs().max().item() <= 1e-6


def test_progress_reaches_its_total_and_cancel_stops_within_an_iteration(generator, reference_run: dict) -> None:
    image, mask = reference_run["image"], reference_run["mask"]
    seen: list[tuple[str, int, int]] = []
    refine_inpaint(generator, image, mask, min_side=64, progress=lambda *a: seen.append(a))
    assert seen[-1][1] == seen[-1][2] == 1 + 2 * 15  # the coarse pass, then 15 iterations per finer scale
    assert [s for _, s, _ in seen] == sorted(s for _, s, _ in seen)

    calls = []

    def cancel_after_three() -> bool:
        calls.append(1)
        return len(calls) > 3

    assert refine_inpaint(generator, image, mask, min_side=64, cancel=cancel_after_three) is None
    assert len(calls) == 4


def test_large_inputs_are_refined_within_the_pixel_budget(generator) -> None:
    image = torch.rand(1, 3, 300, 400)
    mask = torch.zeros(1, 1, 300, 400)
    mask[..., 100:180, 150:260] = 1

    refined = refine_inpaint(generator, image, mask, min_side=64, px_budget=50_000, n_iters=3)

    assert refined.shape == image.shape
    assert torch.equal(refined[mask.expand_as(image) == 0], image[mask.expand_as(image) == 0])


@pytest.mark.parametrize(("size", "expected"), [((512, 512), 1), ((1024, 1400), 2), ((700, 2000), 1),
                                                 ((2048, 2048), 3), ((8000, 8000), 3)])
def test_scale_count(size: tuple[int, int], expected: int) -> None:
    assert scale_count(*size, min_side=512, max_scales=3) == expected
