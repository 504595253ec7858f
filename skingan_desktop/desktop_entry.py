"""The Linux desktop entry: the app in the applications menu, with its icon, as an opener of photos.

``skingan-desktop desktop-entry`` writes, under ``$XDG_DATA_HOME`` (``~/.local/share``), the
freedesktop.org entry ``applications/skingan-desktop.desktop`` and the icon in the ``hicolor``
theme (scalable SVG, 256 and 48 px PNG); ``--remove`` takes them away again. The entry starts
whatever installation ran the command: the virtual environment's launcher, or the bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, Optional, Sequence

from .io.files import write_atomically
from .resources import resources_dir

APP_ID = "skingan-desktop"
PHOTO_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/webp", "image/bmp")
ICONS = {"scalable": "skingan-desktop.svg", "256x256": "skingan-desktop-256.png", "48x48": "skingan-desktop-48.png"}


def data_home(environment: Mapping[str, str] = os.environ) -> Path:
    configured = environment.get("XDG_DATA_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """How this installation is started: the bundle's executable, the environment's
    ``skingan-desktop`` launcher, or this Python running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / APP_ID
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "skingan_desktop"]


def _quoted(argument: str) -> str:
    """An Exec argument as the Desktop Entry Specification quotes it."""
    if not any(c in argument for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'


def entry_text(command: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=SkinGAN Desktop",
        "GenericName=Tattoo and blemish remover",
        "Comment=Remove tattoos and blemishes from photos, offline",
        f"Exec={' '.join(_quoted(a) for a in command)} %f",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Graphics;Photography;RasterGraphics;",
        f"MimeType={';'.join(PHOTO_TYPES)};",
        "StartupWMClass=skingan-desktop",
        "",
    ])


def installed_paths(home: Path) -> list[Path]:
    paths = [home / "applications" / f"{APP_ID}.desktop"]
    for size, name in ICONS.items():
        paths.append(home / "icons" / "hicolor" / size / "apps" / f"{APP_ID}{Path(name).suffix}")
    return paths


def install(home: Optional[Path] = None, command: Optional[Sequence[str]] = None) -> list[Path]:
    """Write the entry and its icons under ``home`` (default :func:`data_home`); the paths written."""
    home = home or data_home()
    entry, *icons = installed_paths(home)
    for path in installed_paths(home):
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(entry, entry_text(command or launcher_command()).encode())
    for path, name in zip(icons, ICONS.values()):
        write_atomically(path, (resources_dir() / "icons" / name).read_bytes())
    return [entry, *icons]


def remove(home: Optional[Path] = None) -> list[Path]:
    """Delete what :func:`install` wrote; the paths that were there."""
    removed = []
    for path in installed_paths(home or data_home()):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed
