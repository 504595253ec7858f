"""EXIF orientation, and the privacy filter that strips what could identify a person.

A tattoo identifies a person, and so can the file around the pixels: GPS position, camera and
lens serial numbers, owner and artist names, copyright lines, captions, comments and keywords,
maker notes, and the embedded thumbnail (which still shows the tattoo). A private export keeps
only the technical tags listed here (how the picture was taken: camera and lens model, exposure,
dates, colour space) and drops every other, so a free-text field we never heard of cannot carry
a name out. Every export resets the orientation, because the pixels are already upright. XMP and
IPTC blocks are never written, private or not; the thumbnail (IFD1) never is either.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
INTEROP_IFD = 0xA005

# What a private export keeps of the main directory (IFD0) and of the EXIF directory.
TECHNICAL_IMAGE_TAGS = frozenset({
    0x010F,  # Make
    0x0110,  # Model
    0x0112,  # Orientation (always reset to 1)
    0x011A, 0x011B, 0x0128,  # XResolution, YResolution, ResolutionUnit
    0x0131,  # Software
    0x0132,  # DateTime
    0x013E, 0x013F,  # WhitePoint, PrimaryChromaticities
    0x0211, 0x0213,  # YCbCrCoefficients, YCbCrPositioning
    EXIF_IFD,
})
TECHNICAL_EXIF_TAGS = frozenset({
    0x829A, 0x829D,  # ExposureTime, FNumber
    0x8822, 0x8827, 0x8830, 0x8831, 0x8832,  # ExposureProgram, ISO, sensitivity type and indices
    0x9000,  # ExifVersion
    0x9003, 0x9004,  # DateTimeOriginal, DateTimeDigitized
    0x9010, 0x9011, 0x9012,  # OffsetTime, OffsetTimeOriginal, OffsetTimeDigitized
    0x9101, 0x9102,  # ComponentsConfiguration, CompressedBitsPerPixel
    0x9201, 0x9202, 0x9203, 0x9204, 0x9205,  # shutter, aperture, brightness, bias, max aperture
    0x9206, 0x9207, 0x9208, 0x9209, 0x920A,  # subject distance, metering, light source, flash, focal length
    0x9214,  # SubjectArea
    0x9290, 0x9291, 0x9292,  # SubSecTime, SubSecTimeOriginal, SubSecTimeDigitized
    0xA000, 0xA001, 0xA002, 0xA003,  # FlashpixVersion, ColorSpace, PixelXDimension, PixelYDimension
    0xA20E, 0xA20F, 0xA210, 0xA215, 0xA217,  # focal plane resolution, exposure index, sensing method
    0xA300, 0xA301,  # FileSource, SceneType
    0xA401, 0xA402, 0xA403, 0xA404, 0xA405, 0xA406,  # rendering, exposure mode, white balance, zoom,
    0xA407, 0xA408, 0xA409, 0xA40A, 0xA40C,  # 35 mm focal length, scene, gain, contrast, saturation,
    # sharpness, subject distance range
    0xA432, 0xA433, 0xA434,  # LensSpecification, LensMake, LensModel
    0xA460, 0xA500,  # CompositeImage, Gamma
})


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
    """The EXIF block to write: orientation reset to 1; with ``private``, only the technical
    tags (GPS, names, serial numbers, free text and maker notes gone). The thumbnail is never
    written. ``None`` when there is nothing to write."""
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
        sub = exif.get_ifd(EXIF_IFD)
        for tag in [tag for tag in sub if tag not in TECHNICAL_EXIF_TAGS]:
            del sub[tag]
        for tag in [tag for tag in exif if tag not in TECHNICAL_IMAGE_TAGS]:
            del exif[tag]
        if not sub:
            exif.pop(EXIF_IFD, None)
    # Pillow writes IFD0 and its sub-IFDs only: the thumbnail (IFD1) is never carried over.
    return exif.tobytes()
