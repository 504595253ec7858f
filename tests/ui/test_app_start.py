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
def inspect_and_quit():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    seen["windows"] = len(windows)
    seen["photo"] = str(windows[0].photo_path) if windows else None
    seen["title"] = windows[0].windowTitle() if windows else ""
    seen["inpaint_enabled"] = windows[0].actions_by_name["inpaint"].isEnabled() if windows else False
    seen["model"] = windows[0].model_name if windows else None
    for w in windows:
        w.close()
    QApplication.quit()

app = QApplication(sys.argv[:1])  # run_app uses this instance; timers need it to exist
QTimer.singleShot(4000, inspect_and_quit)  # long enough for the embedded model to load
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
                    "inpaint_enabled": True, "model": "SkinGAN default (embedded)", "exit": 0}


def test_the_command_alone_starts_the_app_on_the_embedded_model(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["windows"] == 1 and seen["photo"] == "None"  # no photo open
    assert seen["model"] == "SkinGAN default (embedded)"
