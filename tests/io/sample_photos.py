"""Pixels and EXIF blocks the photo tests build: skin with a pattern, and a camera's EXIF with
identifying fields and a thumbnail."""

from __future__ import annotations

import struct

import numpy as np
from PIL import Image

from skingan_desktop.io.metadata import EXIF_IFD, GPS_IFD


def skin_pattern(height: int, width: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([190 + 20 * np.sin(xx / 30), 150 + 15 * np.cos(yy / 25), 130 + 0 * xx], -1)
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


def exif_with_thumbnail(thumbnail: bytes) -> bytes:
    """EXIF with orientation 6, an artist, GPS, a body serial number, an exposure time, and an
    IFD1 thumbnail, built by hand because Pillow does not write thumbnails."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera Maker"
    exif[0x013B] = "Alice Example"
    exif.get_ifd(EXIF_IFD).update({0x829A: 0.01, 0xA431: "SN-123456", 0x927C: b"maker secrets"})
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 13.0, 7.5)})
    body = exif.tobytes()[6:]  # TIFF structure without the "Exif\0\0" prefix
    e = "<" if body[:2] == b"II" else ">"
    # Append IFD1 (JPEGInterchangeFormat + length) and the thumbnail, and link it from IFD0.
    ifd0 = struct.unpack(e + "I", body[4:8])[0]
    count = struct.unpack(e + "H", body[ifd0:ifd0 + 2])[0]
    next_pointer = ifd0 + 2 + 12 * count
    ifd1 = len(body)
    thumb_at = ifd1 + 2 + 2 * 12 + 4
    ifd1_bytes = (struct.pack(e + "H", 2) + struct.pack(e + "HHII", 0x0201, 4, 1, thumb_at)
                  + struct.pack(e + "HHII", 0x0202, 4, 1, len(thumbnail)) + struct.pack(e + "I", 0))
    body = body[:next_pointer] + struct.pack(e + "I", ifd1) + body[next_pointer + 4:] + ifd1_bytes + thumbnail
    return b"Exif\x00\x00" + body
