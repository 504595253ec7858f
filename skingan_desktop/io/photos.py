"""Photos in and out of files: formats, bit depth, alpha, ICC, EXIF, atomic writes.

One module for all photo I/O. ``read_photo`` keeps everything a photographer's file has
(16-bit pixels, alpha, the ICC profile, EXIF) in a :class:`PhotoFile`; the engine works on its
8-bit ``rgb8``; ``write_photo`` merges the edited 8-bit pixels back at full depth (pixels the
edit did not change keep their original 16-bit values) and writes atomically.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
from PIL import Image, ImageCms, UnidentifiedImageError

from . import files
from .metadata import apply_orientation, exif_orientation, export_exif
from .tiff_metadata import encode_tiff, exif_of_tiff

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WEBP", ".bmp": "BMP"}
MAX_PIXELS = 200_000_000  # about 200 MP; larger files are refused before decoding
JPEG_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


class PhotoError(ValueError):
    """A photo or mask file that cannot be used; the message is one sentence for the user."""


@dataclass
class PhotoFile:
    """A photo as read from disk, upright (EXIF orientation applied).

    ``rgb``: ``(H, W, 3)`` uint8 or uint16; ``alpha``: ``(H, W)`` of the same dtype or ``None``
    (never inpainted, re-attached on export); ``icc_profile`` and ``exif``: raw bytes or ``None``.
    """

    path: Path
    format: str
    rgb: np.ndarray
    alpha: Optional[np.ndarray] = None
    icc_profile: Optional[bytes] = None
    exif: Optional[bytes] = None

    @property
    def bit_depth(self) -> int:
        return 16 if self.rgb.dtype == np.uint16 else 8

    @cached_property
    def rgb8(self) -> np.ndarray:
        """``(H, W, 3)`` uint8: what the engine and the screen work on (computed once; the
        autosave compares against it after every edit)."""
        return self.rgb if self.rgb.dtype == np.uint8 else to_8bit(self.rgb)


def to_8bit(values: np.ndarray) -> np.ndarray:
    """16-bit values rounded to the nearest 8-bit value."""
    return ((values.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _open(path: Path, what: str, *, decode: bool = True) -> Image.Image:
    """The image at ``path``, decoded, or with ``decode=False`` only its header read (size and
    mode known, and the size already held against :data:`MAX_PIXELS`)."""
    if not path.exists():
        raise PhotoError(f"The {what} {path} does not exist.")
    if not path.is_file():
        raise PhotoError(f"The {what} {path} is not a file.")
    if path.stat().st_size == 0:
        raise PhotoError(f"The {what} {path} is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            old_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
            try:
                image = Image.open(path)
                if decode:
                    image.load()
            finally:
                Image.MAX_IMAGE_PIXELS = old_limit
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"The {what} {path} is larger than {MAX_PIXELS // 1_000_000} MP and was refused.") from None
    except UnidentifiedImageError:
        raise PhotoError(f"The {what} {path} is not an image file this app can read.") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, ZeroDivisionError) as exc:
        raise PhotoError(f"The {what} {path} is damaged or truncated ({_first_line(exc)}).") from None
    return image


def photo_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` of the photo as it will be shown (EXIF orientation applied), from its
    header alone: a mask can be checked against it before the photo is decoded."""
    image = _open(Path(path), "photo", decode=False)
    width, height = image.size
    return (height, width) if exif_orientation(image) in (5, 6, 7, 8) else (width, height)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _read_16bit(path: Path, image: Image.Image) -> Optional[np.ndarray]:
    """16-bit RGB(A) pixels of a PNG or TIFF (Pillow reduces those to 8 bits), else ``None``."""
    if image.format not in ("PNG", "TIFF"):
        return None
    flags = cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION
    pixels = cv2.imread(str(path), flags)
    if pixels is None or pixels.dtype != np.uint16:
        return None
    if pixels.ndim == 2:
        return np.repeat(pixels[..., None], 3, axis=-1)
    order = [2, 1, 0, 3] if pixels.shape[2] == 4 else [2, 1, 0]
    return pixels[..., order[: pixels.shape[2]]]


def _srgb_from_cmyk(image: Image.Image, icc: Optional[bytes]) -> tuple[Image.Image, Optional[bytes]]:
    """CMYK -> sRGB through the file's profile when it has one; the result carries sRGB."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
            return converted, srgb.tobytes()
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return image.convert("RGB"), None


def read_photo(path: str | Path) -> PhotoFile:
    """Read any supported photo upright, keeping bit depth, alpha, ICC profile and EXIF."""
    path = Path(path)
    image = _open(path, "photo")
    fmt = image.format or "PNG"
    icc = image.info.get("icc_profile")
    exif = image.info.get("exif") or (exif_of_tiff(image) if fmt == "TIFF" else None)
    orientation = exif_orientation(image)
    alpha = None
    deep = _read_16bit(path, image)
    if deep is not None:
        rgb = deep[..., :3]
        alpha = deep[..., 3] if deep.shape[2] == 4 else None
    else:
        if image.mode == "CMYK":
            converted, icc = _srgb_from_cmyk(image, icc)
            image = converted
        elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
            gray = np.asarray(image).astype(np.uint32).clip(0, 65535).astype(np.uint16)
            rgb = np.repeat(gray[..., None], 3, axis=-1)
            return PhotoFile(path, fmt, np.ascontiguousarray(apply_orientation(rgb, orientation)), None, icc, exif)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        rgba = image.convert("RGBA") if has_alpha else image.convert("RGB")
        values = np.array(rgba)
        rgb = values[..., :3]
        alpha = values[..., 3] if has_alpha else None
    rgb = apply_orientation(np.ascontiguousarray(rgb), orientation)
    alpha = apply_orientation(alpha, orientation) if alpha is not None else None
    return PhotoFile(path, fmt, rgb, alpha, icc, exif)


def photo_thumbnail(path: str | Path, side: int = 160) -> np.ndarray:
    """``(h, w, 3)`` uint8, upright, whose long side is at most ``side``: decoded at a reduced
    size where the format allows (JPEG), so an archive's filmstrip fills quickly."""
    image = _open(Path(path), "photo", decode=False)
    orientation = exif_orientation(image)
    try:
        image.draft("RGB", (side, side))
        image.thumbnail((side, side))
        values = np.array(image.convert("RGB"))
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, ZeroDivisionError) as exc:
        raise PhotoError(f"The photo {path} is damaged or truncated ({_first_line(exc)}).") from None
    return np.ascontiguousarray(apply_orientation(values, orientation))


def load_photo(path: str | Path) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB, upright, writable: what the engine works on."""
    return np.array(read_photo(path).rgb8)


def load_mask(path: str | Path, expected_size: tuple[int, int] | None = None) -> np.ndarray:
    """``(H, W)`` bool hole map: any non-zero pixel (ignoring alpha) is hole.

    ``expected_size`` is ``(width, height)``; a mask of another size is refused.
    """
    path = Path(path)
    image = _open(path, "mask", decode=False)  # the size is checked before anything is decoded
    if expected_size is not None and image.size != tuple(expected_size):
        raise PhotoError(
            f"The mask {path} is {image.size[0]}x{image.size[1]} but the photo is "
            f"{expected_size[0]}x{expected_size[1]}; they must be the same size."
        )
    image = _open(path, "mask")
    if image.mode in ("LA", "RGBA", "PA"):
        values = np.asarray(image.convert("RGBA"))[..., :3]
    elif image.mode in ("1", "L", "I", "I;16", "F"):
        values = np.asarray(image)
    else:
        values = np.asarray(image.convert("RGB"))
    return values.any(axis=-1) if values.ndim == 3 else values != 0


def _check_edit_size(photo: PhotoFile, edited8: np.ndarray) -> None:
    if edited8.shape != photo.rgb.shape:
        raise PhotoError(f"The edited image is {edited8.shape[1]}x{edited8.shape[0]} but the photo is "
                         f"{photo.rgb.shape[1]}x{photo.rgb.shape[0]}.")


def changed_pixels(photo: PhotoFile, edited8: np.ndarray) -> np.ndarray:
    """``(H, W)`` bool: where the edited 8-bit pixels differ from the photo's as read. Raises
    :class:`PhotoError` when the edit is not the photo's size."""
    _check_edit_size(photo, edited8)
    return (edited8 != photo.rgb8).any(axis=-1)


def merge_edit(photo: PhotoFile, edited8: np.ndarray) -> np.ndarray:
    """The photo at its own bit depth with the edit in: pixels whose 8-bit value the edit
    changed take the edited value (scaled to 16 bits when needed), all others stay as read."""
    if photo.bit_depth == 8:
        _check_edit_size(photo, edited8)  # the edit is the photo: no comparison needed
        return edited8
    changed = changed_pixels(photo, edited8)
    merged = photo.rgb.copy()
    merged[changed] = edited8[changed].astype(np.uint16) * 257
    return merged


def save_format(path: str | Path) -> str:
    """The format for saving to ``path``; raises :class:`PhotoError` before any work is done
    if the extension or the folder will not do."""
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PhotoError(f"Cannot save {path}: use one of {', '.join(sorted(SAVE_FORMATS))}.")
    if not path.parent.is_dir():
        raise PhotoError(f"Cannot save {path}: the folder {path.parent} does not exist.")
    return fmt


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png16(rgb: np.ndarray, alpha: Optional[np.ndarray], icc: Optional[bytes], exif: Optional[bytes]) -> bytes:
    pixels = np.dstack([rgb, alpha]) if alpha is not None else rgb
    order = [2, 1, 0, 3] if pixels.shape[2] == 4 else [2, 1, 0]
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels[..., order]))
    if not ok:
        raise PhotoError("The 16-bit PNG could not be encoded.")
    data = encoded.tobytes()
    extra = b""
    if icc:
        extra += _png_chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc))
    if exif:
        extra += _png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
    ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    return data[:ihdr_end] + extra + data[ihdr_end:]


def _encode(fmt: str, rgb: np.ndarray, alpha: Optional[np.ndarray], icc: Optional[bytes], exif: Optional[bytes],
            quality: int, subsampling: Optional[str]) -> bytes:
    if rgb.dtype == np.uint16 and fmt == "PNG":
        return _png16(rgb, alpha, icc, exif)
    if fmt == "TIFF":  # one writer for 8 and 16 bits: Pillow's libtiff refuses EXIF's directory pointers
        pixels = np.dstack([rgb, alpha]) if alpha is not None else rgb
        return encode_tiff(pixels, icc=icc, exif=exif, alpha=alpha is not None)
    if rgb.dtype == np.uint16:  # formats without 16-bit support get the rounded 8-bit pixels
        rgb = to_8bit(rgb)
        alpha = to_8bit(alpha) if alpha is not None else None
    keeps_alpha = alpha is not None and fmt in ("PNG", "TIFF", "WEBP")
    image = Image.fromarray(np.dstack([rgb, alpha]) if keeps_alpha else rgb, "RGBA" if keeps_alpha else "RGB")
    options: dict = {}
    if icc:
        options["icc_profile"] = icc
    if exif and fmt != "BMP":
        options["exif"] = exif
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    if fmt == "JPEG" and subsampling in JPEG_SUBSAMPLING:
        options["subsampling"] = JPEG_SUBSAMPLING[subsampling]
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def write_photo(path: str | Path, photo: PhotoFile, edited8: np.ndarray, *, quality: int = 95,
                subsampling: Optional[str] = None, private: bool = True, replace: bool = True) -> Path:
    """Export the edited photo: full bit depth, alpha re-attached, ICC kept, EXIF kept with its
    orientation reset (and identifying data removed when ``private``), written atomically; with
    ``replace=False`` a file at ``path`` is never replaced, even one that appeared meanwhile."""
    fmt = save_format(path)
    rgb = merge_edit(photo, edited8)
    exif = export_exif(photo.exif, private=private)
    data = _encode(fmt, rgb, photo.alpha, photo.icc_profile, exif, quality, subsampling)
    return write_atomically(Path(path), data, replace=replace)


def write_patch(path: str | Path, photo: PhotoFile, edited8: np.ndarray) -> Path:
    """Write what the edits changed as a full-size RGBA PNG: the edited pixels, opaque where they
    differ from the photo's and transparent elsewhere, with the photo's ICC profile. Laid as a
    layer over the original in an image editor, it reproduces the cleaned photo while the
    original stays untouched (a non-destructive hand-off). Atomic, like every export."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise PhotoError(f"Cannot save {path}: a patch is a PNG with transparency; use a .png name.")
    save_format(path)  # the folder exists
    changed = changed_pixels(photo, edited8)
    if not changed.any():
        raise PhotoError("Nothing is edited yet, so there is no patch to export.")
    rgba = np.zeros(edited8.shape[:2] + (4,), np.uint8)
    rgba[changed, :3] = edited8[changed]
    rgba[changed, 3] = 255
    buffer = io.BytesIO()
    extra = {"icc_profile": photo.icc_profile} if photo.icc_profile else {}
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", **extra)
    return write_atomically(path, buffer.getvalue())


def save_photo(path: str | Path, photo: np.ndarray, quality: int = 95) -> Path:
    """Write plain pixels (``(H, W, 3)`` or ``(H, W)`` uint8, e.g. a mask) atomically."""
    fmt = save_format(path)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format=fmt, **({"quality": quality} if fmt in ("JPEG", "WEBP") else {}))
    return write_atomically(Path(path), buffer.getvalue())


def write_atomically(path: Path, data: bytes, *, replace: bool = True) -> Path:
    """:func:`files.write_atomically`, with a failure as a :class:`PhotoError` sentence."""
    try:
        return files.write_atomically(path, data, replace=replace)
    except FileExistsError:
        raise PhotoError(f"Cannot save {path}: a file of that name appeared while the fill ran; "
                         "it was left as it is (pass --overwrite to replace it).") from None
    except OSError as exc:
        raise PhotoError(f"Cannot save {path}: {exc.strerror or exc}.") from None
