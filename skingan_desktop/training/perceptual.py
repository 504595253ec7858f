"""LaMa's high-receptive-field perceptual loss: features of a dilated segmentation ResNet-50.

The network is the encoder LaMa uses ("resnet50dilated" trained on ADE20k by the MIT CSAIL
scene-parsing project): a ResNet-50 with a deep stem (three 3x3 convolutions, 64-64-128
channels) whose last two stages trade stride for dilation (2 and 4), so its features keep 1/8
of the input's resolution and see far. The loss is the sum over its four stages of the mean
squared difference between the features of the prediction and of the real image, both
normalised with the ImageNet statistics; LaMa weighs it 30.

This project never downloads the weights: pass the encoder's file (``encoder_epoch_20.pth`` in
LaMa's ``ade20k/ade20k-resnet50dilated-ppm`` folder, or the same tensors as safetensors). It is
read as tensors only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..model.weights import load_network_weights

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _conv_bn(inputs: int, outputs: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[nn.Conv2d, nn.BatchNorm2d]:
    padding = dilation * (kernel // 2)
    return (nn.Conv2d(inputs, outputs, kernel, stride, padding, dilation=dilation, bias=False),
            nn.BatchNorm2d(outputs))


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided or dilated), 1x1 expand by 4, plus the shortcut."""

    def __init__(self, inputs: int, width: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv_bn(inputs, width, 1)
        self.conv2, self.bn2 = _conv_bn(width, width, 3, stride, dilation)
        self.conv3, self.bn3 = _conv_bn(width, width * 4, 1)
        self.downsample = None
        if stride != 1 or inputs != width * 4:
            self.downsample = nn.Sequential(*_conv_bn(inputs, width * 4, 1, stride))

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


def _stage(inputs: int, width: int, blocks: int, stride: int, dilation: int) -> nn.Sequential:
    """A ResNet stage; a dilated stage keeps stride 1, its first block dilated half as much
    (the CSAIL scheme for turning a strided ResNet into a dilated one)."""
    if dilation == 1:
        first = Bottleneck(inputs, width, stride)
    else:
        first = Bottleneck(inputs, width, 1, max(1, dilation // 2))
    return nn.Sequential(first, *(Bottleneck(width * 4, width, 1, dilation) for _ in range(blocks - 1)))


class SegmentationResNet50(nn.Module):
    """The dilated ResNet-50 encoder; ``forward`` returns the four stages' feature maps.
    Parameter names match the CSAIL encoder's state dict."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv_bn(3, 64, 3, stride=2)
        self.conv2, self.bn2 = _conv_bn(64, 64, 3)
        self.conv3, self.bn3 = _conv_bn(64, 128, 3)
        self.layer1 = _stage(128, 64, 3, 1, 1)
        self.layer2 = _stage(256, 128, 4, 2, 1)
        self.layer3 = _stage(512, 256, 6, 1, 2)
        self.layer4 = _stage(1024, 512, 3, 1, 4)

    def forward(self, x: Tensor) -> list[Tensor]:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.max_pool2d(x, 3, 2, 1)
        features = []
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = stage(x)
            features.append(x)
        return features


class HighReceptiveFieldLoss(nn.Module):
    """``loss(prediction, image)``: both ``(B, 3, H, W)`` in ``[0, 1]``; the encoder is frozen."""

    def __init__(self, encoder: SegmentationResNet50) -> None:
        super().__init__()
        self.encoder = encoder.eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    @classmethod
    def from_file(cls, path: str | Path) -> "HighReceptiveFieldLoss":
        """Build from the encoder's weights file; raises :class:`WeightsError` with a sentence."""
        return cls(load_network_weights(SegmentationResNet50(), path, "layer4.2.conv3.weight",
                                        "segmentation ResNet-50 encoder"))

    def train(self, mode: bool = True) -> "HighReceptiveFieldLoss":
        super().train(mode)
        self.encoder.eval()  # its BatchNorms keep their statistics
        return self

    def forward(self, prediction: Tensor, image: Tensor) -> Tensor:
        predicted = self.encoder((prediction - self.mean) / self.std)
        with torch.no_grad():
            real = self.encoder((image - self.mean) / self.std)
        return torch.stack([F.mse_loss(p, r) for p, r in zip(predicted, real)]).sum()
