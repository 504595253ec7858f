"""The FFT steps of a Fourier unit in the inference form, with their gradients written out.

A Fourier unit takes the real FFT of its input, mixes the real and imaginary planes with a 1x1
convolution and takes the inverse FFT. The convolutions want channels-last memory and the FFT
wants each channel contiguous; written with ``torch.fft`` and autograd, that chain converted
between the two layouts several times per pass, forward and backward. These two functions
convert once each way, in the fastest order, and compute the gradients directly: together
the spectral transform is 120 -> 84 ms forward and backward at 128x128 on the 2-core CPU
(BENCHMARKS.md). Results equal ``torch.fft``'s to float rounding.
"""

from __future__ import annotations

import torch
from torch import Tensor


def _columns_counted_once(width: int) -> tuple[int, ...]:
    """The half-spectrum columns that ``irfft`` counts once: zero frequency, and Nyquist for an
    even width. It counts every other column twice (for its mirror), so the two gradients below
    scale those by 2 and these by 1."""
    return (0, -1) if width % 2 == 0 else (0,)


def _planes_to_complex(planes: Tensor) -> Tensor:
    """``[Re; Im]`` planes ``(B, 2C, H, W')`` of any dtype and layout -> complex64 ``(B, C, H, W')``,
    contiguous as the FFT reads it, in one pass over each half."""
    batch, channels, height, columns = planes.shape
    spectrum = torch.empty((batch, channels // 2, height, columns), dtype=torch.complex64, device=planes.device)
    pairs = torch.view_as_real(spectrum)
    real, imag = planes.chunk(2, dim=1)
    pairs[..., 0].copy_(real)
    pairs[..., 1].copy_(imag)
    return spectrum


def _complex_to_planes(spectrum: Tensor, dtype: torch.dtype) -> Tensor:
    """Inverse of :func:`_planes_to_complex`: channels-last ``[Re; Im]`` planes in ``dtype``."""
    batch, channels, height, columns = spectrum.shape
    planes = torch.empty((batch, 2 * channels, height, columns), dtype=dtype, device=spectrum.device,
                         memory_format=torch.channels_last)
    planes[:, :channels].copy_(spectrum.real)
    planes[:, channels:].copy_(spectrum.imag)
    return planes


def _contiguous_float(x: Tensor) -> Tensor:
    return x.to(torch.float32, memory_format=torch.contiguous_format)


def _channels_last(x: Tensor, dtype: torch.dtype) -> Tensor:
    """A contiguous ``(B, C, H, W)`` tensor as a channels-last one in ``dtype``, by two swaps of
    two axes. PyTorch's direct copy writes one channel at a time, H*W elements apart, and is
    2-4x slower at the generator's usual feature sizes (64, 96, 128: 4.6 against 1.4 ms for
    192 channels at 128x128 on the 2-core CPU)."""
    rows = x.to(dtype).transpose(1, 2).contiguous()  # (B, H, C, W): whole rows of W move
    out = torch.empty(x.shape, dtype=dtype, device=x.device, memory_format=torch.channels_last)
    out.permute(0, 2, 3, 1).copy_(rows.transpose(2, 3))  # (B, H, W, C), one row at a time
    return out


class HalfSpectrumPlanes(torch.autograd.Function):
    """``x`` ``(B, C, H, W)`` -> the real and imaginary planes of its orthonormal 2-D real FFT,
    ``(B, 2C, H, W//2 + 1)``, channels-last in ``x``'s dtype; the FFT itself runs in float32.

    The gradient of an orthonormal half-spectrum FFT is the inverse FFT of the gradient with
    every column divided by 2, except :func:`_columns_counted_once`."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        ctx.size, ctx.dtype = tuple(x.shape[-2:]), x.dtype
        spectrum = torch.fft.rfftn(_contiguous_float(x), dim=(-2, -1), norm="ortho")
        return _complex_to_planes(spectrum, x.dtype)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        # The columns counted once doubled, then everything halved after the FFT (a scaled copy
        # broadcasting per-column weights took twice as long).
        spectrum = _planes_to_complex(grad)
        for column in _columns_counted_once(ctx.size[-1]):
            spectrum[..., column] *= 2
        signal = torch.fft.irfftn(spectrum, s=ctx.size, dim=(-2, -1), norm="ortho").mul_(0.5)
        return _channels_last(signal, ctx.dtype)


class PlanesToSignal(torch.autograd.Function):
    """``[Re; Im]`` half-spectrum planes ``(B, 2C, H, W')`` -> their orthonormal 2-D inverse real
    FFT ``(B, C, H, width)``, channels-last in the planes' dtype (the FFT runs in float32).
    The gradient is the forward FFT of the gradient with every column times 2, except
    :func:`_columns_counted_once`."""

    @staticmethod
    def forward(ctx, planes: Tensor, width: int) -> Tensor:
        ctx.dtype = planes.dtype
        spectrum = _planes_to_complex(planes)
        signal = torch.fft.irfftn(spectrum, s=(planes.shape[-2], width), dim=(-2, -1), norm="ortho")
        return _channels_last(signal, planes.dtype)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:
        spectrum = torch.fft.rfftn(_contiguous_float(grad), dim=(-2, -1), norm="ortho").mul_(2)
        for column in _columns_counted_once(grad.shape[-1]):
            spectrum[..., column] *= 0.5
        return _complex_to_planes(spectrum, ctx.dtype), None
