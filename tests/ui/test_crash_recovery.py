"""Kill the app mid-session (a real process, SIGKILL) and prove the restart restores the work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

_SESSION = """
import hashlib, json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
app.setOrganizationName("SkinGAN"); app.setApplicationName("SkinGAN Desktop")
from skingan_desktop.ui.main_window import MainWindow
from tests.ui.conftest import drag_on_canvas

def wait(condition, seconds=60):
    end = time.time() + seconds
    while not condition() and time.time() < end:
        app.processEvents(); time.sleep(0.01)
    assert condition()

photo, weights = Path(sys.argv[1]), Path(sys.argv[2])
window = MainWindow(); window.resize(1000, 700); window.show()
window.settings.refine = False
window.open_photo(photo)
wait(lambda: window.photo is not None)
original = hashlib.sha256(window.photo.tobytes()).hexdigest()
window.canvas.set_brush_size(50)
drag_on_canvas(window, [(200, 300), (400, 500)])
window.load_weights(weights)
wait(lambda: window.generator is not None)
window.run_inpainting()
wait(lambda: window.results is not None)
window.apply_result(False)                          # an applied edit...
drag_on_canvas(window, [(600, 200), (700, 250)])    # ...and a fresh stroke after it
wait(lambda: not window.autosave_pending)          # the recovery file holds every edit
print(json.dumps({"photo": hashlib.sha256(window.photo.tobytes()).hexdigest(),
                  "mask": hashlib.sha256(window.mask_array().tobytes()).hexdigest(),
                  "original": original}), flush=True)
while True:
    app.processEvents(); time.sleep(0.01)
"""

_RESTART = """
import hashlib, json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication(sys.argv[:1])
QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)  # the user says yes
from skingan_desktop.cli import main
from skingan_desktop.ui.main_window import MainWindow
seen = {}
def inspect():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    seen["photo"] = hashlib.sha256(window.photo.tobytes()).hexdigest() if window.photo is not None else None
    seen["mask"] = hashlib.sha256(window.mask_array().tobytes()).hexdigest() if window.photo is not None else None
    rows = window.history_view.model()
    seen["history"] = [rows.data(rows.index(i, 0)) for i in range(rows.rowCount())]  # the History panel
    for _ in range(2):  # undo the last stroke and the applied result
        window.actions_by_name["undo"].trigger()
    seen["undone"] = hashlib.sha256(window.photo.tobytes()).hexdigest()
    window.actions_by_name["redo"].trigger(); window.actions_by_name["redo"].trigger()
    window.close(); app.quit()
QTimer.singleShot(1500, inspect)
main([])
print(json.dumps(seen), flush=True)
"""


def test_killed_app_restores_mask_and_applied_edits(tattoo_png, small_weights: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    first = subprocess.Popen([sys.executable, "-c", _SESSION, str(tattoo_png[0]), str(small_weights)], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = first.stdout.readline()
        assert line, first.stderr.read()
        before = json.loads(line)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    assert first.returncode == -signal.SIGKILL

    second = subprocess.run([sys.executable, "-c", _RESTART], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)

    assert second.returncode == 0, second.stderr
    after = json.loads(second.stdout.strip().splitlines()[-1])
    assert (after["photo"], after["mask"]) == (before["photo"], before["mask"])
    # The History comes back with the work, each step undoable: undoing the applied result
    # brings back the photo as it was opened.
    assert after["history"] == ["Photo as opened", "Brush stroke", "Apply 512 result", "Brush stroke"]
    assert after["undone"] == before["original"]
    # Restored but still not exported when the second app closed: kept for the start after.
    assert len(list((tmp_path / "data").rglob("recovery.skingan"))) == 1
