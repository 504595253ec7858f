"""Before the first window: can Qt's X11 platform plugin load on this Linux machine?

Qt 6 needs a few X11 libraries that a minimal Linux desktop may not have (``libxcb-cursor0``
first of all). Without them Qt prints a paragraph about platform plugins and aborts the process,
which Python cannot catch. So, when the app is about to use the X11 plugin, we load the plugin's
library ourselves first; if the system lacks one of its libraries, the user gets one sentence
that names it and the command that installs it.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path
from typing import Mapping, Optional

# The Debian/Ubuntu packages Qt 6's X11 plugin needs beyond a basic X11 system, by library.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-util.so.1": "libxcb-util1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
# What the README names for a minimal desktop: the ones most often missing (a Debian 12 server with
# Xvfb installed lacked libxcb-keysyms1 too).
USUAL_PACKAGES = ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1")


def uses_x11(environment: Mapping[str, str]) -> bool:
    """Whether Qt will pick its X11 (xcb) plugin: asked for by name, or the default on a
    session without Wayland."""
    chosen = environment.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not environment.get("WAYLAND_DISPLAY")


def missing_library(plugin: Path) -> Optional[str]:
    """The name of a shared library ``plugin`` needs and the system lacks, or ``None`` when it
    loads (or cannot be judged: then Qt will say what it says)."""
    if not plugin.is_file():
        return None
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        found = re.match(r"\s*([^\s:]+\.so[.\d]*): cannot open shared object file", str(exc))
        return found.group(1) if found else None
    return None


def advice_for(library: str) -> str:
    package = DEBIAN_PACKAGES.get(library)
    packages = " ".join(dict.fromkeys(([package] if package else []) + list(USUAL_PACKAGES)))
    return (f"SkinGAN Desktop cannot open its window: this system lacks {library}, which Qt needs for X11. "
            f"Install it (on Debian or Ubuntu: sudo apt install {packages}) and start the app again.")


def x11_plugin() -> Path:
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"


def platform_problem(environment: Mapping[str, str] = os.environ, plugin: Optional[Path] = None) -> Optional[str]:
    """One sentence saying why no window can open and what to install, or ``None``."""
    if not sys.platform.startswith("linux") or not uses_x11(environment):
        return None
    library = missing_library(plugin or x11_plugin())
    return advice_for(library) if library else None
