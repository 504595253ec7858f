"""Runs the generator on photos: device placement, padding, one plain pass, compositing."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from .tensors import (
    composite, composite_photo, generator_input, mask_to_tensor, pad_to_multiple,
    photo_to_tensor, tensor_to_photo,
)


def _device_of(generator: nn.Module) -> torch.device:
    return next(generator.parameters()).device


def plain_pass(generator: nn.Module, image: Tensor, mask: Tensor, multiple: int = 8) -> Tensor:
    """One generator pass: ``(1, 3, H, W)`` image and ``(1, 1, H, W)`` binary mask in ``[0, 1]``
    -> the composited ``(1, 3, H, W)`` result, any H and W (padding is handled here)."""
    height, width = image.shape[-2:]
    with torch.inference_mode():
        x = pad_to_multiple(generator_input(image, mask), multiple)
        prediction = generator(x)[..., :height, :width].float()
        return composite(prediction, image, mask)


def inpaint_photo(generator: nn.Module, photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fill ``hole`` (``(H, W)`` bool) in ``photo`` (``(H, W, 3)`` uint8) with one plain pass.

    Pixels outside the hole are returned bit for bit. An empty hole returns a copy.
    """
    if photo.shape[:2] != hole.shape:
        raise ValueError(f"mask is {hole.shape[1]}x{hole.shape[0]} but the photo is {photo.shape[1]}x{photo.shape[0]}")
    if not hole.any():
        return photo.copy()
    device = _device_of(generator)
    result = plain_pass(generator, photo_to_tensor(photo, device), mask_to_tensor(hole, device))
    return composite_photo(photo, tensor_to_photo(result), hole)
