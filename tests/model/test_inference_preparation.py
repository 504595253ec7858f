"""The inference-ready generator computes what the plain one does, and the same gradients."""

from __future__ import annotations

import copy

import pytest
import torch

from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig
from skingan_desktop.model.fourier import HalfSpectrumPlanes, PlanesToSignal
from skingan_desktop.model.inference import ReflectionPadInInputDtype, prepare_for_inference


def test_folded_planar_channels_last_generator_matches_the_plain_one() -> None:
    torch.manual_seed(0)
    config = GeneratorConfig(ngf=16, n_downsampling=3, n_blocks=2)
    plain = FFCResNetGenerator(config).eval()
    for module in plain.modules():  # non-trivial statistics so that folding is really exercised
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    prepared = prepare_for_inference(copy.deepcopy(plain))
    x = torch.rand(2, 4, 64, 96)

    with torch.inference_mode():
        expected, actual = plain(x), prepared(x)

    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in prepared.modules())
    assert not any(p.requires_grad for p in prepared.parameters())
    assert (actual - expected).abs().max().item() <= 1e-5


def test_prepared_generator_gives_the_refinement_the_same_feature_gradients() -> None:
    torch.manual_seed(1)
    config = GeneratorConfig(ngf=16, n_downsampling=3, n_blocks=2)
    plain = FFCResNetGenerator(config).eval().requires_grad_(False)
    prepared = prepare_for_inference(copy.deepcopy(plain))
    with torch.no_grad():
        local, glob = plain.front(torch.rand(1, 4, 72, 104))  # 9x13 features: odd FFT sizes
    target = torch.rand(1, 3, 72, 104)

    def feature_gradients(generator: torch.nn.Module) -> list[torch.Tensor]:
        features = [local.clone().requires_grad_(True), glob.clone().requires_grad_(True)]
        (generator.rear(tuple(features)) - target).abs().mean().backward()
        return [f.grad for f in features]

    for expected, actual in zip(feature_gradients(plain), feature_gradients(prepared)):
        assert (actual - expected).abs().max().item() <= 1e-4 * expected.abs().max().item()


@pytest.mark.parametrize("size", [(8, 8), (7, 9), (6, 5), (5, 6)])
def test_fourier_planes_and_their_gradients_match_torch_fft(size: tuple[int, int]) -> None:
    """The hand-written FFT steps of the inference form, for even and odd sizes, against
    autograd through ``torch.fft`` in float64."""
    height, width = size
    torch.manual_seed(2)
    signal = torch.randn(2, 3, height, width, dtype=torch.float64, requires_grad=True)
    planes = torch.randn(2, 6, height, width // 2 + 1, dtype=torch.float64, requires_grad=True)
    spectrum = torch.fft.rfftn(signal, dim=(-2, -1), norm="ortho")
    expected_planes = torch.cat([spectrum.real, spectrum.imag], dim=1)
    real, imag = planes.chunk(2, dim=1)
    expected_signal = torch.fft.irfftn(torch.complex(real, imag), s=size, dim=(-2, -1), norm="ortho")
    weights_a, weights_b = torch.randn_like(expected_planes), torch.randn_like(expected_signal)
    ((expected_planes * weights_a).sum() + (expected_signal * weights_b).sum()).backward()

    signal32 = signal.detach().float().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    planes32 = planes.detach().float().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    actual_planes = HalfSpectrumPlanes.apply(signal32)
    actual_signal = PlanesToSignal.apply(planes32, width)
    ((actual_planes * weights_a.float()).sum() + (actual_signal * weights_b.float()).sum()).backward()

    assert actual_planes.is_contiguous(memory_format=torch.channels_last)
    assert actual_signal.is_contiguous(memory_format=torch.channels_last)
    for actual, expected in [(actual_planes, expected_planes), (actual_signal, expected_signal),
                             (signal32.grad, signal.grad), (planes32.grad, planes.grad)]:
        assert (actual.double() - expected).abs().max().item() <= 1e-5


def test_reflection_padding_keeps_bfloat16_under_cpu_autocast() -> None:
    """CPU autocast pads in float32; the inference form pads in the input's dtype instead, so
    bfloat16 refinement iterations do not convert every padded tensor up and back."""
    generator = prepare_for_inference(FFCResNetGenerator(GeneratorConfig(ngf=16, n_downsampling=3, n_blocks=1)))
    pads = [m for m in generator.modules() if isinstance(m, ReflectionPadInInputDtype)]
    assert pads and not any(isinstance(m, torch.nn.ReflectionPad2d) for m in generator.modules())
    assert not any(isinstance(m, torch.nn.Conv2d) and m.padding_mode == "reflect" and any(m.padding)
                   for m in generator.modules())
    x = torch.rand(1, 8, 12, 12, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        padded = pads[0](x)
    assert padded.dtype == torch.bfloat16
    assert torch.equal(padded, torch.nn.functional.pad(x.float(), pads[0].padding, mode="reflect").bfloat16())
