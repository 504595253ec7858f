"""Photos as numpy arrays <-> the tensors the generator takes, and resizing them."""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def photo_to_tensor(photo: np.ndarray, device: torch.device | str = "cpu") -> Tensor:
    """``(H, W, 3)`` uint8 RGB -> ``(1, 3, H, W)`` float32 in ``[0, 1]``."""
    return torch.from_numpy(np.ascontiguousarray(photo)).to(device).permute(2, 0, 1)[None].float().div_(255)


def mask_to_tensor(hole: np.ndarray, device: torch.device | str = "cpu") -> Tensor:
    """``(H, W)`` bool hole map -> ``(1, 1, H, W)`` float32, 1 inside the hole."""
    return torch.from_numpy(np.ascontiguousarray(hole)).to(device)[None, None].float()


def tensor_to_photo(image: Tensor) -> np.ndarray:
    """``(1, 3, H, W)`` float in ``[0, 1]`` -> ``(H, W, 3)`` uint8, rounded (not truncated)."""
    return image[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()


def resize(x: Tensor, size: tuple[int, int]) -> Tensor:
    """Resize ``(B, C, h, w)`` to ``size = (H, W)``: antialiased bilinear when shrinking,
    bicubic (clamped to ``[0, 1]``) when enlarging."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    if size[0] <= x.shape[-2] and size[1] <= x.shape[-1]:
        return F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
    return F.interpolate(x, size=size, mode="bicubic", align_corners=False).clamp_(0, 1)


def resize_mask(mask: Tensor, size: tuple[int, int]) -> Tensor:
    """Resize a binary ``(B, 1, h, w)`` mask; a pixel touched by the hole stays hole."""
    if tuple(mask.shape[-2:]) == tuple(size):
        return mask
    return (F.interpolate(mask, size=size, mode="bilinear", antialias=True, align_corners=False) > 1e-3).float()


def shrunk_photo(photo: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(H, W, 3)`` uint8 shrunk to ``size = (h, w)`` by area averaging, as uint8: a 50 MP
    region is never turned into floats whole before it is made small."""
    if tuple(photo.shape[:2]) == tuple(size):
        return photo
    return cv2.resize(photo, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def shrunk_hole(hole: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(H, W)`` bool shrunk to ``size``: every pixel the hole reaches into is hole
    (:func:`touched`). Counted as ring, a pixel half ink would draw a dark line around the hole
    for the fill to continue."""
    if tuple(hole.shape) == tuple(size):
        return hole
    return touched(hole, (size[1], size[0]))


def touched(hole: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(H, W)`` bool -> ``size = (w, h)`` bool by area: true where the hole covers at least
    1/510 of a pixel (it could change the pixel's value by half a level). OpenCV's area
    shrink of a 0/1 image rounds shares under a half to 0, so the mask is scaled to 0/255
    first."""
    scaled = np.multiply(hole, np.uint8(255), dtype=np.uint8)
    return cv2.resize(scaled, size, interpolation=cv2.INTER_AREA) > 0


def fit_size(height: int, width: int, long_side: int) -> tuple[int, int]:
    """``(height, width)`` scaled so the long side is at most ``long_side`` (never enlarged)."""
    scale = min(1.0, long_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))
