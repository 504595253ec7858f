"""Reading photos and masks with Pillow, and writing results atomically."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WEBP", ".bmp": "BMP"}
MAX_PIXELS = 200_000_000  # about 200 MP; larger files are refused before decoding


class PhotoError(ValueError):
    """A photo or mask file that cannot be used; the message is one sentence for the user."""


def _open(path: Path, what: str) -> Image.Image:
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
                image.load()
            finally:
                Image.MAX_IMAGE_PIXELS = old_limit
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"The {what} {path} is larger than {MAX_PIXELS // 1_000_000} MP and was refused.") from None
    except UnidentifiedImageError:
        raise PhotoError(f"The {what} {path} is not an image file this app can read.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"The {what} {path} is damaged or truncated ({exc}).") from None
    return image


def load_photo(path: str | Path) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB, with the EXIF orientation applied."""
    path = Path(path)
    image = _open(path, "photo")
    image = ImageOps.exif_transpose(image)
    return np.array(image.convert("RGB"))


def load_mask(path: str | Path, expected_size: tuple[int, int] | None = None) -> np.ndarray:
    """``(H, W)`` bool hole map: any non-zero pixel (ignoring alpha) is hole.

    ``expected_size`` is ``(width, height)``; a mask of another size is refused.
    """
    path = Path(path)
    image = _open(path, "mask")
    if expected_size is not None and image.size != tuple(expected_size):
        raise PhotoError(
            f"The mask {path} is {image.size[0]}x{image.size[1]} but the photo is "
            f"{expected_size[0]}x{expected_size[1]}; they must be the same size."
        )
    if image.mode in ("LA", "RGBA", "PA"):
        image = image.convert("RGBA")
        values = np.asarray(image)[..., :3]
    else:
        values = np.asarray(image.convert("RGB") if image.mode not in ("1", "L", "I", "I;16", "F") else image)
    values = np.asarray(values)
    return values.any(axis=-1) if values.ndim == 3 else values != 0


def save_format(path: str | Path) -> str:
    """The Pillow format for saving to ``path``; raises :class:`PhotoError` before any work
    is done if the extension or the folder will not do."""
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PhotoError(f"Cannot save {path}: use one of {', '.join(sorted(SAVE_FORMATS))}.")
    if not path.parent.is_dir():
        raise PhotoError(f"Cannot save {path}: the folder {path.parent} does not exist.")
    return fmt


def save_photo(path: str | Path, photo: np.ndarray, quality: int = 95) -> Path:
    """Write ``photo`` (``(H, W, 3)`` or ``(H, W)`` uint8) atomically: a temporary file in the
    same folder, then a rename, so a crash never leaves a half-written file."""
    path = Path(path)
    fmt = save_format(path)
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            Image.fromarray(photo).save(f, format=fmt, **options)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PhotoError(f"Cannot save {path}: {exc.strerror or exc}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
