"""Our generator reproduces the official LaMa code's output from every weights format."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig, load_generator, read_generator_state
from skingan_desktop.model.weights import build_generator


@pytest.mark.parametrize("name", ["parity_small.pt", "parity_small.ckpt"])
def test_reference_output_is_reproduced(fixtures_dir: Path, parity_small: dict, name: str) -> None:
    generator = load_generator(fixtures_dir / name)

    assert not generator.training
    with torch.inference_mode():
        output = generator(parity_small["input"])

    assert output.shape == parity_small["output"].shape
    assert (output - parity_small["output"]).abs().max().item() <= 1e-5


def test_architecture_is_read_off_the_tensors(fixtures_dir: Path, parity_small: dict) -> None:
    generator = load_generator(fixtures_dir / "parity_small.ckpt")

    assert generator.config == GeneratorConfig.from_lama_kwargs(parity_small["config"])


def test_front_then_rear_equals_the_whole(small_weights: Path, parity_small: dict) -> None:
    generator = load_generator(small_weights)

    with torch.inference_mode():
        local, glob = generator.front(parity_small["input"])
        output = generator.rear((local, glob))

    assert local.shape[-2:] == (96 // 8, 128 // 8) and glob is not None
    assert torch.equal(output, generator(parity_small["input"]))


# Boxes (top, left, bottom, right) in a 64x96 output: inside, at each border, one pixel, the
# whole frame, and far edges on the 8-pixel grid, where a crop with one feature pixel of margin
# misses part of the transposed convolutions' reach.
CROP_BOXES = [(20, 30, 40, 70), (0, 0, 17, 33), (50, 81, 64, 96), (0, 0, 64, 96), (31, 44, 32, 45),
              (8, 16, 32, 48), (9, 7, 40, 56), (1, 90, 63, 96), (23, 0, 24, 96), (0, 40, 64, 41)]


@pytest.mark.parametrize("prepared", [False, True], ids=["plain", "inference-ready"])
def test_rear_around_a_box_equals_the_whole_rear_there(small_weights: Path, prepared: bool) -> None:
    generator = load_generator(small_weights)
    if not prepared:
        generator = build_generator(read_generator_state(small_weights)).eval()
    torch.manual_seed(0)
    x = torch.rand(1, 4, 64, 96)

    with torch.inference_mode():
        features = generator.front(x)
        whole = generator.rear(features)
        for top, left, bottom, right in CROP_BOXES:
            crop = generator.rear_crop(features, top, left, bottom, right)

            assert crop.shape[-2:] == (bottom - top, right - left)
            assert (crop - whole[..., top:bottom, left:right]).abs().max().item() <= 1e-6, (top, left, bottom, right)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torchscript_export_loads_onto_our_generator(tmp_path: Path, small_weights: Path, parity_small: dict) -> None:
    reference = build_generator(read_generator_state(small_weights)).eval()  # official layout
    scripted = torch.jit.trace(reference, parity_small["input"])
    path = tmp_path / "small-lama.pt"
    scripted.save(str(path))

    generator = load_generator(path)

    assert not isinstance(generator, torch.jit.ScriptModule)
    with torch.inference_mode():
        assert (generator(parity_small["input"]) - parity_small["output"]).abs().max().item() <= 1e-5


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torchscript_wrapper_with_a_prefix_loads(tmp_path: Path, small_weights: Path, parity_small: dict) -> None:
    """Desktop tools export a wrapper taking (image, mask) that holds the generator inside."""

    class Wrapper(torch.nn.Module):
        def __init__(self, generator: FFCResNetGenerator) -> None:
            super().__init__()
            self.generator = generator

        def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.generator(torch.cat([image * (1 - mask), mask], dim=1))

    wrapper = Wrapper(build_generator(read_generator_state(small_weights)).eval())
    scripted = torch.jit.trace(wrapper, (parity_small["image"], parity_small["mask"]))
    path = tmp_path / "big-lama.pt"
    scripted.save(str(path))

    generator = load_generator(path)

    with torch.inference_mode():
        assert (generator(parity_small["input"]) - parity_small["output"]).abs().max().item() <= 1e-5
