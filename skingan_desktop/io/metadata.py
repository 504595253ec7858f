"""EXIF orientation, and the privacy filter that strips what could identify a person.

A tattoo identifies a person, and so can the file around the pixels: GPS position, camera and
lens serial numbers, owner and artist names, maker notes, and the embedded thumbnail (which
still shows the tattoo). ``private_exif`` removes those and keeps the rest (exposure, date, lens
model), and every export resets the orientation, because the pixels are already upright.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
INTEROP_IFD = 0xA005

IDENTIFYING_TAGS = {
    0x013B: "Artist",
    0x9C9D: "XPAuthor",
    0xA430: "CameraOwnerName",
    0xA431: "BodySerialNumber",
    0xA435: "LensSerialNumber",
    0xA420: "ImageUniqueID",
    0x927C: "MakerNote",
    0xC62F: "CameraSerialNumber (DNG)",
}


def exif_orientation(image: Image.Image) -> int:
    try:
        value = int(image.getexif().get(ORIENTATION, 1))
    except (TypeError, ValueError, SyntaxError, OSError):
        return 1
    return value if 1 <= value <= 8 else 1


def apply_orientation(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Rotate/flip ``(H, W, ...)`` pixels so they show what the camera meant (EXIF 1-8)."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],  # transverse: mirrored across the other diagonal
        8: lambda a: np.rot90(a, 1),
    }
    op = ops.get(orientation)
    return np.ascontiguousarray(op(pixels)) if op else pixels


def export_exif(raw: Optional[bytes], *, private: bool) -> Optional[bytes]:
    """The EXIF block to write: orientation reset to 1; with ``private``, identifying tags,
    GPS and the thumbnail removed. ``None`` when there is nothing to write."""
    if not raw:
        return None
    exif = Image.Exif()
    try:
        exif.load(raw)
    except (SyntaxError, ValueError, OSError, TypeError, KeyError):
        return None  # unreadable EXIF is dropped rather than copied blindly
    if ORIENTATION in exif:
        exif[ORIENTATION] = 1
    if private:
        for tag in IDENTIFYING_TAGS:
            exif.pop(tag, None)
        exif.pop(GPS_IFD, None)
        sub = exif.get_ifd(EXIF_IFD)
        for tag in IDENTIFYING_TAGS:
            sub.pop(tag, None)
    # Pillow writes IFD0 and its sub-IFDs only: the thumbnail (IFD1) is never carried over.
    return exif.tobytes()
