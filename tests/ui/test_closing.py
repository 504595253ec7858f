"""Closing the window and keeping the work: the app cancels running work and exits cleanly (a
real process, since a thread left running when Python exits aborts it); edits not exported are
kept for the next start or in a session file of their own, and a restored session is a step in
the History."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.conftest import REPO

_CLOSE_WHILE_REFINING = """
import sys, time
from pathlib import Path

import numpy as np
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
    assert len(list((tmp_path / "data").rglob("recovery.skingan"))) == 1  # the stroke was never exported: kept


def test_closing_with_edits_not_exported_keeps_them_for_the_next_start(qtbot, settings, tattoo_png, tmp_path: Path,
                                                                       monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from skingan_desktop.ui.main_window import MainWindow
    from tests.ui.conftest import drag_on_canvas, open_photo

    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    open_photo(qtbot, first, tattoo_png[0])
    drag_on_canvas(first, [(300, 300), (500, 400)])
    painted = first.mask_array()
    first.close()
    assert settings.recovery_path.is_file()

    asked: list[str] = []
    def say_yes(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", staticmethod(say_yes))
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    second.offer_recovery()
    assert "were not exported" in asked[0] and "arm.png" in asked[0]
    assert second.photo_path == tattoo_png[0] and (second.mask_array() == painted).all()

    assert second.export_to(tmp_path / "clean.png")  # exported now: closing leaves nothing behind
    second.close()
    assert not settings.recovery_path.exists()


def test_opening_another_photo_keeps_the_unsaved_edits_of_the_first(qtbot, window, tattoo_png, tmp_path: Path) -> None:
    from PIL import Image

    from skingan_desktop.ui.worker import wait_for_all
    from tests.conftest import lit_skin
    from tests.ui.conftest import drag_on_canvas, open_photo

    open_photo(qtbot, window, tattoo_png[0])
    drag_on_canvas(window, [(300, 300), (500, 400)])
    painted = window.mask_array()
    other = tmp_path / "skin.png"
    Image.fromarray(lit_skin()).save(other)
    open_photo(qtbot, window, other)
    assert "the unsaved edits of the photo before are kept in" in window.last_status
    kept = Path(window.last_status.split("kept in ")[1].split(" (File")[0])
    wait_for_all()
    assert kept.is_file() and kept.parent == window.settings.data_dir / "unsaved"

    assert window.open_session_file(kept)
    assert window.photo_path == tattoo_png[0] and (window.mask_array() == painted).all()
    assert window.export_to(tmp_path / "clean.png")
    open_photo(qtbot, window, other)  # exported: nothing more to keep
    assert window.last_status == "Opened skin.png"


def test_a_restored_session_brings_back_its_history_each_step_undoable(qtbot, window, tattoo_png,
                                                                        tmp_path: Path) -> None:
    from skingan_desktop.engine.region import WorkRegion
    from tests.ui.conftest import drag_on_canvas, open_photo

    open_photo(qtbot, window, tattoo_png[0])
    original = window.photo.copy()
    window.document.patch_photo(WorkRegion(100, 100, 200, 180), np.full((80, 100, 3), 200, np.uint8), "Clone")
    drag_on_canvas(window, [(300, 300), (500, 400)])
    painted, edited = window.mask_array(), window.photo.copy()
    drag_on_canvas(window, [(600, 200), (650, 250)])
    window.actions_by_name["undo"].trigger()  # the third step is undone, not gone: redo brings it back
    assert window.save_session_file(tmp_path / "work.skingan")

    window.clear_mask()
    assert window.open_session_file(tmp_path / "work.skingan")
    rows = window.history_view.model()
    assert [rows.data(rows.index(i, 0)) for i in range(rows.rowCount())] == [
        "Photo as opened", "Clone", "Brush stroke", "Brush stroke"]
    assert np.array_equal(window.photo, edited) and np.array_equal(window.mask_array(), painted)
    assert window.actions_by_name["redo"].isEnabled()
    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.photo, edited) and not window.mask_array().any()
    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.photo, original)
    for _ in range(3):
        window.actions_by_name["redo"].trigger()
    assert np.array_equal(window.photo, edited) and window.mask_array().sum() > painted.sum()
    assert window.has_unsaved_edits
