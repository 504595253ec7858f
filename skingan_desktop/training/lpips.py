"""LPIPS (Zhang et al. 2018), AlexNet variant, for the evaluation table.

The distance between two images is the sum over five AlexNet ReLU outputs of the spatial mean
of a learned, non-negative per-channel weighting of the squared difference of the unit-normalised
features. Inputs are scaled from ``[0, 1]`` to ``[-1, 1]`` and then by LPIPS's fixed shift and
scale. Two local files are needed, never downloaded: the ImageNet AlexNet weights
(``alexnet-owt-7be5be79.pth`` as torchvision names it: ``features.N.weight``) and the LPIPS v0.1
linear layers (``alex.pth``: ``linN.model.1.weight``). Both are read as tensors only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..model.weights import WeightsError, load_network_weights, read_network_state

SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)
CONVS = ((0, 3, 64, 11, 4, 2), (3, 64, 192, 5, 1, 2), (6, 192, 384, 3, 1, 1), (8, 384, 256, 3, 1, 1),
         (10, 256, 256, 3, 1, 1))  # (torchvision index, in, out, kernel, stride, padding)


class AlexNetFeatures(nn.Module):
    """AlexNet's convolutional part; ``forward`` returns the five ReLU outputs LPIPS compares."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.ModuleDict({str(i): nn.Conv2d(a, b, k, s, p) for i, a, b, k, s, p in CONVS})

    def forward(self, x: Tensor) -> list[Tensor]:
        taps = []
        for index, conv in enumerate(self.features.values()):
            if index in (1, 2):
                x = F.max_pool2d(x, 3, 2)
            x = F.relu(conv(x))
            taps.append(x)
        return taps


class LPIPS(nn.Module):
    """``lpips(a, b)``: ``(B, 3, H, W)`` in ``[0, 1]`` each -> ``(B,)`` distances (0 = same)."""

    def __init__(self, backbone: AlexNetFeatures, linear: list[Tensor]) -> None:
        super().__init__()
        self.backbone = backbone.eval().requires_grad_(False)
        self.linear = nn.ParameterList([nn.Parameter(w.reshape(1, -1, 1, 1).float(), requires_grad=False) for w in linear])
        self.register_buffer("shift", torch.tensor(SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(SCALE).view(1, 3, 1, 1))

    @classmethod
    def from_files(cls, backbone_path: str | Path, linear_path: str | Path) -> "LPIPS":
        """Raises :class:`WeightsError` with a sentence when a file is missing or does not fit."""
        backbone = load_network_weights(AlexNetFeatures(), backbone_path, "features.10.weight", "AlexNet")
        layers = read_network_state(linear_path, "lin4.model.1.weight", "set of LPIPS linear layers")
        linear = [layers.get(f"lin{i}.model.1.weight") for i in range(5)]
        channels = [conv[2] for conv in CONVS]
        if any(w is None or w.numel() != c for w, c in zip(linear, channels)):
            raise WeightsError(f"{linear_path} does not hold LPIPS's AlexNet layers (1x1, {channels} channels).")
        return cls(backbone, linear)

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        def features(x: Tensor) -> list[Tensor]:
            taps = self.backbone(((2 * x - 1) - self.shift) / self.scale)
            return [t / (t.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10) for t in taps]

        distance = torch.zeros(a.shape[0], device=a.device)
        for fa, fb, weight in zip(features(a), features(b), self.linear):
            distance = distance + ((fa - fb) ** 2 * weight).sum(dim=1).mean(dim=(1, 2))
        return distance
