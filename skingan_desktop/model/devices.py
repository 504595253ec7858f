"""One place that turns the user's device choice into a ``torch.device``."""

from __future__ import annotations

import contextlib
from typing import Optional

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(choice: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when present, else CPU; ``"cuda"`` without a GPU raises ``ValueError``."""
    if isinstance(choice, torch.device):
        device = choice
    elif choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            device = torch.device(choice)
        except RuntimeError:
            raise ValueError(f"Unknown device '{choice}'; use auto, cpu or cuda.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but no CUDA GPU is available; use --device cpu or auto.")
    return device


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 natively: CUDA with bf16, or a CPU with AVX512-BF16
    or AMX. Elsewhere bfloat16 is emulated and slower than float32."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def autocast_to(device: torch.device, dtype: Optional[torch.dtype]):
    """An autocast context for ``dtype`` on ``device``; no context for ``None`` or float32."""
    if dtype is None or dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)
