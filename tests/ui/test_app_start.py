"""`skingan-desktop PHOTO` starts the real app with the photo open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from skingan_desktop.cli import main
from skingan_desktop.ui.main_window import MainWindow


def test_the_command_starts_the_window_with_the_photo(qapp, tattoo_png, tmp_path: Path, monkeypatch) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    seen = {}

    def inspect_and_quit() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["photo"] = windows[0].photo_path if windows else None
        seen["title"] = windows[0].windowTitle() if windows else ""
        for w in windows:
            w.close()
        QApplication.quit()

    QTimer.singleShot(500, inspect_and_quit)
    assert main([str(tattoo_png[0])]) == 0
    assert seen["photo"] == tattoo_png[0]
    assert tattoo_png[0].name in seen["title"]
