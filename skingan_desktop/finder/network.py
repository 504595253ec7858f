"""The tattoo finder's network: a small U-Net that says, per pixel, how likely it is tattoo ink.

Four levels (1/2 to 1/16 of the photo's working size), two 3x3 convolutions each with batch
norm, a dilated context block at the deepest level so that a pixel sees most of a limb, and a
decoder that joins the encoder's levels back to 1/2 size; the logits are resized to the input.
The widths are the architecture's one variable and travel in the weights file's metadata.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

DEFAULT_WIDTHS = (16, 32, 64, 128)
STRIDE = 16  # the input's sides are padded to a multiple of this


def _pair(channels_in: int, channels_out: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels_in, channels_out, 3, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(channels_out), nn.ReLU(inplace=True),
        nn.Conv2d(channels_out, channels_out, 3, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(channels_out), nn.ReLU(inplace=True),
    )


class TattooFinderNet(nn.Module):
    """``(N, 3, H, W)`` RGB in 0-1 -> ``(N, 1, H, W)`` logits of "tattoo" (``H``, ``W``
    multiples of :data:`STRIDE`)."""

    def __init__(self, widths: tuple[int, ...] = DEFAULT_WIDTHS) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
        self.down = nn.ModuleList()
        channels = widths[0]
        for width in widths:
            self.down.append(_pair(channels, width))
            channels = width
        self.context = _pair(channels, channels, dilation=2)
        self.up = nn.ModuleList(_pair(widths[i + 1] + widths[i], widths[i]) for i in reversed(range(len(widths) - 1)))
        self.head = nn.Conv2d(widths[0], 1, 1)

    def forward(self, rgb: Tensor) -> Tensor:
        x = self.stem(rgb - 0.5)
        skips = []
        for level, block in enumerate(self.down):
            if level:
                x = F.max_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        x = x + self.context(x)
        for block, skip in zip(self.up, reversed(skips[:-1])):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], 1))
        return F.interpolate(self.head(x), size=rgb.shape[-2:], mode="bilinear", align_corners=False)
