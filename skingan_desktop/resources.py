"""Where the files that ship with the app live (the embedded model, icons)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def embedded_model_path() -> Path | None:
    """The default generator shipped with the app, or ``None`` while none is shipped."""
    path = resources_dir() / "models" / "skingan-default.safetensors"
    return path if path.is_file() else None


def app_icon_path() -> Path:
    """The app's icon (SVG; PNG renders of it lie beside it)."""
    return resources_dir() / "icons" / "skingan-desktop.svg"
