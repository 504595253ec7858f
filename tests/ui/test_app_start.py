"""`skingan-desktop PHOTO` starts the real app with the photo open (in its own process, since
a Qt application can only start and quit once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

_PROBE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from skingan_desktop.cli import main
from skingan_desktop.ui.main_window import MainWindow

seen = {}
waited = [0]
def inspect_and_quit():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    want_photo = len(sys.argv) > 1
    ready = windows and (windows[0].photo_path is not None or not want_photo) and windows[0].model_name != "none"
    waited[0] += 1
    if not ready and waited[0] < 600:  # the photo opens and the embedded model loads in the background
        QTimer.singleShot(100, inspect_and_quit)
        return
    seen["windows"] = len(windows)
    seen["photo"] = str(windows[0].photo_path) if windows else None
    seen["title"] = windows[0].windowTitle() if windows else ""
    seen["inpaint_enabled"] = windows[0].actions_by_name["inpaint"].isEnabled() if windows else False
    seen["model"] = windows[0].model_name if windows else None
    seen["icon"] = bool(windows) and not windows[0].windowIcon().pixmap(48, 48).isNull()  # the taskbar's icon
    for w in windows:
        w.close()
    QApplication.quit()

app = QApplication(sys.argv[:1])  # run_app uses this instance; timers need it to exist
QTimer.singleShot(100, inspect_and_quit)
seen["exit"] = main(sys.argv[1:])
print(json.dumps(seen))
"""


def test_the_command_starts_the_window_with_the_photo(tattoo_png, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", _PROBE, str(tattoo_png[0])], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"windows": 1, "photo": str(tattoo_png[0]), "title": f"{tattoo_png[0].name} - SkinGAN Desktop",
                    "inpaint_enabled": True, "model": "SkinGAN default (embedded)", "icon": True, "exit": 0}


def test_the_command_alone_starts_the_app_on_the_embedded_model(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["windows"] == 1 and seen["photo"] == "None"  # no photo open
    assert seen["model"] == "SkinGAN default (embedded)"


_DAMAGED_RECOVERY = """
import json, sys
import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from skingan_desktop.cli import main
from skingan_desktop.ui.main_window import MainWindow
from skingan_desktop.ui.settings import AppSettings

app = QApplication(sys.argv[:1])
app.setOrganizationName("SkinGAN"); app.setApplicationName("SkinGAN Desktop")
recovery = AppSettings().recovery_path
with recovery.open("wb") as f:
    np.save(f, np.arange(3))  # one damaged recovery file, as a crash mid-write or a bad disk leaves
seen = {"warnings": []}
QMessageBox.warning = staticmethod(lambda parent, title, text, *a: seen["warnings"].append(text))
QMessageBox.question = staticmethod(lambda *a, **k: seen.setdefault("asked", True))
def inspect_and_quit():
    seen["windows"] = sum(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
    seen["left"] = sorted(p.name for p in recovery.parent.iterdir())
    QApplication.closeAllWindows()
    QApplication.quit()
QTimer.singleShot(1500, inspect_and_quit)
seen["exit"] = main([])
print(json.dumps(seen))
"""


def test_a_damaged_recovery_file_does_not_stop_the_app(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               HOME=str(tmp_path))
    for start in range(2):  # and the next start does not trip on it either
        result = subprocess.run([sys.executable, "-c", _DAMAGED_RECOVERY], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        seen = json.loads(result.stdout.strip().splitlines()[-1])
        assert seen["exit"] == 0 and seen["windows"] == 1 and "asked" not in seen
        assert len(seen["warnings"]) == 1 and "recovery.damaged-" in seen["warnings"][0]
        assert f"recovery.damaged-{start + 1}.skingan" in seen["left"]
