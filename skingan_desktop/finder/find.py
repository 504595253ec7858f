"""Find the tattoos in a photo: the finder network's ink probability turned into a mask.

The photo is shrunk to the finder's working size (its long side), the network's probability is
averaged with that of the mirrored photo, brought back to the photo's size and cut at the
threshold the weights carry; specks under ``MIN_AREA_SHARE`` of the photo go, holes a tattoo
encloses are filled, and the rest grows by the ink halo the app uses (``engine/anchor.py``),
so that no fringe of ink is left for a fill to grow back from. Finding nothing is a normal
outcome. No Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from ..engine.anchor import halo_for
from ..engine.mask_ops import grow_mask
from ..model.devices import resolve_device
from ..model.weights import WeightsError, read_metadata, read_network_state
from ..resources import resources_dir
from .network import DEFAULT_WIDTHS, STRIDE, TattooFinderNet

ARCHITECTURE = "skingan-tattoo-finder-unet"
DEFAULT_WORKING_SIDE = 288
DEFAULT_THRESHOLD = 0.5
MIN_AREA_SHARE = 0.002   # pieces smaller than this share of the photo are not tattoos
HOLE_SHARE = 0.25        # holes inside a piece up to this share of it are filled
MASK_SIDE = 1536         # the mask of a larger photo is made at this long side, then enlarged
NOTHING_FOUND = "No tattoo found in this photo."

Box = tuple[int, int, int, int]


def embedded_finder_path() -> Path | None:
    """The tattoo finder shipped with the app, or ``None`` while none is shipped."""
    path = resources_dir() / "models" / "tattoo-finder.safetensors"
    return path if path.is_file() else None


def finder_metadata(widths: tuple[int, ...], working_side: int, threshold: float, **extra: Any) -> dict[str, str]:
    """The metadata a finder weights file carries: what ``TattooFinder.load`` needs, and more."""
    return {"architecture": ARCHITECTURE, "widths": ",".join(map(str, widths)),
            "working_side": str(working_side), "threshold": str(threshold),
            **{k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()}}


@dataclass
class Finding:
    """What the finder found: a ``(H, W)`` bool mask and the box ``(x1, y1, x2, y2)`` of each
    tattoo in it."""

    mask: np.ndarray
    boxes: list[Box] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.boxes)

    def summary(self) -> str:
        if not self.found:
            return NOTHING_FOUND
        count = len(self.boxes)
        return (f"Found {count} tattoo{'s' if count > 1 else ''}, {self.mask.mean():.1%} of the photo: "
                "check the mask before filling.")


class TattooFinder:
    """The finder network on a device, with the working size and threshold it was trained for."""

    def __init__(self, network: TattooFinderNet, working_side: int = DEFAULT_WORKING_SIDE,
                 threshold: float = DEFAULT_THRESHOLD, device: str | torch.device = "cpu",
                 metadata: Optional[dict[str, str]] = None) -> None:
        self.device = resolve_device(device)
        self.network = network.to(self.device).eval()
        self.working_side = working_side
        self.threshold = threshold
        self.metadata = metadata or {}

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | torch.device = "auto") -> "TattooFinder":
        """The finder in ``path`` (default: the embedded one); :class:`WeightsError` when the
        file is missing, damaged or not a finder."""
        if path is None:
            path = embedded_finder_path()
            if path is None:
                raise WeightsError("No tattoo finder is installed (resources/models/tattoo-finder.safetensors).")
        path = Path(path)
        metadata = read_metadata(path) if path.is_file() else {}
        state = read_network_state(path, "head.weight", "tattoo finder")
        if metadata.get("architecture") != ARCHITECTURE:
            raise WeightsError(f"{path} is not a SkinGAN tattoo finder (its metadata names no finder architecture).")
        try:
            widths = tuple(int(w) for w in metadata.get("widths", "").split(",")) or DEFAULT_WIDTHS
            working_side = int(metadata.get("working_side", DEFAULT_WORKING_SIDE))
            threshold = float(metadata.get("threshold", DEFAULT_THRESHOLD))
        except ValueError as exc:
            raise WeightsError(f"{path} has damaged finder metadata ({exc}).") from exc
        if not (len(widths) >= 2 and all(0 < w <= 1024 for w in widths) and 32 <= working_side <= 4096
                and 0 < threshold < 1):
            raise WeightsError(f"{path} has finder metadata out of range.")
        network = TattooFinderNet(widths)
        try:
            network.load_state_dict({k: v.float() for k, v in state.items()})
        except RuntimeError as exc:
            raise WeightsError(f"{path} does not fit the tattoo finder ({str(exc).splitlines()[0]}).") from exc
        return cls(network, working_side, threshold, device, metadata)

    @torch.inference_mode()
    def probability(self, photo: np.ndarray, size: Optional[tuple[int, int]] = None) -> np.ndarray:
        """``(H, W)`` float32 in 0-1 (or ``size`` ``(h, w)``): how likely each pixel of ``photo``
        ``(H, W, 3)`` uint8 is tattoo ink (or its halo)."""
        height, width = photo.shape[:2]
        out_height, out_width = size or (height, width)
        scale = min(1.0, self.working_side / max(height, width))
        small = photo if scale == 1 else cv2.resize(
            photo, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        rgb = torch.from_numpy(np.ascontiguousarray(small)).to(self.device).permute(2, 0, 1)[None].float() / 255
        pad_y, pad_x = (-rgb.shape[2]) % STRIDE, (-rgb.shape[3]) % STRIDE
        mode = "reflect" if min(rgb.shape[2:]) > max(pad_y, pad_x) else "replicate"
        rgb = F.pad(rgb, (0, pad_x, 0, pad_y), mode=mode)
        both = torch.cat([rgb, rgb.flip(-1)])
        logits = self.network(both)
        probability = (torch.sigmoid(logits[0]) + torch.sigmoid(logits[1]).flip(-1)) / 2
        probability = probability[0, :small.shape[0], :small.shape[1]].float().cpu().numpy()
        if probability.shape == (out_height, out_width):
            return probability
        return cv2.resize(probability, (out_width, out_height), interpolation=cv2.INTER_LINEAR)

    def find(self, photo: np.ndarray) -> Finding:
        """The tattoos in ``photo`` (``(H, W, 3)`` uint8) as a mask with their halo. A photo
        larger than ``MASK_SIDE`` gets its mask made at that size, then enlarged (the halo is
        a share of the photo's size, so it comes out the same, and a 24 MP photo takes a
        tenth of the time)."""
        height, width = photo.shape[:2]
        scale = min(1.0, MASK_SIDE / max(height, width))
        if scale == 1:
            return mask_from_probability(self.probability(photo), self.threshold)
        size = (max(1, round(height * scale)), max(1, round(width * scale)))
        small = mask_from_probability(self.probability(photo, size), self.threshold)
        mask = cv2.resize(small.mask.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) > 0.5
        boxes = [(min(width, round(x1 / scale)), min(height, round(y1 / scale)),
                  min(width, round(x2 / scale)), min(height, round(y2 / scale))) for x1, y1, x2, y2 in small.boxes]
        return Finding(mask, boxes)


def mask_from_probability(probability: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> Finding:
    """The finding that ``probability`` (``(H, W)``) holds when cut at ``threshold``: pieces of
    at least ``MIN_AREA_SHARE`` of the photo, their enclosed holes filled, grown by the halo."""
    height, width = probability.shape
    binary = (probability > threshold).astype(np.uint8)
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= MIN_AREA_SHARE * height * width
    keep[0] = False
    kept = keep[pieces]
    kept |= _enclosed_holes(kept)
    if not kept.any():
        return Finding(np.zeros((height, width), bool))
    mask = grow_mask(kept.astype(np.uint8) * 255, halo_for(probability.shape)) > 0
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    boxes = [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h in stats[1:, :4]]
    return Finding(mask, sorted(boxes, key=lambda box: (box[1], box[0])))


def _enclosed_holes(mask: np.ndarray) -> np.ndarray:
    """The pieces of ``~mask`` that do not touch the photo's edge and are small beside the mask."""
    count, holes, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    edge = np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]]))
    small = stats[:, cv2.CC_STAT_AREA] <= HOLE_SHARE * max(int(mask.sum()), 1)
    small[edge] = False
    small[0] = False  # label 0: the mask itself
    return small[holes]


def find_tattoos(photo: np.ndarray, finder: Optional[TattooFinder] = None,
                 device: str | torch.device = "auto") -> tuple[TattooFinder, Finding]:
    """The tattoos in ``photo`` with ``finder`` (loaded from the embedded file when ``None``),
    and the finder, for the caller to keep for the next photo."""
    finder = finder or TattooFinder.load(device=device)
    return finder, finder.find(photo)
