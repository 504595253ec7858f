"""One place that turns the user's device choice into a ``torch.device``."""

from __future__ import annotations

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
