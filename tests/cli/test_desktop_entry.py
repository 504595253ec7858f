"""`skingan-desktop desktop-entry` puts the app in a Linux applications menu with its icon, and
the window carries the same icon."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.conftest import REPO


def _run(*args: str, data_home: Path) -> subprocess.CompletedProcess:
    environment = dict(os.environ, XDG_DATA_HOME=str(data_home))
    return subprocess.run([sys.executable, "-m", "skingan_desktop", "desktop-entry", *args], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_the_desktop_entry_is_installed_with_its_icons_and_removed(tmp_path: Path) -> None:
    result = _run(data_home=tmp_path)

    assert result.returncode == 0, result.stderr
    entry_path = tmp_path / "applications" / "skingan-desktop.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(entry_path)
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "SkinGAN Desktop" and desktop["Type"] == "Application"
    assert desktop["Icon"] == "skingan-desktop" and "image/jpeg" in desktop["MimeType"]
    command = shlex.split(desktop["Exec"])
    assert command[-1] == "%f"
    version = subprocess.run(command[:-1] + ["--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and "skingan-desktop" in version.stdout  # the entry starts this installation
    icons = tmp_path / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / "skingan-desktop.svg").read_text().lstrip().startswith("<?xml")
    assert Image.open(icons / "256x256" / "apps" / "skingan-desktop.png").size == (256, 256)
    assert Image.open(icons / "48x48" / "apps" / "skingan-desktop.png").size == (48, 48)

    removed = _run("--remove", data_home=tmp_path)

    assert removed.returncode == 0
    assert not entry_path.exists() and not any(icons.rglob("skingan-desktop.*"))
