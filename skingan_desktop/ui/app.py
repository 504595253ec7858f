"""Starts the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..resources import app_icon_path

from .main_window import MainWindow
from .platform_check import platform_problem


def run_app(photo: Optional[Path] = None) -> int:
    if QApplication.instance() is None:
        problem = platform_problem()
        if problem:
            print(problem, file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("SkinGAN")
    app.setApplicationName("SkinGAN Desktop")
    app.setDesktopFileName("skingan-desktop")  # matches the desktop entry (skingan-desktop desktop-entry)
    app.setWindowIcon(QIcon(str(app_icon_path())))
    window = MainWindow()
    window.show()
    weights = window.configured_weights()
    if weights is not None:
        window.load_weights(weights)
    if photo is not None:
        window.open_photo(photo)
    else:
        window.offer_recovery()
    return app.exec()
