"""EXIF in TIFF files: read from a TIFF's own tags, and written into the 16-bit TIFFs we export.

A TIFF keeps EXIF in its first directory (camera make, model, date) and in EXIF and GPS
sub-directories that it points to; Pillow reads them, but ``image.info`` has no EXIF block for a
TIFF, and tifffile, which writes our 16-bit RGB TIFFs, writes no sub-directories. So on reading,
the descriptive tags are gathered into an EXIF block like a JPEG's (the tags that describe the
pixel layout stay behind: they belong to the file, not the photo). On writing, tifffile writes
the descriptive tags and placeholders for the two pointers, and the sub-directories, serialised
by Pillow, are appended and pointed to.
"""

from __future__ import annotations

import io
import struct
from typing import Optional

import numpy as np
from PIL import Image, TiffImagePlugin

from .metadata import EXIF_IFD, GPS_IFD, ORIENTATION

DESCRIPTIVE_TAGS = (
    0x010E,  # ImageDescription
    0x010F,  # Make
    0x0110,  # Model
    0x0131,  # Software
    0x0132,  # DateTime
    0x013B,  # Artist (identifying: the privacy filter removes it first)
    0x8298,  # Copyright
)
DESCRIPTION, SOFTWARE = 0x010E, 0x0131
RESOLUTION = (0x011A, 0x011B, 0x0128)  # XResolution, YResolution, ResolutionUnit
SUB_DIRECTORIES = (EXIF_IFD, GPS_IFD)


def exif_of_tiff(image: Image.Image) -> Optional[bytes]:
    """An EXIF block (as in a JPEG) with the photo's descriptive tags, orientation, resolution
    and EXIF and GPS directories from a TIFF's tags; ``None`` when it has none of them."""
    try:
        tags = image.getexif()
        exif = Image.Exif()
        for tag in DESCRIPTIVE_TAGS + (ORIENTATION,) + RESOLUTION:
            if tag in tags:
                exif[tag] = tags[tag]
        for tag in SUB_DIRECTORIES:
            directory = tags.get_ifd(tag)
            if directory:
                exif.get_ifd(tag).update(directory)
        has_any = len(exif) > 0 or any(exif.get_ifd(tag) for tag in SUB_DIRECTORIES)
        return exif.tobytes() if has_any else None
    except (SyntaxError, ValueError, OSError, TypeError, KeyError, struct.error):
        return None  # unreadable tags are dropped rather than copied blindly


def encode_tiff(pixels: np.ndarray, *, icc: Optional[bytes], exif: Optional[bytes], alpha: bool) -> bytes:
    """A zlib-compressed 8 or 16-bit RGB(A) TIFF of ``(H, W, 3 or 4)`` uint8 or uint16 ``pixels`` with the ICC
    profile and, from the EXIF block ``exif``, its descriptive tags, resolution and EXIF and GPS
    directories."""
    import tifffile

    tags = Image.Exif()
    if exif:
        tags.load(exif)
    text = {tag: str(tags[tag]) for tag in DESCRIPTIVE_TAGS if isinstance(tags.get(tag), str)}
    # tifffile writes the description and software tags itself (by default its own JSON and name).
    description, software = text.pop(DESCRIPTION, None), text.pop(SOFTWARE, False)
    extratags = [(tag, "s", 0, value.encode("utf-8", "replace"), True) for tag, value in text.items()]
    directories = {tag: dict(tags.get_ifd(tag)) for tag in SUB_DIRECTORIES if tags.get_ifd(tag)}
    # tifffile will not write the two pointer tags itself: it writes an unassigned tag one number
    # above each (so the directory stays in tag order), renamed once its directory is appended.
    extratags += [(tag + 1, "I", 1, 0, True) for tag in directories]
    options = {}
    if all(tag in tags for tag in RESOLUTION[:2]):
        options["resolution"] = (float(tags[RESOLUTION[0]]), float(tags[RESOLUTION[1]]))
        options["resolutionunit"] = int(tags.get(RESOLUTION[2], 2))
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, pixels, photometric="rgb", compression="zlib", iccprofile=icc, metadata=None,
                     description=description, software=software, extrasamples=("unassalpha",) if alpha else None, extratags=extratags, **options)
    return _append_directories(bytearray(buffer.getvalue()), directories)


def _append_directories(data: bytearray, directories: dict[int, dict]) -> bytes:
    """``data`` (a classic TIFF) with each of ``directories`` appended and its placeholder tag in
    the first directory renamed to the pointer and aimed at it."""
    order = "<" if data[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", data, 4)[0]
    (count,) = struct.unpack_from(order + "H", data, first)
    for index in range(count):
        entry = first + 2 + 12 * index
        (placeholder,) = struct.unpack_from(order + "H", data, entry)
        tag = placeholder - 1
        if tag not in directories:
            continue
        data += b"\0" * (len(data) % 2)  # directories start on a word boundary
        offset = len(data)
        directory = TiffImagePlugin.ImageFileDirectory_v2(prefix=bytes(data[:2]), group=tag)
        for key, value in directories[tag].items():
            directory[key] = value
        data += directory.tobytes(offset)
        struct.pack_into(order + "H", data, entry, tag)
        struct.pack_into(order + "I", data, entry + 8, offset)
    return bytes(data)
