"""The fills ours is measured against, each as ``(photo, hole) -> result`` on whole photos.

OpenCV's Telea and Navier-Stokes and our membrane fill are always here. PatchMatch
(``pypatchmatch``, the algorithm family of Photoshop's Content-Aware Fill) and OpenCV contrib's
FSR come from the benchmark extra (``pip install 'skingan-desktop[bench]'``, README); they are
never dependencies of the app.
"""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from ..engine.membrane import membrane_fill

Fill = Callable[[np.ndarray, np.ndarray], np.ndarray]  # ((H, W, 3) uint8, (H, W) bool) -> (H, W, 3) uint8
OPENCV_RADIUS = 5


def _opencv(flag: int) -> Fill:
    def fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        return cv2.inpaint(photo, hole.astype(np.uint8) * 255, OPENCV_RADIUS, flag)
    return fill


def _fsr(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    known = (~hole).astype(np.uint8) * 255  # xphoto's mask marks the pixels to keep
    out = np.zeros_like(photo)
    cv2.xphoto.inpaint(photo, known, out, cv2.xphoto.INPAINT_FSR_FAST)
    return np.where(hole[..., None], out, photo)


def _patchmatch(patch_size: int) -> Fill:
    import patchmatch

    def fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        patchmatch.set_random_seed(0)
        out = patchmatch.inpaint(photo, mask=hole.astype(np.uint8) * 255, patch_size=patch_size)
        return np.where(hole[..., None], out, photo)
    return fill


def peer_fills() -> tuple[dict[str, Fill], list[str]]:
    """The peers that can run here, by name, and a sentence for each that cannot."""
    fills: dict[str, Fill] = {
        "OpenCV Telea": _opencv(cv2.INPAINT_TELEA),
        "OpenCV Navier-Stokes": _opencv(cv2.INPAINT_NS),
    }
    missing = []
    if hasattr(cv2, "xphoto"):
        fills["OpenCV FSR (contrib)"] = _fsr
    else:
        missing.append("OpenCV FSR: needs opencv-contrib-python-headless (the bench extra)")
    try:
        import patchmatch  # noqa: F401
        fills["PatchMatch, patch 3"] = _patchmatch(3)
        fills["PatchMatch, patch 7"] = _patchmatch(7)
    except (ImportError, OSError):
        missing.append("PatchMatch: needs pypatchmatch (the bench extra)")
    fills["membrane fill"] = membrane_fill
    return fills, missing
