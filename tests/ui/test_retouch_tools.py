"""The heal brush, the clone stamp and the lasso, used in the real window as a retoucher would:
press the tool's key, click or drag on the photo, check the pixels or the mask, undo."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import lit_skin
from tests.ui.conftest import drag_on_canvas, open_photo, photo_pixels

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
NO_KEYS = Qt.KeyboardModifier.NoModifier


def _mouse(window, kind: QEvent.Type, x: float, y: float, button: Qt.MouseButton, buttons: Qt.MouseButton,
           modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
    viewport = window.canvas.viewport()
    at = QPointF(window.canvas.mapFromScene(QPointF(x, y)))
    QApplication.sendEvent(viewport, QMouseEvent(kind, at, viewport.mapToGlobal(at), button, buttons, modifiers))


def _click(window, x: float, y: float, modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
    _mouse(window, QEvent.Type.MouseButtonPress, x, y, LEFT, LEFT, modifiers)
    _mouse(window, QEvent.Type.MouseButtonRelease, x, y, LEFT, NONE, modifiers)


def _drag(window, points: list[tuple[float, float]], modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
    _mouse(window, QEvent.Type.MouseButtonPress, *points[0], LEFT, LEFT, modifiers)
    for x, y in points[1:]:
        _mouse(window, QEvent.Type.MouseMove, x, y, NONE, LEFT, modifiers)
    _mouse(window, QEvent.Type.MouseButtonRelease, *points[-1], LEFT, NONE, modifiers)


def _history(window) -> list[str]:
    stack = window.undo_stack
    return [stack.text(i) for i in range(stack.count())]


SPOTS = ((120, 100), (260, 180), (300, 90))


@pytest.fixture()
def spotted_skin(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """Lit skin with three red pimples, saved losslessly; and the clean skin."""
    skin = lit_skin(300, 400)
    spot = np.zeros(skin.shape[:2], np.float32)
    for centre in SPOTS:
        cv2.circle(spot, centre, 7, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), 2.5)[..., None]
    photo = np.clip(skin * (1 - 0.7 * spot) + np.array([150, 60, 60]) * 0.7 * spot, 0, 255).astype(np.uint8)
    path = tmp_path / "cheek.png"
    Image.fromarray(photo).save(path)
    return path, skin


def _off_skin(pixels: np.ndarray, skin: np.ndarray, centre: tuple[int, int], radius: int = 6) -> float:
    x, y = centre
    window = (slice(y - radius, y + radius), slice(x - radius, x + radius))
    return float(np.abs(pixels[window].astype(np.float32) - skin[window]).mean())


def test_heal_dabs_fill_spots_from_the_skin_around_each_one_step_to_undo(qtbot, window, spotted_skin) -> None:
    path, skin = spotted_skin
    open_photo(qtbot, window, path)
    opened = window.photo.copy()
    qtbot.keyClick(window.canvas, Qt.Key.Key_J)
    assert window.actions_by_name["heal"].isChecked() and not window.actions_by_name["brush"].isChecked()
    assert "spot" in window.last_status
    window.canvas.set_brush_size(30)
    assert window.canvas.hardness == 0.7  # the heal and clone tips are soft by default, the mask's hard
    with qtbot.waitSignal(window.retouch.healed, timeout=60_000) as healed:
        _click(window, *SPOTS[0])
    assert healed.args == [True]
    assert _off_skin(opened, skin, SPOTS[0]) > 20 and _off_skin(window.photo, skin, SPOTS[0]) < 6
    far = np.ones(skin.shape[:2], bool)
    far[SPOTS[0][1] - 16:SPOTS[0][1] + 16, SPOTS[0][0] - 16:SPOTS[0][0] + 16] = False
    assert np.array_equal(window.photo[far], opened[far])  # nothing beyond the dab changed
    assert not window.mask_array().any()                   # the mask is not the heal's
    assert _history(window) == ["Heal"]

    # Two dabs in quick succession: the second waits for the first, and both land.
    with qtbot.waitSignals([window.retouch.healed, window.retouch.healed], timeout=60_000):
        _click(window, *SPOTS[1])
        _click(window, *SPOTS[2])
    assert _off_skin(window.photo, skin, SPOTS[1]) < 6 and _off_skin(window.photo, skin, SPOTS[2]) < 6
    assert _history(window) == ["Heal"] * 3
    for _ in range(3):
        window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.photo, opened)
    shown = window.canvas.photo_item.pixmap().toImage()
    assert shown.pixelColor(*SPOTS[0]).red() == int(opened[SPOTS[0][1], SPOTS[0][0], 0])  # the canvas shows it too


def test_the_clone_stamp_copies_from_the_alt_clicked_point_aligned_one_step_to_undo(qtbot, window, tmp_path: Path) -> None:
    rows, cols = np.mgrid[0:300, 0:400]
    photo = np.stack([(cols * 7) % 256, (rows * 5) % 256, ((cols + rows) * 3) % 256], axis=-1).astype(np.uint8)
    path = tmp_path / "pattern.png"
    Image.fromarray(photo).save(path)
    open_photo(qtbot, window, path)
    qtbot.keyClick(window.canvas, Qt.Key.Key_S)
    assert window.actions_by_name["clone"].isChecked()
    window.canvas.set_brush_size(20)
    _drag(window, [(300, 150), (320, 150)])  # no source yet: nothing happens, and the status says why
    assert np.array_equal(window.photo, photo) and "Alt+click" in window.last_status and _history(window) == []

    _click(window, 100, 100, Qt.KeyboardModifier.AltModifier)
    _drag(window, [(300, 150), (310, 150), (320, 150)])
    core = (slice(146, 155), slice(300, 321))
    source = (slice(96, 105), slice(100, 121))
    assert np.array_equal(window.photo[core], photo[source])
    assert np.array_equal(window.photo[:, :280], photo[:, :280])
    # Aligned: the next stroke keeps the same offset from the brush.
    _drag(window, [(300, 200), (300, 210)])
    assert np.array_equal(window.photo[196:214, 296:305], photo[146:164, 96:105])
    assert _history(window) == ["Clone", "Clone"]
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert np.array_equal(window.photo, photo)


def test_the_lasso_draws_adds_subtracts_and_clicks_a_polygon(qtbot, window, tmp_path: Path) -> None:
    path = tmp_path / "skin.png"
    Image.fromarray(lit_skin(300, 400)).save(path)
    open_photo(qtbot, window, path)
    qtbot.keyClick(window.canvas, Qt.Key.Key_L)
    assert window.actions_by_name["lasso"].isChecked()

    def square(left: float, top: float, side: float) -> list[tuple[float, float]]:
        return [(left, top), (left + side, top), (left + side, top + side), (left, top + side), (left + 2, top + 2)]

    _drag(window, square(50, 50, 100))
    mask = window.mask_array() > 0
    assert mask[100, 100] and mask[55:145, 55:145].all() and not mask[160, 100] and not mask[:, 160:].any()
    _drag(window, square(250, 50, 60), Qt.KeyboardModifier.ShiftModifier)  # Shift adds
    mask = window.mask_array() > 0
    assert mask[100, 100] and mask[80, 280]
    _drag(window, square(80, 80, 40), Qt.KeyboardModifier.AltModifier)  # Alt cuts out
    mask = window.mask_array() > 0
    assert not mask[100, 100] and mask[60, 60] and mask[80, 280]
    assert _history(window) == ["Lasso", "Lasso: add", "Lasso: subtract"]

    # A polygon: click its corners; Esc drops it, Enter closes it; a plain lasso replaces the mask.
    for x, y in ((200, 200), (380, 200)):
        _click(window, x, y)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Escape)
    assert _history(window)[-1] == "Lasso: subtract" and not window.canvas.lasso.open
    for x, y in ((200, 200), (380, 200), (380, 290)):
        _click(window, x, y)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Return)
    mask = window.mask_array() > 0
    assert mask[220, 360] and not mask[280, 210] and not mask[60, 60]   # the triangle, and only it
    window.actions_by_name["undo"].trigger()
    mask = window.mask_array() > 0
    assert mask[60, 60] and not mask[220, 360]


def test_results_made_before_a_heal_are_not_applied_over_it(qtbot, window, tattoo_png, small_weights: Path) -> None:
    path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, path)
    window.load_weights(small_weights)
    qtbot.waitUntil(lambda: window.generator is not None, timeout=30_000)
    window.settings.refine = False
    window.canvas.set_brush_size(60)
    drag_on_canvas(window, [((x1 + x2) / 2, y1 + 40), ((x1 + x2) / 2, y2 - 40)])
    window.actions_by_name["inpaint"].trigger()
    qtbot.waitUntil(lambda: window.actions_by_name["apply_quick"].isEnabled(), timeout=60_000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_J)
    with qtbot.waitSignal(window.retouch.healed, timeout=60_000):
        _click(window, x1 + 20, y1 + 20)
    healed = window.photo.copy()
    window.actions_by_name["apply_quick"].trigger()
    assert "photo changed" in window.last_status and np.array_equal(window.photo, healed)
    assert photo_pixels(path).shape == healed.shape


def test_f1_lists_the_new_tools_and_their_gestures(qtbot, window) -> None:
    from skingan_desktop.ui.dialogs import ShortcutsDialog

    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(ShortcutsDialog)
    qtbot.waitExposed(dialog)
    table = dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Heal brush"] == "J" and rows["Clone stamp"] == "S" and rows["Lasso"] == "L"
    assert rows["Clone stamp: where to copy from"] == "Alt + click"
    # Not cramped: every shortcut is shown whole.
    shortcuts = table.horizontalHeader().sectionSize(1)
    assert all(table.fontMetrics().horizontalAdvance(keys) < shortcuts for keys in rows.values())
    dialog.close()


def test_the_run_panel_estimates_the_run_and_its_feather_blends_beyond_the_mask(qtbot, window, tattoo_png) -> None:
    path, (x1, y1, x2, y2) = tattoo_png
    open_photo(qtbot, window, path)
    panel = window.run_panel
    assert panel.isVisible() and "Paint a mask" in panel.estimate.text()
    window.canvas.set_brush_size(60)
    drag_on_canvas(window, [((x1 + x2) / 2, y1 + 40), ((x1 + x2) / 2, y2 - 40)])
    qtbot.waitUntil(lambda: "once the model is loaded" in panel.estimate.text(), timeout=5_000)
    window.load_weights(window.configured_weights())  # the embedded model, timed as it warms up
    qtbot.waitUntil(lambda: "on this machine" in panel.estimate.text(), timeout=60_000)
    at_1024 = panel.estimate.text()
    assert at_1024.startswith("Refined at 1024 px: ")
    panel.refined_side.setCurrentIndex(panel.refined_side.findData(2048))
    qtbot.waitUntil(lambda: panel.estimate.text().startswith("Refined at 2048 px"), timeout=5_000)
    assert window.inpaint_settings().refined_side == 2048 and window.settings.refined_side == 2048

    # A feather of 8 px, at the region's native size: pixels next to the mask change, far ones do not.
    window.clear_mask()
    before = window.photo.copy()
    panel.feather.setValue(8)
    panel.context.setValue(3.0)
    assert window.inpaint_settings().feather == 8 and window.inpaint_settings().context == 3.0
    window.settings.refine = False
    drag_on_canvas(window, [(x1 + 30, y1 + 30), (x1 + 60, y1 + 30)])
    mask = window.mask_alpha() >= 8  # what a run fills: the mask and its antialiased edge
    window.actions_by_name["inpaint"].trigger()
    qtbot.waitUntil(lambda: window.actions_by_name["apply_quick"].isEnabled(), timeout=120_000)
    window.actions_by_name["apply_quick"].trigger()
    changed = (window.photo != before).any(axis=-1)
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((19, 19), np.uint8)) > 0
    assert changed[~mask].any() and not changed[~grown].any()


def _open_with_the_small_model(qtbot, window, tattoo_png, small_weights: Path):
    """The tattoo photo open, the small model loaded, refinement off: its box and its pixels."""
    path, box = tattoo_png
    open_photo(qtbot, window, path)
    window.load_weights(small_weights)
    qtbot.waitUntil(lambda: window.generator is not None, timeout=30_000)
    window.settings.refine = False
    return box, window.photo.copy()


def test_the_results_shelf_keeps_every_run_of_a_mask_through_apply_and_undo(qtbot, window, tattoo_png,
                                                                            small_weights: Path) -> None:
    (x1, y1, x2, y2), opened = _open_with_the_small_model(qtbot, window, tattoo_png, small_weights)
    window.canvas.set_brush_size(60)
    drag_on_canvas(window, [((x1 + x2) / 2, y1 + 40), ((x1 + x2) / 2, y2 - 40)])
    mask = window.mask_array()
    panel = window.runs.panel
    for feather in (0, 6):  # two runs of the same mask with other settings
        window.run_panel.feather.setValue(feather)
        with qtbot.waitSignal(window.runs.ended, timeout=120_000):
            window.actions_by_name["inpaint"].trigger()
    assert [t.split(",")[0] for t in panel.texts()] == ["Run 1: 512 only", "Run 2: 512 only"]
    assert "feather 6 px" in panel.texts()[1]

    # The first run, clicked in the panel, is the one applied.
    panel.list.itemClicked.emit(panel.list.item(0))
    window.actions_by_name["apply_quick"].trigger()
    first_applied = window.photo.copy()
    assert not window.compare.isVisible() and not window.mask_array().any()
    # Undo the apply: the mask and its two runs come back, and the other one can be applied.
    window.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: window.compare.isVisible() and len(panel.texts()) == 2, timeout=5_000)
    assert np.array_equal(window.photo, opened) and np.array_equal(window.mask_array(), mask)
    panel.list.itemClicked.emit(panel.list.item(1))
    window.actions_by_name["apply_quick"].trigger()
    assert not np.array_equal(window.photo, first_applied) and not np.array_equal(window.photo, opened)

    # A stroke changes the mask: no run fits it, and none is offered; undoing the stroke brings them back.
    window.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: len(panel.texts()) == 2, timeout=5_000)
    window.set_tool("brush")
    drag_on_canvas(window, [(x1 + 10, y1 + 10), (x1 + 30, y1 + 10)])
    qtbot.waitUntil(lambda: not window.compare.isVisible() and panel.texts() == [], timeout=5_000)
    assert not window.actions_by_name["apply_quick"].isEnabled()
    window.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: window.compare.isVisible() and len(panel.texts()) == 2, timeout=5_000)


def test_a_soft_brush_blends_the_fill_by_the_mask_on_its_edge(qtbot, window, tattoo_png, small_weights: Path) -> None:
    (x1, y1, x2, y2), opened = _open_with_the_small_model(qtbot, window, tattoo_png, small_weights)
    assert window.canvas.hardness == 1.0  # hard by default: the mask is the brushed area, filled whole
    qtbot.keyClick(window.canvas, Qt.Key.Key_BraceLeft, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ShiftModifier)
    assert window.canvas.hardness == 0.5 and "50% hard" in window.brush_label.text()
    window.canvas.set_brush_size(80)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    drag_on_canvas(window, [(cx, cy - 60), (cx, cy + 60)])
    mask = window.mask_alpha()
    edge = (mask > 40) & (mask < 215)
    assert edge.sum() > 500 and (mask == 255).sum() > 2000  # a soft edge around a solid core
    with qtbot.waitSignal(window.runs.ended, timeout=120_000):
        window.actions_by_name["inpaint"].trigger()
    made = window.runs.shown.results[0]
    window.actions_by_name["apply_quick"].trigger()
    region = made.region
    core, soft = (mask[region.slices] == 255), edge[region.slices]
    photo, before = window.photo[region.slices].astype(np.float32), opened[region.slices].astype(np.float32)
    # Where the mask is solid the fill is whole; on the edge the photo shows through by (1 - alpha).
    assert np.abs(photo[core] - before[core]).mean() > 5
    weight = mask[region.slices][soft].astype(np.float32)[:, None] / 255
    changed = np.abs(photo[soft] - before[soft]).mean(axis=1)
    assert changed[weight[:, 0] < 0.3].mean() < changed[weight[:, 0] > 0.7].mean()
    assert np.array_equal(window.photo[mask < 8], opened[mask < 8])


def test_a_photo_opened_while_results_show_is_fitted_to_the_whole_canvas(qtbot, window, tattoo_png,
                                                                       small_weights: Path, tmp_path: Path) -> None:
    (x1, y1, x2, y2), _ = _open_with_the_small_model(qtbot, window, tattoo_png, small_weights)
    window.canvas.set_brush_size(60)
    drag_on_canvas(window, [((x1 + x2) / 2, y1 + 40), ((x1 + x2) / 2, y2 - 40)])
    with qtbot.waitSignal(window.runs.ended, timeout=120_000):
        window.actions_by_name["inpaint"].trigger()
    squeezed = window.canvas.viewport().width()
    path = tmp_path / "wide.png"
    Image.fromarray(lit_skin(300, 1200)).save(path)  # a wide photo: its fit is set by the width
    open_photo(qtbot, window, path)
    qtbot.waitUntil(lambda: window.canvas.viewport().width() > squeezed, timeout=5_000)
    qtbot.wait(50)
    fitted = window.canvas.viewport().width() / 1200
    assert abs(window.canvas.zoom_factor() - fitted) < 0.02 * fitted
