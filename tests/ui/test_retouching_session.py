"""A retoucher's session in the real window: open, paint, undo, run, compare, apply, export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QImage

from tests.conftest import drawn_tattoo, lit_skin
from tests.ui.conftest import drag_on_canvas, open_photo, photo_pixels


def _load_small_model(qtbot, window, small_weights: Path) -> None:
    window.load_weights(small_weights)
    qtbot.waitUntil(lambda: window.generator is not None, timeout=30_000)


def _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights: Path, *, brush: int = 60,
                                     refine: bool = False) -> None:
    """Open the tattoo photo, paint one stroke down its tattoo, run the small model on it and
    wait for the 512 result (the refinement, when ``refine``, goes on)."""
    path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, path)
    _load_small_model(qtbot, window, small_weights)
    window.settings.refine = refine
    window.canvas.set_brush_size(brush)
    margin = brush // 2 + 10
    drag_on_canvas(window, [((x1 + x2) / 2, y1 + margin), ((x1 + x2) / 2, y2 - margin)])
    window.actions_by_name["inpaint"].trigger()
    qtbot.waitUntil(window.compare.has_quick, timeout=60_000)


def test_paint_run_compare_apply_export_reopen(qtbot, window, tattoo_png, small_weights: Path, tmp_path: Path) -> None:
    photo_path, (x1, y1, x2, y2) = tattoo_png
    assert open_photo(qtbot, window, photo_path)
    window.canvas.set_brush_size(60)
    middle = (x1 + x2) / 2

    # Paint down the tattoo with one fast stroke (few mouse events, far apart).
    drag_on_canvas(window, [(middle, y1 + 40), (middle, (y1 + y2) / 2), (middle, y2 - 40)])
    painted = window.mask_array()
    assert painted[int(y1 + 40):int(y2 - 40), int(middle)].all()  # no gaps along the stroke
    assert window.undo_stack.count() == 1

    window.actions_by_name["undo"].trigger()
    assert not window.mask_array().any()
    window.actions_by_name["redo"].trigger()
    assert np.array_equal(window.mask_array(), painted)

    _load_small_model(qtbot, window, small_weights)
    window.settings.n_iters = 3
    window.actions_by_name["inpaint"].trigger()
    qtbot.waitUntil(window.compare.has_quick, timeout=60_000)
    qtbot.waitUntil(window.compare.has_refined, timeout=120_000)
    assert window.compare.isVisible()
    assert window.compare.quick_view.item.isVisible() and window.compare.refined_view.item.isVisible()
    assert window.actions_by_name["apply_refined"].isEnabled()

    original = photo_pixels(photo_path)
    hole = window.mask_alpha() >= 8  # what the mask covers, its antialiased edge included
    window.compare.apply_refined_button.click()
    assert not np.array_equal(window.photo[hole], original[hole])
    assert np.array_equal(window.photo[~hole], original[~hole])
    assert not window.mask_array().any()  # ready for the next tattoo

    # Hold \ to see the original where the result went in; let go to see the result again.
    qtbot.keyPress(window.canvas, Qt.Key.Key_Backslash)
    overlay = window.canvas.original_item
    assert overlay is not None and window.actions_by_name["show_original"].isChecked()
    changed = np.any(window.photo != original, axis=2)  # inside the hole only, as checked above
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    assert overlay.pos() == QPointF(cols[0], rows[0])
    assert (overlay.pixmap().width(), overlay.pixmap().height()) == (cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
    y, x = int((y1 + y2) / 2), int(middle)
    shown = overlay.pixmap().toImage().pixelColor(x - int(overlay.pos().x()), y - int(overlay.pos().y()))
    assert (shown.red(), shown.green(), shown.blue()) == tuple(original[y, x])
    qtbot.keyRelease(window.canvas, Qt.Key.Key_Backslash)
    assert window.canvas.original_item is None and not window.actions_by_name["show_original"].isChecked()
    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.photo, original) and np.array_equal(window.mask_array(), painted)
    window.actions_by_name["redo"].trigger()

    out = tmp_path / "clean.png"
    assert window.export_to(out)
    assert str(out) in window.last_status
    patch = tmp_path / "arm-patch.png"  # the same edit as a layer for an image editor
    assert window.export_patch_to(patch)
    from PIL import Image
    layer = np.array(Image.open(patch))
    changed = np.any(window.photo != original, axis=2)
    assert layer.shape == window.photo.shape[:2] + (4,)
    assert np.array_equal(layer[..., 3] == 255, changed) and not layer[~changed, 3].any()
    assert np.array_equal(layer[changed, :3], window.photo[changed])
    exported = photo_pixels(out)
    assert np.array_equal(exported[~hole], original[~hole])
    assert not np.array_equal(exported[hole], original[hole])
    assert open_photo(qtbot, window, out) and np.array_equal(window.photo, exported)


def test_the_window_stays_responsive_and_cancel_stops_the_run(qtbot, window, tattoo_png, small_weights: Path) -> None:
    photo_path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, photo_path)
    window.canvas.set_brush_size(120)
    drag_on_canvas(window, [(x1 + 60, y1 + 60), (x2 - 60, y2 - 60)])
    _load_small_model(qtbot, window, small_weights)
    window.settings.n_iters = 200  # long enough to watch and cancel

    ticks = []  # what the progress bar says, every 10 ms
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.progress.format()))
    timer.start(10)
    window.run_inpainting()
    qtbot.waitUntil(lambda: "refining" in window.progress.format(), timeout=60_000)
    ticks_at_refinement = len(ticks)
    qtbot.waitUntil(lambda: "left" in window.progress.format(), timeout=30_000)  # the time-left estimate
    qtbot.wait(500)
    assert len(ticks) - ticks_at_refinement >= 10  # the GUI thread kept processing events
    # From the first report on (the model's pace is known since it loaded), every stage the bar
    # names comes with a time left: it never sits on a bare percentage.
    reports = [said for said in ticks if ":" in said]
    assert reports and all("left" in said for said in reports), reports[:3]

    window.canvas.set_brush_size(30)
    drag_on_canvas(window, [(20, 20), (60, 60)])  # editing the mask during a run is fine
    window.actions_by_name["cancel"].trigger()
    qtbot.waitUntil(lambda: not window.runs.running, timeout=10_000)
    timer.stop()
    assert "cancelled" in window.last_status
    assert window.mask_array()[40, 40] == 255
    assert window.actions_by_name["inpaint"].isEnabled()


def test_empty_mask_and_missing_model_are_explained(qtbot, window, tattoo_png, monkeypatch) -> None:
    monkeypatch.setattr("skingan_desktop.ui.model_control.embedded_model_path", lambda: None)
    open_photo(qtbot, window, tattoo_png[0])
    window.run_inpainting()
    assert "empty" in window.last_message.text()

    drag_on_canvas(window, [(100, 100), (150, 150)])
    window.run_inpainting()
    assert "Load weights" in window.last_message.text()


def test_bad_files_give_dialogs_and_the_app_keeps_working(qtbot, window, tattoo_png, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not a photo")
    assert not open_photo(qtbot, window, broken)
    assert "broken.jpg" in window.last_message.text()

    bad_weights = tmp_path / "big-lama.ckpt"
    bad_weights.write_bytes(b"garbage")
    window.load_weights(bad_weights)
    qtbot.waitUntil(lambda: window.last_message is not None and "big-lama.ckpt" in window.last_message.text(),
                    timeout=10_000)
    assert window.generator is None

    assert open_photo(qtbot, window, tattoo_png[0])
    assert not window.export_patch_to(tmp_path / "patch.png")
    assert "Nothing is edited yet" in window.last_message.text()
    assert not window.export_patch_to(tmp_path / "patch.jpg")
    assert "use a .png name" in window.last_message.text()
    assert not (tmp_path / "patch.png").exists() and not (tmp_path / "patch.jpg").exists()
    wrong = tmp_path / "mask.png"
    from PIL import Image
    Image.new("L", (10, 10), 255).save(wrong)
    assert not window.load_mask_file(wrong)
    assert "same size" in window.last_message.text()


def test_mask_tools_grow_shrink_clear_save_load(qtbot, window, tattoo_png, tmp_path: Path) -> None:
    open_photo(qtbot, window, tattoo_png[0])
    window.canvas.set_brush_size(20)
    drag_on_canvas(window, [(300, 300), (400, 300)])
    painted = window.mask_array()

    window.grow_mask(5)
    grown = window.mask_array()
    assert grown.sum() > painted.sum() and grown[painted > 0].all()
    window.grow_mask(-5)
    assert window.mask_array().sum() < grown.sum()

    assert window.save_mask_file(tmp_path / "mask.png")
    window.clear_mask()
    assert not window.mask_array().any()
    assert window.load_mask_file(tmp_path / "mask.png")
    assert window.mask_array().sum() > 0
    for _ in range(4):
        window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.mask_array(), painted)


def test_a_rough_brush_snaps_to_the_ink_and_undo_brings_the_brush_back(qtbot, window, tmp_path: Path) -> None:
    photo, ink = drawn_tattoo(lit_skin())
    path = tmp_path / "drawing.png"
    Image.fromarray(photo).save(path)
    open_photo(qtbot, window, path)
    window.canvas.set_brush_size(60)
    drag_on_canvas(window, [(105, 75), (200, 75), (200, 170), (105, 170), (105, 75), (150, 120)])
    brushed = window.mask_array() > 0
    assert brushed[ink].mean() > 0.99  # the brush went over all of the drawing

    action = window.actions_by_name["snap_to_ink"]
    assert action.shortcut().toString() == "Alt+I"
    with qtbot.waitSignal(window.mask_snapped, timeout=30_000) as snapped:
        action.trigger()
    assert snapped.args == [True]
    mask = window.mask_array() > 0
    assert mask[ink].mean() > 0.99 and mask.sum() < 0.5 * brushed.sum()
    assert "covers the ink" in window.last_status

    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.mask_array() > 0, brushed)

    window.clear_mask()  # plain skin: the mask is left as it is, and the user is told why
    drag_on_canvas(window, [(250, 30), (300, 30)])
    before = window.mask_array()
    with qtbot.waitSignal(window.mask_snapped, timeout=30_000) as snapped:
        action.trigger()
    assert snapped.args == [False] and "No ink found" in window.last_status
    assert np.array_equal(window.mask_array(), before)


def test_find_tattoos_masks_the_tattoo_undoably_and_leaves_plain_skin_alone(qtbot, window, tattoo_png,
                                                                             tmp_path: Path) -> None:
    path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, path)
    action = window.actions_by_name["find_tattoos"]
    assert action.shortcut().toString() == "Alt+T"
    edit_menu = next(m for m in window.menuBar().actions() if m.text() == "&Edit").menu()
    assert action in edit_menu.actions()
    with qtbot.waitSignal(window.tattoos_found, timeout=60_000) as found:
        action.trigger()
    assert found.args == [True]
    assert window.last_status.startswith("Found 1 tattoo,") and "check the mask" in window.last_status
    mask = window.mask_array() > 0
    near = np.zeros_like(mask)
    near[max(0, y1 - 40):y2 + 40, max(0, x1 - 40):x2 + 40] = True
    assert mask[y1:y2, x1:x2].mean() > 0.3 and mask[~near].mean() < 0.03
    window.actions_by_name["undo"].trigger()
    assert not window.mask_array().any()

    skin = tmp_path / "skin.png"
    Image.fromarray(lit_skin(480, 360, seed=5)).save(skin)
    open_photo(qtbot, window, skin)
    drag_on_canvas(window, [(50, 50), (120, 50)])
    before = window.mask_array()
    with qtbot.waitSignal(window.tattoos_found, timeout=60_000) as found:
        action.trigger()
    assert found.args == [False] and window.last_status == "No tattoo found in this photo."
    assert np.array_equal(window.mask_array(), before)


def test_eraser_brush_size_keys_zoom_and_settings_persist(qtbot, window, tattoo_png, settings) -> None:
    open_photo(qtbot, window, tattoo_png[0])
    window.canvas.set_brush_size(40)
    drag_on_canvas(window, [(300, 300), (500, 300)])
    window.actions_by_name["eraser"].trigger()
    drag_on_canvas(window, [(400, 270), (400, 330)])
    assert window.mask_array()[300, 320] == 255 and window.mask_array()[300, 400] == 0

    window.actions_by_name["bigger"].trigger()
    assert window.canvas.brush_size > 40 and settings.brush_size == window.canvas.brush_size
    window.actions_by_name["actual"].trigger()
    assert abs(window.canvas.zoom_factor() - 1.0) < 1e-6
    window.actions_by_name["fit"].trigger()
    assert window.canvas.zoom_factor() < 1.0
    assert str(tattoo_png[0].resolve()) in settings.recent_files()
    window.set_overlay_opacity(0.3)
    assert window.canvas.mask_layer.overlay_opacity == 0.3 and settings.overlay_opacity == 0.3


def test_preferences_dialog_saves_what_the_user_sets(qtbot, window, settings) -> None:
    from skingan_desktop.ui.dialogs import PreferencesDialog

    dialog = PreferencesDialog(settings, window)
    qtbot.addWidget(dialog)
    dialog.refine.setChecked(False)
    dialog.iterations.setValue(7)
    dialog.quality.setValue(88)
    dialog.subsampling.setCurrentText("4:4:4")
    dialog.privacy.setChecked(False)
    dialog.texture.setValue(40)
    dialog.accept()

    assert (settings.refine, settings.n_iters, settings.jpeg_quality, settings.jpeg_subsampling, settings.privacy) == (
        False, 7, 88, "4:4:4", False)
    assert settings.texture_strength == 0.4 and window.inpaint_settings().texture_strength == 0.4


def test_export_keeps_the_format_and_strips_private_metadata(qtbot, window, tmp_path: Path) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = "Tattoo Owner"
    exif[0x010F] = "Camera Maker"
    source = tmp_path / "portrait.jpg"
    Image.new("RGB", (64, 48), (200, 150, 130)).save(source, exif=exif.tobytes())
    open_photo(qtbot, window, source)
    out = tmp_path / "portrait-clean.jpg"

    assert window.export_to(out)

    saved = Image.open(out)
    assert saved.format == "JPEG" and 0x013B not in saved.getexif() and saved.getexif()[0x010F] == "Camera Maker"
    assert not window.export_to(source)  # the original is never replaced without confirmation
    assert "original" in window.last_message.text()

    as_tiff = tmp_path / "portrait-clean.tif"  # 8-bit TIFF with EXIF: once an encoder error and no file
    assert window.export_to(as_tiff) and Image.open(as_tiff).getexif()[0x010F] == "Camera Maker"


def test_an_export_that_fails_says_so_and_writes_nothing(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    from PIL import Image

    source = tmp_path / "portrait.png"
    Image.new("RGB", (64, 48), (200, 150, 130)).save(source)
    open_photo(qtbot, window, source)
    monkeypatch.setattr(Image.Image, "save", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("encoder broke")))

    assert not window.export_to(tmp_path / "out.png")

    assert "out.png could not be written (encoder broke)" in window.last_message.text()
    assert not (tmp_path / "out.png").exists() and not list(tmp_path.glob(".*out.png*"))


def test_without_chosen_weights_the_embedded_model_runs(qtbot, window, tattoo_png, small_weights: Path,
                                                        monkeypatch) -> None:
    monkeypatch.setattr("skingan_desktop.ui.model_control.embedded_model_path", lambda: small_weights)
    window.settings.refine = False
    open_photo(qtbot, window, tattoo_png[0])
    drag_on_canvas(window, [(300, 300), (360, 360)])

    window.run_inpainting()  # loads the embedded model first, then runs
    qtbot.waitUntil(lambda: window.results is not None, timeout=60_000)

    assert window.model_name == "SkinGAN default (embedded)"
    assert "embedded" in window.model_label.text()
    assert window.settings.weights_path == ""  # the embedded choice is not stored as a path


def test_applying_the_quick_result_during_refinement_and_opening_another_photo(
        qtbot, window, tattoo_png, small_weights: Path, tmp_path: Path) -> None:
    photo_path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, photo_path)
    window.canvas.set_brush_size(120)
    drag_on_canvas(window, [(x1 + 60, y1 + 60), (x2 - 60, y2 - 60)])
    _load_small_model(qtbot, window, small_weights)
    window.settings.n_iters = 200
    window.run_inpainting()
    qtbot.waitUntil(window.compare.has_quick, timeout=60_000)

    window.apply_result(False)  # take the 512 result without waiting for the refined one
    assert not window.runs.running and window.actions_by_name["inpaint"].isEnabled()
    applied = window.photo.copy()
    qtbot.wait(300)
    assert np.array_equal(window.photo, applied) and not window.compare.isVisible()

    drag_on_canvas(window, [(100, 100), (200, 200)])
    window.run_inpainting()
    qtbot.waitUntil(window.compare.has_quick, timeout=60_000)
    other = tmp_path / "other.png"
    from PIL import Image
    Image.new("RGB", (300, 200), (180, 140, 120)).save(other)
    open_photo(qtbot, window, other)  # the old run is abandoned; nothing of it reaches the new photo
    qtbot.wait(500)
    assert window.photo.shape == (200, 300, 3) and window.results is None and not window.compare.isVisible()


def test_autosave_writes_in_the_background_and_keeps_up_with_fast_edits(qtbot, window, tattoo_png) -> None:
    from skingan_desktop.document.retouch import RetouchDocument
    from skingan_desktop.io.photos import read_photo
    from skingan_desktop.io.session import load_session

    photo_path, (x1, y1, x2, y2) = tattoo_png
    assert open_photo(qtbot, window, photo_path)
    qtbot.waitUntil(lambda: not window.autosave_pending, timeout=30_000)
    drag_on_canvas(window, [(x1 + 20, y1 + 20), (x1 + 60, y1 + 60)])
    window.autosave()                     # a write starts...
    assert window.autosave_pending
    drag_on_canvas(window, [(x2 - 60, y2 - 60), (x2 - 20, y2 - 20)])
    window.autosave()                     # ...and this edit comes while it runs
    qtbot.waitUntil(lambda: not window.autosave_pending, timeout=30_000)

    photo_file = read_photo(photo_path)
    saved = RetouchDocument.restored(photo_file, load_session(window.settings.recovery_path, photo_file.rgb8))
    assert np.array_equal(saved.mask, window.mask_alpha())  # both strokes are in the file


def test_photos_decode_in_the_background_and_the_latest_choice_wins(qtbot, window, tattoo_png, tmp_path: Path) -> None:
    from PIL import Image
    other = tmp_path / "other.png"
    Image.new("RGB", (300, 200), (180, 140, 120)).save(other)
    opened: list[Path] = []
    window.photo_opened.connect(opened.append)

    window.open_photo(tattoo_png[0])   # still decoding when the user picks another one
    assert window.photo is None and "Opening arm.png" in window.last_status
    assert open_photo(qtbot, window, other)
    qtbot.wait(500)  # the first decode has ended by now, and is dropped

    assert opened == [other]
    assert window.photo.shape == (200, 300, 3) and window.photo_path == other
    assert window.windowTitle() == "other.png - SkinGAN Desktop"


def test_the_history_panel_lists_each_step_and_a_click_goes_back(qtbot, window, tattoo_png) -> None:
    open_photo(qtbot, window, tattoo_png[0])
    drag_on_canvas(window, [(100, 100), (300, 120)])
    after_first = window.mask_array().copy()
    drag_on_canvas(window, [(100, 400), (300, 420)])
    view = window.history_view
    assert window.history_dock.isVisible()
    assert view.model().rowCount() == 3
    assert view.model().index(0, 0).data() == "Photo as opened"

    first_stroke = view.model().index(1, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(first_stroke).center())

    assert window.undo_stack.index() == 1
    assert np.array_equal(window.mask_array(), after_first)
    window.history_dock.toggleViewAction().trigger()  # View > History hides the panel
    assert not window.history_dock.isVisible()


def _pen_stroke(window, points: list[tuple[float, float]], pressure: float) -> None:
    """A pen stroke as a tablet delivers it: each tablet event, then the mouse event Qt makes of it."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication
    from tests.ui.conftest import send_mouse

    viewport = window.canvas.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [(QEvent.Type.TabletPress, QEvent.Type.MouseButtonPress, points[0], left, left)]
    steps += [(QEvent.Type.TabletMove, QEvent.Type.MouseMove, p, none, left) for p in points[1:]]
    steps += [(QEvent.Type.TabletRelease, QEvent.Type.MouseButtonRelease, points[-1], left, none)]
    for tablet_kind, mouse_kind, (x, y), button, buttons in steps:
        pos = QPointF(window.canvas.mapFromScene(QPointF(x, y)))
        tablet = QTabletEvent(tablet_kind, QPointingDevice.primaryPointingDevice(), pos, viewport.mapToGlobal(pos),
                              0.0 if tablet_kind == QEvent.Type.TabletRelease else pressure, 0, 0, 0, 0, 0,
                              Qt.KeyboardModifier.NoModifier, button, buttons)
        QApplication.sendEvent(viewport, tablet)
        send_mouse(viewport, mouse_kind, pos, button, buttons)


def test_pen_pressure_sets_the_width_of_the_stroke(qtbot, window, tattoo_png) -> None:
    open_photo(qtbot, window, tattoo_png[0])
    window.canvas.zoom_to_actual_size()
    window.canvas.set_brush_size(60)
    window.canvas.centerOn(300, 300)

    _pen_stroke(window, [(200, 250), (300, 250), (400, 250)], pressure=0.25)
    _pen_stroke(window, [(200, 350), (300, 350), (400, 350)], pressure=1.0)
    drag_on_canvas(window, [(200, 450), (300, 450), (400, 450)])  # the mouse: full size

    mask = window.mask_array()
    light, firm, mouse = (int((mask[y - 50:y + 50, 300] > 127).sum()) for y in (250, 350, 450))
    # The mask's tip is hard by default: its full size at full pressure.
    assert firm == mouse and 56 <= firm <= 62, (light, firm, mouse)
    assert 0.15 <= light / firm <= 0.35, (light, firm)
    assert window.undo_stack.count() == 3


def test_weights_loads_the_latest_wins_a_failure_keeps_the_model_and_the_embedded_one_comes_back(
        qtbot, window, small_weights: Path, tmp_path: Path) -> None:
    from skingan_desktop.ui.model_control import EMBEDDED_NAME
    from skingan_desktop.ui.worker import wait_for_all
    from tests.conftest import PHOTOS

    # The embedded model (slower to load and warm up) is asked for first, the small one after:
    # the later choice is the model, whichever load ends last.
    window.load_weights(window.configured_weights())
    window.load_weights(small_weights)
    wait_for_all()
    qtbot.wait(200)  # the loads' signals reach the window
    assert window.model_name == small_weights.name and "parity_small" in window.model_label.text()
    from skingan_desktop.model import load_generator
    size = sum(p.numel() for p in load_generator(small_weights).parameters())
    assert sum(p.numel() for p in window.generator.parameters()) == size  # the model named is the one that runs
    action = window.actions_by_name["embedded_model"]
    assert action.isEnabled()

    photo_as_weights = tmp_path / "big-lama.ckpt"
    photo_as_weights.write_bytes((PHOTOS / "23_1.jpg").read_bytes())
    window.load_weights(photo_as_weights)
    qtbot.waitUntil(lambda: window.last_message is not None and "JPEG image" in window.last_message.text(),
                    timeout=10_000)
    assert window.last_status == f"Could not load the weights; the model is still {small_weights.name}."
    assert window.generator is not None and window.model_name == small_weights.name

    action.trigger()
    qtbot.waitUntil(lambda: window.model_name == EMBEDDED_NAME, timeout=60_000)
    assert window.settings.weights_path == "" and not action.isEnabled()


def test_the_export_dialog_shows_the_format_it_proposes() -> None:
    from skingan_desktop.ui.file_actions import export_filter_for

    assert export_filter_for(".jpg") == "JPEG (*.jpg *.jpeg)" and export_filter_for(".JPEG") == "JPEG (*.jpg *.jpeg)"
    assert export_filter_for(".tif") == "TIFF (*.tif *.tiff)" and export_filter_for(".png") == "PNG (*.png)"
    assert export_filter_for(".webp") == "WebP (*.webp)"


def test_results_of_an_earlier_mask_are_not_applied_over_a_changed_one(qtbot, window, tattoo_png,
                                                                         small_weights: Path) -> None:
    _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights)
    before = window.photo.copy()

    window.actions_by_name["undo"].trigger()   # the stroke goes: the results were made for it
    assert not window.mask_array().any()
    window.actions_by_name["apply_quick"].trigger()
    assert np.array_equal(window.photo, before)
    assert window.last_status.startswith("The mask changed since these results were made")
    assert window.undo_stack.canRedo()          # the stroke can still come back

    window.actions_by_name["redo"].trigger()    # the same mask again: its results apply
    window.actions_by_name["apply_quick"].trigger()
    assert not np.array_equal(window.photo, before)


def test_an_empty_start_says_what_to_do_and_undo_says_what_it_undoes(qtbot, window, tattoo_png) -> None:
    assert window.canvas.shown_texts() == ["Open a photo with File > Open (Ctrl+O), or drop one here"]
    assert window.actions_by_name["undo"].toolTip() == "Undo (Ctrl+Z)"
    open_photo(qtbot, window, tattoo_png[0])
    assert window.canvas.shown_texts() == []
    drag_on_canvas(window, [(300, 300), (400, 300)])
    undo = window.actions_by_name["undo"].toolTip()
    assert undo.startswith("Undo ") and undo.endswith("(Ctrl+Z)") and len(undo) > len("Undo (Ctrl+Z)")
    window.actions_by_name["undo"].trigger()
    assert window.actions_by_name["redo"].toolTip().endswith("(Ctrl+Shift+Z)")


def test_after_apply_the_keys_go_to_the_photo_not_the_history(qtbot, window, tattoo_png, small_weights: Path) -> None:
    from PySide6.QtWidgets import QApplication

    _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights)
    window.history_view.setFocus()  # as after a click in the History panel
    window.compare.apply_quick_button.click()
    applied = window.photo.copy()
    focused = QApplication.focusWidget()
    assert focused is window.canvas or window.canvas.isAncestorOf(focused)
    qtbot.keyClick(focused, Qt.Key.Key_Up)  # an arrow key scrolls the photo; it does not undo the apply
    assert np.array_equal(window.photo, applied)


def test_while_refining_the_refined_pane_shows_the_512_result_and_says_so(qtbot, window, tattoo_png,
                                                                            small_weights: Path) -> None:
    window.settings.n_iters = 100_000  # a refinement that runs until cancelled
    _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights, refine=True)
    compare = window.compare
    assert compare.refined_label.text().startswith("Refined 1024 result: refining")
    shown = compare.refined_view.item.pixmap().toImage()
    assert shown == compare.quick_view.item.pixmap().toImage()  # not the untouched tattoo
    window.cancel_inpainting()
    qtbot.waitUntil(lambda: "cancelled" in compare.refined_label.text(), timeout=60_000)
    assert not window.actions_by_name["apply_refined"].isEnabled() and window.actions_by_name["apply_quick"].isEnabled()
    before = window.photo.copy()
    window.actions_by_name["apply_quick"].trigger()  # the 512 result is still there to use
    assert not np.array_equal(window.photo, before)


def test_the_brush_keeps_its_size_relative_to_the_photo(qtbot, window, tmp_path: Path) -> None:
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    Image.fromarray(lit_skin(2000, 3000)).save(big)
    Image.fromarray(lit_skin(360, 480)).save(small)
    open_photo(qtbot, window, big)
    window.canvas.set_brush_size(600)            # a fifth of the big photo's width
    open_photo(qtbot, window, small)
    assert window.canvas.brush_size == 96        # a fifth of the small one's, not 600 px
    assert "Brush 96 px" in window.brush_label.text()
    open_photo(qtbot, window, big)
    assert window.canvas.brush_size == 600


def test_zoom_to_mask_fits_the_masked_area_into_the_window(qtbot, window, tattoo_png) -> None:
    from PySide6.QtCore import QPointF

    open_photo(qtbot, window, tattoo_png[0])
    window.canvas.set_brush_size(20)
    drag_on_canvas(window, [(400, 500), (460, 540)])
    fitted = window.canvas.zoom_factor()
    action = window.actions_by_name["zoom_to_mask"]
    assert action.shortcut().toString() == "Ctrl+2"
    action.trigger()
    assert window.canvas.zoom_factor() > 3 * fitted
    viewport = window.canvas.viewport().rect()
    for corner in ((390, 490), (470, 550)):  # the stroke and its tips are in view
        assert viewport.contains(window.canvas.mapFromScene(QPointF(*corner)))
    window.clear_mask()
    action.trigger()
    assert window.last_status == "The mask is empty: nothing to zoom to."


def test_a_click_with_add_ink_adds_the_missed_part_of_the_tattoo(qtbot, window, tmp_path: Path) -> None:
    import cv2
    from PySide6.QtCore import QEvent, QPointF

    from tests.ui.conftest import send_mouse

    skin = lit_skin(300, 400)
    circle, eye = np.zeros(skin.shape[:2], np.uint8), np.zeros(skin.shape[:2], np.uint8)
    cv2.circle(circle, (120, 150), 50, 255, 3)
    cv2.ellipse(eye, (300, 90), (9, 6), 0, 0, 360, 255, -1)
    inked = (circle | eye) > 0
    photo = skin.copy()
    photo[inked] = (0.35 * skin[inked] + 0.65 * np.array([40, 45, 70])).astype(np.uint8)
    path = tmp_path / "bird.png"
    Image.fromarray(photo).save(path)
    open_photo(qtbot, window, path)
    window.canvas.set_brush_size(20)
    drag_on_canvas(window, [(120, 97), (173, 150), (120, 203), (67, 150), (120, 97)])  # round the circle only
    painted = window.mask_array() > 0
    assert not painted[eye > 0].any()

    def click(x: float, y: float) -> None:
        viewport = window.canvas.viewport()
        at = QPointF(window.canvas.mapFromScene(QPointF(x, y)))
        send_mouse(viewport, QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        send_mouse(viewport, QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)

    qtbot.keyClick(window.canvas, Qt.Key.Key_G)
    assert window.actions_by_name["add_ink"].isChecked() and not window.actions_by_name["brush"].isChecked()
    with qtbot.waitSignal(window.ink_added, timeout=30_000) as added:
        click(300, 90)
    assert added.args == [True] and window.last_status.startswith("Added the ink at the click")
    mask = window.mask_array() > 0
    assert mask[eye > 0].all() and mask[painted].all()
    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.mask_array() > 0, painted)

    with qtbot.waitSignal(window.ink_added, timeout=30_000) as added:
        click(330, 250)  # plain skin
    assert added.args == [False] and window.last_status.startswith("No ink found where you clicked")
    qtbot.keyClick(window.canvas, Qt.Key.Key_B)
    assert window.actions_by_name["brush"].isChecked() and not window.actions_by_name["add_ink"].isChecked()


def test_the_before_after_slider_shows_the_original_left_of_its_line(qtbot, window, tattoo_png,
                                                                        small_weights: Path) -> None:
    _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights, brush=120)
    compare = window.compare

    def shown() -> np.ndarray:
        image = compare.quick_view.item.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
        return np.array(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[
            :, :3 * image.width()].reshape(image.height(), image.width(), 3).copy()

    after = shown()
    compare.split_slider.setValue(100)
    before = shown()
    assert not np.array_equal(before, after)          # all the original: the tattoo is back
    compare.split_slider.setValue(50)
    half = shown()
    split = round(0.5 * half.shape[1])
    assert np.array_equal(half[:, :split - 1], before[:, :split - 1])
    assert np.array_equal(half[:, split + 1:], after[:, split + 1:])


def test_the_brush_outline_shows_on_pale_skin(qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtCore import QEvent, QPointF

    from tests.ui.conftest import send_mouse

    pale = tmp_path / "pale.png"
    Image.fromarray(np.full((400, 600, 3), 245, np.uint8)).save(pale)
    open_photo(qtbot, window, pale)
    window.canvas.set_brush_size(80)
    at = QPointF(window.canvas.mapFromScene(QPointF(300, 200)))
    send_mouse(window.canvas.viewport(), QEvent.Type.MouseMove, at, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    image = window.canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.array(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[
        :, :3 * image.width()].reshape(image.height(), image.width(), 3)
    radius = 40 * window.canvas.zoom_factor()
    row = pixels[int(at.y()), int(at.x() - radius - 4):int(at.x() - radius + 5)]  # across the outline, left side
    assert row.min() < 120  # a dark ring stands out from the pale skin


def _viewport_pixels(view) -> np.ndarray:
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return np.array(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[
        :, :3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def test_the_wheel_zooms_about_the_cursor_and_the_brush_outline_stays_on_it(qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtCore import QEvent

    from tests.ui.conftest import send_mouse, wheel

    pale = tmp_path / "pale.png"
    Image.fromarray(np.full((800, 1200, 3), 245, np.uint8)).save(pale)
    open_photo(qtbot, window, pale)
    canvas = window.canvas
    canvas.set_brush_size(40)
    viewport = canvas.viewport()
    over = QPointF(viewport.width() * 0.75, viewport.height() * 0.3)  # off the centre, as over a tattoo
    pixel = canvas.mapToScene(over.toPoint())
    send_mouse(viewport, QEvent.Type.MouseMove, over, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    zoom = canvas.zoom_factor()
    wheel(viewport, over, 3)

    assert canvas.zoom_factor() == pytest.approx(zoom * 1.25 ** 3, rel=1e-3)
    after = canvas.mapToScene(over.toPoint())
    assert abs(after.x() - pixel.x()) < 2 and abs(after.y() - pixel.y()) < 2  # the same photo pixel under it
    radius = 20 * canvas.zoom_factor()
    row = _viewport_pixels(canvas)[int(over.y()), int(over.x() - radius - 4):int(over.x() - radius + 5)]
    assert row.min() < 120  # the outline is drawn around the cursor at the new zoom


def test_the_wheel_zooms_both_result_panes_about_the_cursor(qtbot, window, tattoo_png, small_weights: Path) -> None:
    from tests.ui.conftest import wheel

    _run_on_a_stroke_down_the_tattoo(qtbot, window, tattoo_png, small_weights)
    compare = window.compare
    compare.zoom_by(2.5)  # the result is larger than its pane: there is room to scroll both ways
    for pane in (compare.quick_view, compare.refined_view):
        over = QPointF(pane.viewport().width() * 0.7, pane.viewport().height() * 0.3)
        pixel, zooms = pane.mapToScene(over.toPoint()), compare.zoom_factor()
        wheel(pane.viewport(), over, 2)

        after = pane.mapToScene(over.toPoint())
        assert abs(after.x() - pixel.x()) < 2 and abs(after.y() - pixel.y()) < 2  # the same pixel under the cursor
        assert compare.zoom_factor() == pytest.approx((zooms[0] * 1.5625, zooms[1] * 1.5625))  # both panes zoom
