"""Fast Fourier Convolution building blocks of the LaMa generator.

Module and attribute names follow the published LaMa code so that official
state-dict keys (``ffc.convl2l.weight``, ``convg2g.fu.conv_layer.weight``, ...) load unchanged.
A feature map flows between layers as a pair ``(local, global)``; a branch with no channels
is ``None``.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn

from .fourier import HalfSpectrumPlanes, PlanesToSignal

# (local, global) feature pair; either side may be absent when its ratio is 0.
FeaturePair = tuple[Optional[Tensor], Optional[Tensor]]


def split_channels(channels: int, global_ratio: float) -> tuple[int, int]:
    """Return ``(local, global)`` channel counts the way LaMa splits them."""
    global_channels = int(channels * global_ratio)
    return channels - global_channels, global_channels


def _add(a: Optional[Tensor], b: Optional[Tensor]) -> Optional[Tensor]:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


class FourierUnit(nn.Module):
    """Pointwise convolution in the frequency domain: a global receptive field in one layer.

    ``(B, C, H, W) -> (B, C, H, W)``. Real and imaginary parts are interleaved on the channel
    axis (``[c0.re, c0.im, c1.re, ...]``) before the 1x1 convolution, as in LaMa. The FFT runs
    in float32 whatever the input precision.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv_layer = nn.Conv2d(in_channels * 2, out_channels * 2, kernel_size=1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels * 2)
        self.relu = nn.ReLU(inplace=True)
        # False: the official interleaved channel layout. True (the inference form): the weights
        # were permuted to take all real parts then all imaginary parts, and the FFT steps run
        # as HalfSpectrumPlanes and PlanesToSignal, which skip the layout copies.
        self.planar = False

    def forward(self, x: Tensor) -> Tensor:
        batch, _, height, width = x.shape
        if self.planar:
            planes = HalfSpectrumPlanes.apply(x)
            return PlanesToSignal.apply(self.relu(self.bn(self.conv_layer(planes))), width)
        spectrum = torch.fft.rfftn(x.float(), dim=(-2, -1), norm="ortho")
        # (B, C, H, W', 2) -> (B, C, 2, H, W') -> (B, 2C, H, W'): re/im interleaved per channel.
        stacked = torch.view_as_real(spectrum).permute(0, 1, 4, 2, 3)
        stacked = stacked.reshape(batch, -1, height, spectrum.shape[-1]).to(x.dtype)
        stacked = self.relu(self.bn(self.conv_layer(stacked)))
        pairs = stacked.view(batch, -1, 2, height, spectrum.shape[-1]).permute(0, 1, 3, 4, 2)
        spectrum = torch.view_as_complex(pairs.float().contiguous())
        out = torch.fft.irfftn(spectrum, s=(height, width), dim=(-2, -1), norm="ortho")
        return out.to(x.dtype)


class SpectralTransform(nn.Module):
    """The global-to-global path of an FFC: 1x1 reduce, Fourier unit, 1x1 expand.

    ``(B, in, H, W) -> (B, out, H/stride, W/stride)``. LaMa's optional local Fourier unit (LFU)
    is not supported: no released model enables it.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        hidden = out_channels // 2
        self.downsample = nn.AvgPool2d(kernel_size=2, stride=2) if stride == 2 else nn.Identity()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden, kernel_size=1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
        )
        self.fu = FourierUnit(hidden, hidden)
        self.conv2 = nn.Conv2d(hidden, out_channels, kernel_size=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        reduced = self.conv1(self.downsample(x))
        return self.conv2(self.fu(reduced).add_(reduced))  # fu's output is fresh: sum in place


class FFC(nn.Module):
    """Fast Fourier Convolution: four paths between a local and a global branch.

    ``local_out = convl2l(local) + convg2l(global)`` and
    ``global_out = convl2g(local) + convg2g(global)``; ``convg2g`` is a
    :class:`SpectralTransform`, the other three are plain convolutions without bias.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        ratio_gin: float,
        ratio_gout: float,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        padding_mode: str = "reflect",
    ) -> None:
        super().__init__()
        in_local, in_global = split_channels(in_channels, ratio_gin)
        out_local, out_global = split_channels(out_channels, ratio_gout)

        def conv(cin: int, cout: int) -> Optional[nn.Conv2d]:
            if cin == 0 or cout == 0:
                return None
            return nn.Conv2d(
                cin, cout, kernel_size, stride, padding, dilation,
                bias=False, padding_mode=padding_mode,
            )

        self.convl2l = conv(in_local, out_local)
        self.convl2g = conv(in_local, out_global)
        self.convg2l = conv(in_global, out_local)
        self.convg2g = (
            SpectralTransform(in_global, out_global, stride)
            if in_global and out_global else None
        )
        # Inference form (see model/inference.py): convl2l and convl2g, which read the same
        # input, as one convolution whose first ``out_local`` outputs are convl2l's.
        self.convl2lg: Optional[nn.Conv2d] = None
        self.fused_split = 0

    def forward(self, x: FeaturePair | Tensor) -> FeaturePair:
        local, glob = (x, None) if isinstance(x, Tensor) else x
        if self.convl2lg is not None and local is not None:
            return self._forward_fused(local, glob)
        out_local = _add(_apply(self.convl2l, local), _apply(self.convg2l, glob))
        out_global = _add(_apply(self.convl2g, local), _apply(self.convg2g, glob))
        return out_local, out_global

    def _forward_fused(self, local: Tensor, glob: Optional[Tensor]) -> FeaturePair:
        both = self.convl2lg(local)  # one padding and one pass over ``local`` instead of two
        # split, not two slices: its gradient is one concatenation, where each slice's would be
        # a zero-filled full-size tensor (6 % of a refinement iteration at 768 px).
        from_local, to_global = both.split([self.fused_split, both.shape[1] - self.fused_split], dim=1)
        if glob is None:
            return from_local, to_global
        # The branch outputs are fresh tensors, so the sums can be taken in place (also under
        # autograd: an addition needs none of its inputs for its gradient).
        out_local = from_local if self.convg2l is None else self.convg2l(glob).add_(from_local)
        out_global = to_global if self.convg2g is None else self.convg2g(glob).add_(to_global)
        return out_local, out_global

    def fuse_local_convolutions(self) -> None:
        """Replace convl2l and convl2g by one convolution computing both (same results)."""
        first, second = self.convl2l, self.convl2g
        if first is None or second is None or self.convl2lg is not None:
            return
        fused = nn.Conv2d(
            first.in_channels, first.out_channels + second.out_channels, first.kernel_size,
            first.stride, first.padding, first.dilation, bias=first.bias is not None or second.bias is not None,
            padding_mode=first.padding_mode,
        ).to(device=first.weight.device, dtype=first.weight.dtype)
        with torch.no_grad():
            fused.weight.copy_(torch.cat([first.weight, second.weight]))
            if fused.bias is not None:
                def bias(conv: nn.Conv2d) -> Tensor:
                    return conv.bias if conv.bias is not None else conv.weight.new_zeros(conv.out_channels)
                fused.bias.copy_(torch.cat([bias(first), bias(second)]))
        fused.requires_grad_(first.weight.requires_grad)
        self.fused_split = first.out_channels
        self.convl2lg, self.convl2l, self.convl2g = fused, None, None


def _apply(module: Optional[nn.Module], x: Optional[Tensor]) -> Optional[Tensor]:
    if module is None or x is None:
        return None
    return module(x)


class FFCNormAct(nn.Module):
    """An FFC followed by BatchNorm and ReLU on each branch (LaMa's ``FFC_BN_ACT``)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        ratio_gin: float,
        ratio_gout: float,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
    ) -> None:
        super().__init__()
        self.ffc = FFC(
            in_channels, out_channels, kernel_size, ratio_gin, ratio_gout,
            stride=stride, padding=padding, dilation=dilation,
        )
        out_local, out_global = split_channels(out_channels, ratio_gout)
        # A branch with no channels has no norm (and no state-dict keys); the inference
        # preparation replaces folded norms with Identity.
        self.bn_l: nn.Module | None = nn.BatchNorm2d(out_local) if out_local else None
        self.bn_g: nn.Module | None = nn.BatchNorm2d(out_global) if out_global else None
        self.act_l = nn.ReLU(inplace=True)
        self.act_g = nn.ReLU(inplace=True)

    def forward(self, x: FeaturePair | Tensor) -> FeaturePair:
        local, glob = self.ffc(x)
        if local is not None and self.bn_l is not None:
            local = self.act_l(self.bn_l(local))
        if glob is not None and self.bn_g is not None:
            glob = self.act_g(self.bn_g(glob))
        return local, glob


class FFCResidualBlock(nn.Module):
    """Two FFC+BN+ReLU layers with a residual connection on both branches."""

    def __init__(self, channels: int, ratio: float, dilation: int = 1) -> None:
        super().__init__()
        self.conv1 = FFCNormAct(channels, channels, 3, ratio, ratio, padding=dilation, dilation=dilation)
        self.conv2 = FFCNormAct(channels, channels, 3, ratio, ratio, padding=dilation, dilation=dilation)

    def forward(self, x: FeaturePair) -> FeaturePair:
        local, glob = self.conv2(self.conv1(x))
        return _add(x[0], local), _add(x[1], glob)


class ConcatBranches(nn.Module):
    """Joins the ``(local, global)`` pair into one tensor on the channel axis."""

    def forward(self, x: FeaturePair) -> Tensor:
        parts = [t for t in x if t is not None]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
