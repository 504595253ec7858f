"""The inference-ready generator computes what the plain one does."""

from __future__ import annotations

import copy

import torch

from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig
from skingan_desktop.model.inference import prepare_for_inference


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
