"""Fixtures for driving the real window offscreen with pytest-qt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from skingan_desktop.ui.main_window import MainWindow
from skingan_desktop.ui.settings import AppSettings
from tests.conftest import PHOTOS


@pytest.fixture()
def settings(tmp_path: Path) -> AppSettings:
    """Preferences in a private file, so tests never touch the user's settings."""
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), data_dir=tmp_path / "data")


@pytest.fixture()
def window(qtbot, settings: AppSettings) -> MainWindow:
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.resize(1200, 800)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture()
def tattoo_png(tmp_path: Path) -> tuple[Path, tuple[int, int, int, int]]:
    """A real tattoo photo enlarged to 900x1200 (so both results differ), saved losslessly."""
    source = PHOTOS / "23_1.jpg"
    image = Image.open(source).convert("RGB").resize((900, 1200), Image.Resampling.BICUBIC)
    path = tmp_path / "arm.png"
    image.save(path)
    x1, y1, x2, y2 = (int(float(v)) for v in source.with_suffix(".txt").read_text().split()[:4])
    return path, (int(x1 * 2.5), int(y1 * 2.5), int(x2 * 2.5), int(y2 * 2.5))


def send_mouse(widget, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton) -> None:
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def wheel(widget, pos: QPointF, notches: int) -> None:
    """Turn the mouse wheel ``notches`` clicks (away from the user: positive) over ``pos``."""
    event = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def drag_on_canvas(window: MainWindow, points: list[tuple[float, float]], button=Qt.MouseButton.LeftButton) -> None:
    """A real press-move-release on the canvas viewport through photo coordinates ``points``."""
    viewport = window.canvas.viewport()
    positions = [QPointF(window.canvas.mapFromScene(QPointF(x, y))) for x, y in points]
    send_mouse(viewport, QEvent.Type.MouseButtonPress, positions[0], button, button)
    for pos in positions[1:]:
        send_mouse(viewport, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, button)
    send_mouse(viewport, QEvent.Type.MouseButtonRelease, positions[-1], button, Qt.MouseButton.NoButton)


def photo_pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def open_photo(qtbot, window: MainWindow, path: Path, timeout_ms: int = 60_000) -> bool:
    """Open ``path`` the way the menu does (decoded in a worker thread) and wait until it is on
    the canvas (True) or refused with a message (False)."""
    outcome: list[bool] = []
    window.photo_opened.connect(lambda _: outcome.append(True))
    window.photo_refused.connect(lambda _: outcome.append(False))
    window.open_photo(path)
    qtbot.waitUntil(lambda: bool(outcome), timeout=timeout_ms)
    return outcome[0]
