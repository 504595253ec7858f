"""The File menu's writers and readers for the open photo: export (full resolution, the
original never replaced without asking), the patch layer, and the mask as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..io.photos import SAVE_FORMATS, PhotoError, load_mask, save_photo, write_patch, write_photo

if TYPE_CHECKING:
    from .main_window import MainWindow

EXPORT_FILTER = "PNG (*.png);;JPEG (*.jpg *.jpeg);;TIFF (*.tif *.tiff);;WebP (*.webp)"


def export_filter_for(suffix: str) -> str:
    """The entry of the export dialog's filter that shows files named ``*suffix``."""
    return next((entry for entry in EXPORT_FILTER.split(";;") if f"*{suffix.lower()}" in entry.split("(")[1]),
                EXPORT_FILTER.split(";;")[0])


class FileActions(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window

    def ask_export(self) -> None:
        original = self.window.photo_path
        if original is None:
            return
        suffix = original.suffix if original.suffix.lower() in SAVE_FORMATS else ".png"
        suggestion = original.with_name(f"{original.stem}-clean{suffix}")  # same format by default
        path, _ = QFileDialog.getSaveFileName(self.window, "Export cleaned photo", str(suggestion), EXPORT_FILTER,
                                              export_filter_for(suffix), QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        overwrite_original = Path(path).resolve() == original.resolve()
        if overwrite_original or Path(path).exists():
            question = ("This is the original photo. Replace it with the cleaned version?" if overwrite_original
                        else f"{Path(path).name} exists. Replace it?")
            if QMessageBox.question(self.window, "Replace file?", question) != QMessageBox.StandardButton.Yes:
                return
        self.export_to(Path(path), allow_original=overwrite_original)

    def refuse_original(self, path: Path) -> bool:
        """True (after telling the user) when ``path`` is the open photo's own file."""
        if self.window.photo_path is not None and path.exists() and path.resolve() == self.window.photo_path.resolve():
            self.window.show_error(f"{path.name} is the original photo; choose another name to keep it safe.")
            return True
        return False

    def export_to(self, path: Path, *, allow_original: bool = False) -> bool:
        """Write the working photo at full resolution; the original only with ``allow_original``."""
        if self.window.photo is None:
            return False
        if not allow_original and self.refuse_original(path):
            return False
        assert self.window.photo_file is not None
        try:
            write_photo(path, self.window.photo_file, self.window.photo, quality=self.window.settings.jpeg_quality,
                        subsampling=self.window.settings.jpeg_subsampling or None, private=self.window.settings.privacy)
        except PhotoError as exc:
            self.window.show_error(str(exc))
            return False
        except (OSError, ValueError, RuntimeError, MemoryError) as exc:  # an encoder's own failure
            self.window.show_error(f"{path.name} could not be written ({exc or type(exc).__name__}); nothing was saved.")
            return False
        self.window.mark_saved()
        self.window.show_status(f"Saved to {path}")
        return True

    def ask_load_mask(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Load mask", "", "PNG (*.png);;All files (*)")
        if path:
            self.load_mask_file(Path(path))

    def load_mask_file(self, path: Path) -> bool:
        if self.window.photo is None:
            return False
        try:
            hole = load_mask(path, expected_size=(self.window.photo.shape[1], self.window.photo.shape[0]))
        except PhotoError as exc:
            self.window.show_error(str(exc))
            return False
        self.window.replace_mask(np.where(hole, 255, 0).astype(np.uint8), "Load mask")
        return True

    def ask_export_patch(self) -> None:
        if self.window.photo_path is None:
            return
        suggestion = self.window.photo_path.with_name(f"{self.window.photo_path.stem}-patch.png")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export patch", str(suggestion), "PNG (*.png)")
        if path:
            self.export_patch_to(Path(path))

    def export_patch_to(self, path: Path) -> bool:
        """Write the changed pixels as a transparent PNG layer (never over the original photo)."""
        if self.window.photo is None or self.window.photo_file is None:
            return False
        if self.refuse_original(path):
            return False
        try:
            write_patch(path, self.window.photo_file, self.window.photo)
        except PhotoError as exc:
            self.window.show_error(str(exc))
            return False
        self.window.show_status(f"Patch exported to {path}")
        return True

    def ask_save_mask(self) -> None:
        if self.window.photo_path is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save mask", str(self.window.photo_path.with_name(f"{self.window.photo_path.stem}-mask.png")),
                                              "PNG (*.png)")
        if path:
            self.save_mask_file(Path(path))

    def save_mask_file(self, path: Path) -> bool:
        mask = self.window.mask_array()
        if mask is None:
            return False
        try:
            save_photo(path, mask)
        except PhotoError as exc:
            self.window.show_error(str(exc))
            return False
        self.window.show_status(f"Mask saved to {path}")
        return True
