"""A small but valid CMYK ICC profile (v2, lut8 A2B0 to Lab), built for tests.

No CMYK profile ships with Pillow or the test machines, so the tests make one: the corners of
the CMYK cube map through the naive ``R = (1 - C)(1 - K)`` model to sRGB, then to Lab.
"""

from __future__ import annotations

import itertools
import struct

import numpy as np
from PIL import Image, ImageCms


def _s15(value: float) -> bytes:
    return struct.pack(">i", int(round(value * 65536)))


def _text_desc(text: str) -> bytes:
    ascii_ = text.encode() + b"\0"
    return b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0" * 3 + b"\0" * 67


def _lab_corners() -> bytes:
    corners = list(itertools.product((0, 1), repeat=4))  # C, M, Y, K, last index fastest
    rgb = np.array([[(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)] for c, m, y, k in corners])
    image = Image.fromarray((rgb * 255).round().astype(np.uint8)[None], "RGB")
    to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")
    lab = np.asarray(ImageCms.applyTransform(image, to_lab))[0].astype(np.int32)
    lab[:, 1:] = (lab[:, 1:] + 128) % 256  # Pillow stores a/b as signed bytes; ICC lut8 offsets them by 128
    return lab.astype(np.uint8).tobytes()


def cmyk_profile() -> bytes:
    ramp = bytes(range(256))
    lut = (b"mft1" + b"\0" * 4 + bytes([4, 3, 2, 0])
           + b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
           + ramp * 4 + _lab_corners() + ramp * 3)
    white = b"XYZ " + b"\0" * 4 + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    copyright_ = b"text" + b"\0" * 4 + b"No copyright, test data\0"
    tags = [(b"desc", _text_desc("SkinGAN test CMYK")), (b"wtpt", white), (b"cprt", copyright_), (b"A2B0", lut)]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + table_size + len(data)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"prtr" + b"CMYK" + b"Lab "
              + b"\0" * 12 + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 8 + b"\0" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128, len(header)
    return header + table + data
