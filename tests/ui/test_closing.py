"""Closing the window while work runs in threads: the app cancels, waits and exits cleanly (a
real process, since a thread left running when Python exits aborts it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

_CLOSE_WHILE_REFINING = """
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from skingan_desktop.ui.main_window import MainWindow
from tests.ui.conftest import drag_on_canvas

def wait(condition, seconds=60):
    end = time.time() + seconds
    while not condition() and time.time() < end:
        app.processEvents(); time.sleep(0.01)
    assert condition()

window = MainWindow(); window.resize(1000, 700); window.show()
window.settings.n_iters = 100_000                      # a refinement that would run for ages
window.open_photo(Path(sys.argv[1]))
wait(lambda: window.photo is not None)
drag_on_canvas(window, [(200, 300), (400, 500)])
window.load_weights(Path(sys.argv[2]))
wait(lambda: window.generator is not None)
window.run_inpainting()
wait(window.compare.has_quick)                          # refining now, and an autosave may be writing
window.close(); app.quit()
print("closed", flush=True)
"""


def test_closing_during_refinement_exits_cleanly(tattoo_png, small_weights: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", _CLOSE_WHILE_REFINING, str(tattoo_png[0]), str(small_weights)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "closed"
    assert "QThread: Destroyed while thread" not in result.stderr
    assert not list((tmp_path / "data").rglob("recovery.skingan"))  # a clean exit leaves nothing to recover
