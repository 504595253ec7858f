"""A camera photo full of a person's names, contacts and places, exported in every format: by
default nothing of them survives, in any field or anywhere in the file's bytes; the technical
description of the picture does."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from skingan_desktop.io.metadata import EXIF_IFD, GPS_IFD
from skingan_desktop.io.photos import read_photo, write_photo
from tests.io.sample_photos import exif_with_thumbnail, skin_pattern

NAME, CONTACT, PLACE = "Alice Example", "alice@example.org", "Kreuzberg"
SECRETS = (NAME, CONTACT, PLACE, "SN-123456", "maker secrets", "HOST-ALICE")
XMP = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{NAME}</dc:creator>'
       f'<dc:rights>{CONTACT}</dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>').encode()


def _iptc() -> bytes:
    """An IPTC-IIM record: the by-line (2:80), a city (2:90) and a contact (2:118)."""
    def dataset(number: int, text: str) -> bytes:
        value = text.encode()
        return bytes([0x1C, 2, number]) + struct.pack(">H", len(value)) + value
    return dataset(80, NAME) + dataset(90, PLACE) + dataset(118, CONTACT)


def _photoshop_segment(iptc: bytes) -> bytes:
    """A JPEG APP13 segment holding ``iptc`` as Photoshop's resource 0x0404."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iptc)) + iptc
    resource += b"\0" * (len(resource) % 2)
    body = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def _camera_exif(thumbnail: bytes) -> bytes:
    """The thumbnail-carrying camera EXIF of the round-trip tests, with every free-text and person
    field a camera, a phone or an editor writes."""
    exif = Image.Exif()
    exif.load(exif_with_thumbnail(thumbnail))
    exif.update({
        0x0110: "Model X", 0x0132: "2026:11:30 10:20:30",
        0x010E: f"{NAME} at {PLACE}",  # ImageDescription
        0x8298: f"(c) {NAME}, {CONTACT}",  # Copyright
        0x010D: f"{NAME}.tif",  # DocumentName
        0x013C: "HOST-ALICE",  # HostComputer
        0x9C9B: f"{NAME}\0".encode("utf-16-le"),  # XPTitle
        0x9C9C: f"call {CONTACT}\0".encode("utf-16-le"),  # XPComment
        0x9C9E: f"{PLACE}\0".encode("utf-16-le"),  # XPKeywords
        0x9C9F: f"{NAME}\0".encode("utf-16-le"),  # XPSubject
    })
    sub = exif.get_ifd(EXIF_IFD)
    sub.update({0x9003: "2026:11:30 10:20:30", 0x920A: 35.0, 0xA434: "Lens 35mm",
                0x9286: b"ASCII\0\0\0" + f"for {NAME}".encode(),  # UserComment
                0xA430: NAME, 0xA435: "SN-123456"})  # CameraOwnerName, LensSerialNumber
    exif.get_ifd(GPS_IFD)[0x1C] = f"ASCII\0\0\0{PLACE}".encode()  # GPSAreaInformation
    return exif.tobytes()


@pytest.fixture(scope="module")
def camera_jpeg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    thumb = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), (10, 200, 10), np.uint8)).save(thumb, "JPEG")
    stored = io.BytesIO()
    Image.fromarray(skin_pattern(60, 80)).save(stored, "JPEG", quality=95, exif=_camera_exif(thumb.getvalue()), xmp=XMP)
    data = stored.getvalue()
    path = tmp_path_factory.mktemp("camera") / "camera.jpg"
    path.write_bytes(data[:2] + _photoshop_segment(_iptc()) + data[2:])  # IPTC right after the SOI
    assert _leaks(path) == list(SECRETS)
    return path, thumb.getvalue()


@pytest.fixture(scope="module")
def scan_tiff16(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 16-bit RGB TIFF from a scanner or raw converter: names in its own tags, XMP and IPTC."""
    deep = (skin_pattern(64, 96).astype(np.uint16) * 257).astype(np.uint16)
    path = tmp_path_factory.mktemp("scan") / "scan.tif"
    text = [(0x010F, "s", 0, "Scanner Maker", True), (0x013B, "s", 0, NAME, True),
            (0x8298, "s", 0, f"(c) {CONTACT}", True), (0x010D, "s", 0, f"{NAME}.tif", True), (0x013C, "s", 0, "HOST-ALICE", True)]
    tifffile.imwrite(path, deep, photometric="rgb", description=PLACE, metadata=None,
                     extratags=text + [(700, "B", len(XMP), XMP, True), (33723, "B", len(_iptc()), _iptc(), True)])
    assert _leaks(path) == [NAME, CONTACT, PLACE, "HOST-ALICE"]
    return path


def _leaks(path: Path) -> list[str]:
    data = path.read_bytes()
    return [secret for secret in SECRETS
            if secret.encode() in data or secret.encode("utf-16-le") in data or secret.encode("utf-16-be") in data]


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".webp"])
def test_an_export_of_a_camera_photo_carries_no_name_contact_or_place(
        tmp_path: Path, camera_jpeg: tuple[Path, bytes], suffix: str) -> None:
    source, thumbnail = camera_jpeg
    photo = read_photo(source)
    out = tmp_path / f"clean{suffix}"

    write_photo(out, photo, photo.rgb8)

    assert _leaks(out) == []
    assert thumbnail not in out.read_bytes()
    reopened = Image.open(out)
    assert not ({"xmp", "XML:com.adobe.xmp", "photoshop"} & set(reopened.info))
    exif = reopened.getexif()
    assert exif[0x010F] == "Camera Maker" and exif[0x0110] == "Model X"  # what took the picture stays
    assert exif.get_ifd(EXIF_IFD)[0x920A] == pytest.approx(35.0) and exif.get_ifd(EXIF_IFD)[0xA434] == "Lens 35mm"
    assert not exif.get_ifd(GPS_IFD)
    if suffix == ".tif":
        assert tifffile.imread(out).dtype == np.uint8
        assert 33723 not in tifffile.TiffFile(out).pages[0].tags and 700 not in tifffile.TiffFile(out).pages[0].tags


def test_a_private_metadata_export_keeps_the_names_when_asked(tmp_path: Path, camera_jpeg: tuple[Path, bytes]) -> None:
    source, thumbnail = camera_jpeg
    photo = read_photo(source)
    out = tmp_path / "kept.jpg"

    write_photo(out, photo, photo.rgb8, private=False)

    exif = Image.open(out).getexif()
    assert exif[0x8298] == f"(c) {NAME}, {CONTACT}" and exif.get_ifd(EXIF_IFD)[0xA430] == NAME
    assert exif.get_ifd(GPS_IFD)[1] == "N"
    assert thumbnail not in out.read_bytes()  # the thumbnail still shows the tattoo: never kept


@pytest.mark.parametrize("suffix", [".tif", ".png"])
def test_a_16_bit_export_of_a_scan_carries_no_name_contact_or_place(tmp_path: Path, scan_tiff16: Path,
                                                                    suffix: str) -> None:
    photo = read_photo(scan_tiff16)
    assert photo.bit_depth == 16
    out = tmp_path / f"clean{suffix}"

    write_photo(out, photo, photo.rgb8)

    assert _leaks(out) == []
    assert Image.open(out).getexif()[0x010F] == "Scanner Maker"
    if suffix == ".tif":
        tags = tifffile.TiffFile(out).pages[0].tags
        assert tifffile.imread(out).dtype == np.uint16
        assert not ({700, 33723, 0x013B, 0x8298, 0x010E, 0x010D, 0x013C} & {tag.code for tag in tags})
