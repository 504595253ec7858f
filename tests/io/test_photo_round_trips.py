"""Real files of every kind a photographer brings, through load -> inpaint -> export -> reopen."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms

from skingan_desktop.engine.runner import InpaintSettings, Inpainter, apply_results
from skingan_desktop.io.metadata import EXIF_IFD, GPS_IFD
from skingan_desktop.io.photos import load_photo, read_photo, write_photo
from skingan_desktop.model import load_generator
from tests.io.sample_photos import exif_with_thumbnail, skin_pattern

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.fixture(scope="module")
def inpainter(fixtures_dir: Path) -> Inpainter:
    return Inpainter(load_generator(fixtures_dir / "parity_small.pt"), InpaintSettings(refine=False))


def _profile_name(icc: bytes) -> str:
    return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))


def _inpaint(inpainter: Inpainter, rgb8: np.ndarray, hole: np.ndarray) -> np.ndarray:
    return apply_results(rgb8, inpainter.run(rgb8, hole), refined=False)


def _box(shape: tuple[int, int], top: int, left: int, size: int) -> np.ndarray:
    hole = np.zeros(shape, bool)
    hole[top:top + size, left:left + size] = True
    return hole


def test_camera_jpeg_with_orientation_gps_and_thumbnail(tmp_path: Path, inpainter: Inpainter) -> None:
    stored = skin_pattern(60, 80)  # as the sensor stored it: 80 wide, 60 high
    stored[:10, :10] = (0, 0, 255)  # a blue corner to check the rotation
    thumb = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), (10, 200, 10), np.uint8)).save(thumb, "JPEG")
    path = tmp_path / "camera.jpg"
    Image.fromarray(stored).save(path, quality=95, exif=exif_with_thumbnail(thumb.getvalue()), icc_profile=SRGB)
    assert thumb.getvalue() in path.read_bytes()

    photo = read_photo(path)
    assert photo.rgb.shape == (80, 60, 3)  # orientation 6: rotated to what the camera meant
    assert [int(v) for v in photo.rgb[2, 55]] == pytest.approx([0, 0, 255], abs=40)  # the corner is now top-right
    hole = _box(photo.rgb.shape[:2], 30, 20, 20)
    edited = _inpaint(inpainter, photo.rgb8, hole)

    private, kept = tmp_path / "private.jpg", tmp_path / "kept.jpg"
    write_photo(private, photo, edited, quality=95)
    write_photo(kept, photo, edited, quality=95, private=False)

    for out in (private, kept):
        reopened = Image.open(out)
        assert reopened.size == (60, 80)
        assert reopened.info.get("icc_profile") == SRGB
        exif = reopened.getexif()
        assert exif.get(0x0112, 1) == 1
        assert exif[0x010F] == "Camera Maker"
        assert exif.get_ifd(EXIF_IFD)[0x829A] == pytest.approx(0.01)
        assert thumb.getvalue() not in out.read_bytes()  # the stale thumbnail would show the tattoo
    private_exif = Image.open(private).getexif()
    assert 0x013B not in private_exif and not private_exif.get_ifd(GPS_IFD)
    assert 0xA431 not in private_exif.get_ifd(EXIF_IFD) and 0x927C not in private_exif.get_ifd(EXIF_IFD)
    kept_exif = Image.open(kept).getexif()
    assert kept_exif[0x013B] == "Alice Example" and kept_exif.get_ifd(GPS_IFD)[1] == "N"


def test_16_bit_tiff_keeps_the_cameras_exif_through_export_and_reopen(tmp_path: Path, inpainter: Inpainter) -> None:
    deep = (skin_pattern(64, 96)[..., 1].astype(np.uint16) * 257).astype(np.uint16)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x013B] = "Camera Maker", "Model 16", "Alice Example"
    exif.get_ifd(EXIF_IFD).update({0x829A: 0.01, 0x9003: "2026:11:30 10:20:30", 0xA431: "SN-123456"})
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 13.0, 7.5)})
    path = tmp_path / "scan.tif"
    Image.fromarray(deep).save(path, exif=exif.tobytes())  # a 16-bit TIFF, EXIF in its own tags

    photo = read_photo(path)
    assert photo.bit_depth == 16
    edited = _inpaint(inpainter, photo.rgb8, _box(deep.shape, 20, 30, 24))
    private, kept = tmp_path / "private.tif", tmp_path / "kept.tif"
    write_photo(private, photo, edited)
    write_photo(kept, photo, edited, private=False)

    for out in (private, kept):
        assert tifffile.imread(out).dtype == np.uint16
        tags = tifffile.TiffFile(out).pages[0].tags
        assert tags["Make"].value == "Camera Maker" and tags["Model"].value == "Model 16"
        assert tags["ExifTag"].value["DateTimeOriginal"] == "2026:11:30 10:20:30"
        reopened = Image.open(out).getexif()
        assert reopened.get_ifd(EXIF_IFD)[0x829A] == pytest.approx(0.01)
    private_tags = tifffile.TiffFile(private).pages[0].tags
    assert "Artist" not in private_tags and "GPSTag" not in private_tags
    assert "BodySerialNumber" not in private_tags["ExifTag"].value
    kept_tags = tifffile.TiffFile(kept).pages[0].tags
    assert kept_tags["Artist"].value == "Alice Example" and kept_tags["GPSTag"].value["GPSLatitudeRef"] == "N"

    as_jpeg = tmp_path / "from-tiff.jpg"  # the cleaned 16-bit TIFF opened again and sent on as a JPEG
    write_photo(as_jpeg, read_photo(private), read_photo(private).rgb8)
    jpeg_exif = Image.open(as_jpeg).getexif()
    assert jpeg_exif[0x010F] == "Camera Maker"
    assert jpeg_exif.get_ifd(EXIF_IFD)[0x9003] == "2026:11:30 10:20:30"
    assert 0x0111 not in jpeg_exif  # the TIFF's strip offsets describe that file, not this one


@pytest.mark.parametrize("suffix", [".tif", ".png"])
def test_16_bit_files_stay_16_bit_and_untouched_outside_the_fill(tmp_path: Path, inpainter: Inpainter, suffix: str) -> None:
    rng = np.random.default_rng(5)
    deep = (skin_pattern(64, 96).astype(np.uint16) * 257 + rng.integers(0, 200, (64, 96, 3))).astype(np.uint16)
    path = tmp_path / f"scan{suffix}"
    if suffix == ".tif":
        tifffile.imwrite(path, deep, photometric="rgb", iccprofile=SRGB)
    else:
        cv2.imwrite(str(path), deep[..., ::-1])

    photo = read_photo(path)
    assert photo.bit_depth == 16 and np.array_equal(photo.rgb, deep)
    hole = _box(deep.shape[:2], 20, 30, 24)
    out = tmp_path / f"clean{suffix}"
    write_photo(out, photo, _inpaint(inpainter, photo.rgb8, hole))

    back = read_photo(out)
    assert back.rgb.dtype == np.uint16
    assert np.array_equal(back.rgb[~hole], deep[~hole])
    assert not np.array_equal(back.rgb[hole], deep[hole])
    if suffix == ".tif":
        assert back.icc_profile == SRGB


def test_png_alpha_is_kept_and_never_inpainted(tmp_path: Path, inpainter: Inpainter) -> None:
    rgb = skin_pattern(70, 90)
    alpha = np.tile(np.linspace(0, 255, 90).astype(np.uint8), (70, 1))
    path = tmp_path / "cutout.png"
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(path)

    photo = read_photo(path)
    hole = _box(rgb.shape[:2], 20, 30, 25)
    out = tmp_path / "clean.png"
    write_photo(out, photo, _inpaint(inpainter, photo.rgb8, hole))

    back = np.asarray(Image.open(out))
    assert back.shape == (70, 90, 4)
    assert np.array_equal(back[..., 3], alpha)
    assert np.array_equal(back[..., :3][~hole], rgb[~hole])


@pytest.mark.parametrize("mode", ["L", "P", "I;16"])
def test_grayscale_palette_and_16_bit_gray_open_as_rgb(tmp_path: Path, mode: str) -> None:
    gray = skin_pattern(30, 40)[..., 0]
    image = Image.fromarray(gray).convert("P") if mode == "P" else Image.fromarray(
        gray.astype(np.uint16) * 257 if mode == "I;16" else gray)
    path = tmp_path / "gray.png"
    image.save(path)

    photo = read_photo(path)

    assert photo.rgb.shape == (30, 40, 3)
    assert photo.bit_depth == (16 if mode == "I;16" else 8)


def test_a_photo_too_large_for_memory_is_refused_before_decoding(tmp_path: Path) -> None:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0)  # 900 MP, 8-bit RGB
    path = tmp_path / "huge.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100))
                     + chunk(b"IEND", b""))

    from skingan_desktop.io.photos import PhotoError
    with pytest.raises(PhotoError, match="larger than 200 MP"):
        read_photo(path)


def test_cmyk_jpeg_is_converted_through_its_profile(tmp_path: Path, inpainter: Inpainter) -> None:
    from tests.io.cmyk_profile import cmyk_profile

    cmyk = np.zeros((48, 64, 4), np.uint8)
    cmyk[:, :32, 0] = 255  # cyan on the left, white on the right
    path = tmp_path / "print.jpg"
    Image.fromarray(cmyk, "CMYK").save(path, quality=95, icc_profile=cmyk_profile())

    photo = read_photo(path)
    assert photo.rgb.shape == (48, 64, 3)
    assert [int(v) for v in photo.rgb[24, 10]] == pytest.approx([0, 255, 255], abs=30)
    assert [int(v) for v in photo.rgb[24, 50]] == pytest.approx([255, 255, 255], abs=30)
    assert "sRGB" in _profile_name(photo.icc_profile)  # the pixels are sRGB now, and say so

    out = tmp_path / "clean.png"
    hole = _box(photo.rgb.shape[:2], 10, 40, 16)
    write_photo(out, photo, _inpaint(inpainter, photo.rgb8, hole))
    reopened = Image.open(out)
    assert reopened.mode == "RGB" and reopened.info.get("icc_profile") == photo.icc_profile
    assert np.array_equal(np.asarray(reopened)[~hole], photo.rgb[~hole])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_turned_upright_as_pillow_does(tmp_path: Path, orientation: int) -> None:
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    pixels = np.kron(rng.integers(0, 256, (4, 6, 3)), np.ones((8, 8, 1))).astype(np.uint8)  # blocks survive JPEG
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"turned-{orientation}.jpg"
    Image.fromarray(pixels).save(path, quality=95, exif=exif)

    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    assert np.array_equal(load_photo(path), expected)


def test_a_filmstrip_thumbnail_is_small_upright_and_a_damaged_file_says_so(tmp_path: Path) -> None:
    from skingan_desktop.io.photos import PhotoError, photo_thumbnail

    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: 400 wide, 300 high; shown 300 wide, 400 high
    path = tmp_path / "camera.jpg"
    Image.fromarray(skin_pattern(300, 400)).save(path, quality=90, exif=exif)
    thumbnail = photo_thumbnail(path, 120)
    assert thumbnail.shape == (120, 90, 3)
    upright = load_photo(path)
    small = cv2.resize(upright, (90, 120), interpolation=cv2.INTER_AREA)
    assert np.abs(thumbnail.astype(int) - small).mean() < 6
    damaged = tmp_path / "damaged.jpg"
    damaged.write_bytes(path.read_bytes()[:400])
    with pytest.raises(PhotoError, match="damaged"):
        photo_thumbnail(damaged)


def test_an_8_bit_tiff_export_of_a_camera_photo_keeps_its_exif(tmp_path: Path, inpainter: Inpainter) -> None:
    """Pillow's libtiff refused EXIF's directory pointers ("Error setting from dictionary"):
    an 8-bit TIFF export of any photo with EXIF failed and wrote nothing."""
    thumb = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), (10, 200, 10), np.uint8)).save(thumb, "JPEG")
    path = tmp_path / "camera.jpg"
    Image.fromarray(skin_pattern(60, 80)).save(path, quality=95, exif=exif_with_thumbnail(thumb.getvalue()),
                                        icc_profile=SRGB)
    photo = read_photo(path)
    edited = _inpaint(inpainter, photo.rgb8, _box(photo.rgb.shape[:2], 30, 20, 20))
    private, kept = tmp_path / "private.tif", tmp_path / "kept.tif"

    write_photo(private, photo, edited)
    write_photo(kept, photo, edited, private=False)

    for out in (private, kept):
        assert tifffile.imread(out).dtype == np.uint8 and tifffile.imread(out).shape == (80, 60, 3)
        assert np.array_equal(np.asarray(Image.open(out).convert("RGB")), edited)
        tags = tifffile.TiffFile(out).pages[0].tags
        assert tags["Make"].value == "Camera Maker" and tags["InterColorProfile"].value == SRGB
        assert Image.open(out).getexif().get_ifd(EXIF_IFD)[0x829A] == pytest.approx(0.01)
        assert thumb.getvalue() not in out.read_bytes()
    private_tags = tifffile.TiffFile(private).pages[0].tags
    assert "Artist" not in private_tags and "GPSTag" not in private_tags
    assert tifffile.TiffFile(kept).pages[0].tags["Artist"].value == "Alice Example"
