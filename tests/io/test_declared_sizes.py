"""Sizes are checked from headers before anything large is decoded: a small file that declares a
huge picture or array costs nothing to refuse."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skingan_desktop.io.photos import PhotoError, photo_size
from skingan_desktop.io.session import load_session
from tests.conftest import assert_one_line_error, run_cli, lit_skin


def _jpeg_declaring(path: Path, width: int, height: int) -> Path:
    """A 64x48 JPEG whose frame header (SOF0) is rewritten to declare ``width`` x ``height``."""
    buffer = io.BytesIO()
    Image.fromarray(lit_skin(48, 64)).save(buffer, "JPEG", quality=80)
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    path.write_bytes(bytes(data))
    return path


def test_a_small_jpeg_declaring_196_mp_is_refused_from_its_header(tmp_path: Path, small_weights: Path) -> None:
    photo = _jpeg_declaring(tmp_path / "huge.jpg", 14000, 14000)
    assert photo.stat().st_size < 50_000
    mask = tmp_path / "mask.png"
    Image.fromarray(np.full((48, 64), 255, np.uint8)).save(mask)

    assert photo_size(photo) == (14000, 14000)
    result = run_cli("inpaint", photo, mask, "-o", tmp_path / "out.png", "--weights", small_weights)

    assert_one_line_error(result, "64x48", "14000x14000")  # the mask's size against the photo's header


def test_the_photos_size_from_its_header_is_the_upright_one(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 80 wide, shown 60 wide
    path = tmp_path / "turned.jpg"
    Image.fromarray(lit_skin(60, 80)).save(path, exif=exif.tobytes())

    assert photo_size(path) == (60, 80)


def test_a_session_declaring_a_huge_mask_is_refused_without_inflating_it(tmp_path: Path) -> None:
    original = lit_skin(48, 64)
    session = tmp_path / "crafted.skingan"
    meta = json.dumps({"version": 1, "photo": "a.jpg", "width": 64, "height": 48}).encode()
    with zipfile.ZipFile(session, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.npy", _npy(np.frombuffer(meta, np.uint8)))
        huge = io.BytesIO()
        np.lib.format.write_array_header_1_0(huge, {"descr": "|u1", "fortran_order": False, "shape": (40000, 40000)})
        archive.writestr("mask.npy", huge.getvalue() + bytes(1 << 20))  # the header, and a start of zeros
        archive.writestr("edit_box.npy", _npy(np.zeros(4, np.int64)))

    tracemalloc.start()
    with pytest.raises(PhotoError, match="mask that does not fit"):
        load_session(session, original)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20  # 1.6 GB were never asked for


def test_a_session_whose_edits_leave_the_photo_is_refused(tmp_path: Path) -> None:
    original = lit_skin(48, 64)
    session = tmp_path / "crafted.skingan"
    meta = json.dumps({"version": 1, "photo": "a.jpg", "width": 64, "height": 48}).encode()
    np.savez(session.open("wb"), meta=np.frombuffer(meta, np.uint8), mask=np.zeros((48, 64), np.uint8),
             edit_box=np.array([40, 30, 90, 60], np.int64), edit_changed=np.ones((30, 50), bool),
             edit_pixels=np.zeros((30, 50, 3), np.uint8))

    with pytest.raises(PhotoError, match="edits that do not fit"):
        load_session(session, original)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()
