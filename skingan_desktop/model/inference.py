"""Makes a loaded generator fast for inference without changing what it computes.

Every eval-mode BatchNorm is an affine map per channel, so it folds into the linear layer
before it: ``bn(conv_a(x) + conv_b(y)) == conv_a'(x) + conv_b'(y) + bias``. That removes 95
BatchNorm passes over big-lama's activations (and their memory traffic) from every forward and
backward pass. The result matches the unfused model to float rounding (about 1e-6).
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .ffc import FFC, FFCNormAct, FourierUnit, SpectralTransform


def _affine(bn: nn.BatchNorm2d) -> tuple[Tensor, Tensor]:
    """``bn(x) == scale * x + shift`` per channel, in eval mode."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def _scale_out(layer: nn.Module, scale: Tensor, shift: Tensor | None) -> None:
    """Multiply a conv's output channels by ``scale`` and add ``shift`` to its bias."""
    weight = layer.weight
    out_dim = 1 if isinstance(layer, nn.ConvTranspose2d) else 0
    shape = [1] * weight.dim()
    shape[out_dim] = -1
    weight.data.mul_(scale.reshape(shape))
    if shift is None:
        if layer.bias is not None:
            layer.bias.data.mul_(scale)
        return
    bias = layer.bias.data * scale if layer.bias is not None else torch.zeros_like(scale)
    layer.bias = nn.Parameter(bias + shift, requires_grad=False)


def _fold_into(bn: nn.BatchNorm2d, first: nn.Module, *others: nn.Module | None) -> nn.Identity:
    scale, shift = _affine(bn)
    _scale_out(first, scale, shift)
    for other in others:
        if other is not None:
            _scale_out(other, scale, None)
    return nn.Identity()


@torch.no_grad()
def make_fourier_units_planar(generator: nn.Module) -> nn.Module:
    """Permute each Fourier unit's 1x1 convolution from the interleaved ``[re0, im0, re1, ...]``
    channel layout to ``[re0, re1, ..., im0, im1, ...]``, in place (same results, fewer copies).
    Run after :func:`fold_batch_norms`."""
    for unit in generator.modules():
        if isinstance(unit, FourierUnit) and not unit.planar:
            conv = unit.conv_layer
            order_in = _planar_order(conv.in_channels, conv.weight.device)
            order_out = _planar_order(conv.out_channels, conv.weight.device)
            conv.weight.data = conv.weight.data[order_out][:, order_in].contiguous()
            if conv.bias is not None:
                conv.bias.data = conv.bias.data[order_out].contiguous()
            if isinstance(unit.bn, nn.BatchNorm2d):
                raise ValueError("fold the batch norms before making Fourier units planar")
            unit.planar = True
    return generator


def _planar_order(channels: int, device: torch.device) -> Tensor:
    """Interleaved index of each planar channel: re parts (even) first, then im parts (odd)."""
    return torch.cat([torch.arange(0, channels, 2), torch.arange(1, channels, 2)]).to(device)


def prepare_for_inference(generator: nn.Module) -> nn.Module:
    """Eval mode, no weight gradients, BatchNorms folded, planar Fourier units, the two
    convolutions that read an FFC's local branch fused into one (one padding and one pass over
    the input instead of two), reflection padding in the input's dtype, channels-last memory
    (fastest on CPU oneDNN and on CUDA tensor cores). In place; returns ``generator``."""
    generator.eval().requires_grad_(False)
    fold_batch_norms(generator)
    make_fourier_units_planar(generator)
    for module in generator.modules():
        if isinstance(module, FFC):
            module.fuse_local_convolutions()
    _replace_layers(generator, lambda layer: RowsThenColumns(layer) if RowsThenColumns.suits(layer) else None)
    _replace_layers(generator, _padding_in_input_dtype)
    return generator.to(memory_format=torch.channels_last)


def _replace_layers(generator: nn.Module, replacement: Callable[[nn.Module], Optional[nn.Module]]) -> None:
    """Swap every layer for which ``replacement`` returns a module, in place (layers created by
    the swap are not visited)."""
    for parent in list(generator.modules()):
        for name, child in list(parent.named_children()):
            new = replacement(child)
            if new is not None:
                setattr(parent, name, new)


class ReflectionPadInInputDtype(nn.Module):
    """Reflection padding that keeps its input's dtype under autocast. CPU autocast runs
    reflection padding in float32: under bfloat16 each pad converted its input up and the next
    convolution converted it back, two extra copies (and their gradients) per convolution, at
    full resolution for the output layer. Padding only moves values, so the result is the same."""

    def __init__(self, padding: tuple[int, int, int, int]) -> None:
        super().__init__()
        self.padding = padding  # (left, right, top, bottom), as F.pad takes it

    def forward(self, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return F.pad(x, self.padding, mode="reflect")


class ReflectPaddedConv(nn.Sequential):
    """A reflect-padded ``nn.Conv2d`` as :class:`ReflectionPadInInputDtype` then the same
    convolution without padding (what ``nn.Conv2d`` itself does, minus the float32 round trip)."""

    def __init__(self, conv: nn.Conv2d) -> None:
        padding = tuple(conv._reversed_padding_repeated_twice)
        conv.padding, conv.padding_mode = (0, 0), "zeros"
        super().__init__(ReflectionPadInInputDtype(padding), conv)


def _padding_in_input_dtype(layer: nn.Module) -> Optional[nn.Module]:
    """The replacement of a reflection pad or a reflect-padded convolution that pads in its
    input's dtype (:class:`ReflectionPadInInputDtype`); ``None`` for other layers."""
    if isinstance(layer, nn.ReflectionPad2d):
        return ReflectionPadInInputDtype(tuple(layer.padding))
    if type(layer) is nn.Conv2d and layer.padding_mode == "reflect" and any(layer.padding):
        return ReflectPaddedConv(layer)
    return None


class RowsThenColumns(nn.Module):
    """A k x k convolution with few output channels (the generator's last layer: 64 -> 3 at
    7 x 7), computed in two steps that form the same sums: a 1 x k convolution to one channel
    per (output channel, kernel row), then a grouped k x 1 convolution that adds each output's
    rows up. oneDNN runs a 3-channel output far below its speed; this form is about 3x faster
    on the layer (BENCHMARKS.md). Results equal the plain convolution to float rounding."""

    ROWS_MULTIPLE = 8  # channel counts in multiples of 8 suit oneDNN's vector kernels

    @staticmethod
    def suits(layer: nn.Module) -> bool:
        return (type(layer) is nn.Conv2d and layer.out_channels <= 4 and layer.kernel_size[0] > 1
                and layer.stride == (1, 1) and layer.dilation == (1, 1) and layer.groups == 1
                and layer.padding == (0, 0))

    @torch.no_grad()
    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        out, channels, k_h, k_w = conv.weight.shape
        rows = -(-k_h // self.ROWS_MULTIPLE) * self.ROWS_MULTIPLE
        weight = conv.weight.new_zeros(out, rows, channels, 1, k_w)
        weight[:, :k_h] = conv.weight.permute(0, 2, 1, 3).unsqueeze(3)  # (out, k_h, in, 1, k_w)
        self.rows = nn.Conv2d(channels, out * rows, (1, k_w), bias=False)
        self.rows.weight = nn.Parameter(weight.reshape(out * rows, channels, 1, k_w), requires_grad=False)
        selector = conv.weight.new_zeros(out, rows, k_h, 1)
        selector[:, torch.arange(k_h), torch.arange(k_h)] = 1  # output row dy takes channel row dy
        self.columns = nn.Conv2d(out * rows, out, (k_h, 1), groups=out, bias=conv.bias is not None)
        self.columns.weight = nn.Parameter(selector, requires_grad=False)
        if conv.bias is not None:
            self.columns.bias = nn.Parameter(conv.bias.detach().clone(), requires_grad=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.columns(self.rows(x))


@torch.no_grad()
def fold_batch_norms(generator: nn.Module) -> nn.Module:
    """Fold every BatchNorm of an eval-mode FFC generator into the layer before it, in place."""
    for module in generator.modules():
        if isinstance(module, FFCNormAct):
            ffc = module.ffc
            if isinstance(module.bn_l, nn.BatchNorm2d):
                local_in = ffc.convl2l if ffc.convl2l is not None else ffc.convg2l
                module.bn_l = _fold_into(module.bn_l, local_in, ffc.convg2l if local_in is ffc.convl2l else None)
            if isinstance(module.bn_g, nn.BatchNorm2d):
                spectral_out = ffc.convg2g.conv2 if ffc.convg2g is not None else None
                global_in = ffc.convl2g if ffc.convl2g is not None else spectral_out
                module.bn_g = _fold_into(module.bn_g, global_in, spectral_out if global_in is not spectral_out else None)
        elif isinstance(module, SpectralTransform):
            conv, bn = module.conv1[0], module.conv1[1]
            if isinstance(bn, nn.BatchNorm2d):
                module.conv1[1] = _fold_into(bn, conv)
        elif isinstance(module, FourierUnit):
            if isinstance(module.bn, nn.BatchNorm2d):
                module.bn = _fold_into(module.bn, module.conv_layer)
        elif isinstance(module, nn.Sequential):
            for i in range(len(module) - 1):
                if isinstance(module[i], nn.ConvTranspose2d) and isinstance(module[i + 1], nn.BatchNorm2d):
                    module[i + 1] = _fold_into(module[i + 1], module[i])
    return generator
