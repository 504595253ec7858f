"""The window's actions, menus and toolbar, made in one place: each action with its icon,
shortcut and tooltip, so the menus, the toolbar and the shortcut list (F1) always agree."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import qtawesome as qta
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .canvas import ADD_INK, BRUSH, CLONE, ERASER, HEAL, LASSO
from .dialogs import ShortcutsDialog, show_about

if TYPE_CHECKING:
    from .main_window import MainWindow

# The tools: menu text, icon, key, tooltip; and what the status bar says when one is chosen.
TOOLS = {
    BRUSH: ("&Brush", "fa5s.paint-brush", "B", "Paint the area to remove"),
    ERASER: ("&Eraser", "fa5s.eraser", "E", "Erase the mask"),
    LASSO: ("&Lasso", "fa5s.draw-polygon", "L",
            "Drag around an area, or click its corners, to mask it (Shift adds, Alt subtracts)"),
    ADD_INK: ("&Add ink by clicking", "fa5s.eye-dropper", "G",
              "Click on a part of a tattoo the mask missed: its ink, whole, is added"),
    HEAL: ("&Heal brush", "fa5s.band-aid", "J", "Paint over a spot, a pore or a dot of ink: it is healed at once"),
    CLONE: ("&Clone stamp", "fa5s.stamp", "S", "Alt+click where to copy from, then paint where it should go"),
}
TOOL_HINTS = {
    LASSO: "Drag around an area, or click its corners and double-click (Enter) to close; "
           "Shift adds to the mask, Alt cuts out of it.",
    ADD_INK: "Click on ink the mask missed to add it (B or E to paint again).",
    HEAL: "Paint over a spot: it is filled from the skin around it. Each dab is one step to undo.",
    CLONE: "Alt+click where to copy from, then paint where it should go.",
}


def _action(window: "MainWindow", name: str, text: str, icon: str, shortcut, handler, tip: str = "",
            checkable: bool = False) -> QAction:
    action = QAction(qta.icon(icon), text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"{tip or text.replace('&', '')} ({action.shortcut().toString()})" if shortcut else tip or text)
    action.setStatusTip(tip or text.replace("&", ""))
    action.setCheckable(checkable)
    action.triggered.connect(handler)
    window.addAction(action)
    window.actions_by_name[name] = action
    return action


def create_actions(window: "MainWindow") -> None:
    """Every action, with its icon, shortcut and tooltip, in ``window.actions_by_name``."""
    a = partial(_action, window)
    a("open", "&Open photo…", "fa5s.folder-open", QKeySequence.StandardKey.Open, window.ask_open_photo)
    a("save_session", "Save &session…", "fa5s.save", "Ctrl+Alt+S", window.sessions.ask_save_session,
      "Save the mask and edits to reopen later")
    a("open_session", "Open s&ession…", "fa5s.history", "Ctrl+Alt+O", window.sessions.ask_open_session)
    a("export", "&Export as…", "fa5s.file-export", "Ctrl+Shift+S", window.files.ask_export, "Save the cleaned photo")
    a("export_patch", "Export &patch…", "fa5s.layer-group", None, window.files.ask_export_patch,
      "Save only the changed pixels as a transparent PNG, to lay over the original as a layer")
    review = window.folder_review
    a("open_folder", "Open &folder…", "fa5s.th", "Ctrl+Shift+O", review.ask_open_folder,
      "Review a folder of photos one by one; the results go to an output folder, as a batch's do")
    a("save_and_next", "Save result and &next", "fa5s.step-forward", "Ctrl+Shift+Return", review.save_and_next,
      "Write this photo as it now is to the output folder, record it, and open the next photo to do")
    a("next_photo", "Next photo", "fa5s.chevron-right", "PgDown", lambda: review.step(1))
    a("previous_photo", "Previous photo", "fa5s.chevron-left", "PgUp", lambda: review.step(-1))
    a("quit", "&Quit", "fa5s.power-off", QKeySequence.StandardKey.Quit, window.close)
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    undo.setIcon(qta.icon("fa5s.undo"))
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIcon(qta.icon("fa5s.redo"))
    for name, action in (("undo", undo), ("redo", redo)):
        window.addAction(action)
        window.actions_by_name[name] = action
    window.undo_stack.undoTextChanged.connect(lambda _: undo_tooltips(window))
    window.undo_stack.redoTextChanged.connect(lambda _: undo_tooltips(window))
    undo_tooltips(window)
    for tool, (text, icon, key, tip) in TOOLS.items():
        a(tool, text, icon, key, partial(window.set_tool, tool), tip, True)
    a("smaller", "Brush smaller", "fa5s.minus-circle", "[", lambda: window.canvas.set_brush_size(window.canvas.brush_size * 0.8))
    a("bigger", "Brush bigger", "fa5s.plus-circle", "]", lambda: window.canvas.set_brush_size(window.canvas.brush_size * 1.25 + 1))
    a("softer", "Brush softer", "fa5s.circle-notch", "Shift+[", lambda: window.canvas.set_hardness(window.canvas.hardness - 0.25),
      "A softer tip: the mask's edge fades, and the fill is blended by it there")
    a("harder", "Brush harder", "fa5s.circle", "Shift+]", lambda: window.canvas.set_hardness(window.canvas.hardness + 0.25))
    a("zoom_in", "Zoom &in", "fa5s.search-plus", QKeySequence.StandardKey.ZoomIn, lambda: window.canvas.zoom_by(1.25))
    a("zoom_out", "Zoom &out", "fa5s.search-minus", QKeySequence.StandardKey.ZoomOut, lambda: window.canvas.zoom_by(0.8))
    a("fit", "&Fit to window", "fa5s.expand", "Ctrl+0", window.canvas.fit_to_window)
    a("actual", "&100 %", "fa5s.compress", "Ctrl+1", window.canvas.zoom_to_actual_size)
    a("zoom_to_mask", "Zoom to &mask", "fa5s.crosshairs", "Ctrl+2", window.zoom_to_mask,
      "Fit the masked area (with some skin around it) into the window")
    a("show_original", "Show &original", "fa5s.images", None, window.show_original_overlay,
      "Show the original photo where it was edited (or hold \\)", True)
    a("toggle_mask", "&Show mask", "fa5s.eye", "H", window.toggle_mask, "Show or hide the mask overlay", True)
    a("overlay_color", "Mask &colour…", "fa5s.palette", None, window.ask_overlay_color)
    a("overlay_opacity", "Mask &opacity…", "fa5s.adjust", None, window.ask_overlay_opacity)
    a("clear_mask", "&Clear mask", "fa5s.times-circle", "Ctrl+Backspace", window.clear_mask)
    a("grow_mask", "&Grow mask…", "fa5s.expand-arrows-alt", "Ctrl+G", lambda: window.ask_grow(1))
    a("shrink_mask", "S&hrink mask…", "fa5s.compress-arrows-alt", "Ctrl+Shift+G", lambda: window.ask_grow(-1))
    a("snap_to_ink", "S&nap mask to ink", "fa5s.magnet", "Alt+I", window.snap_mask_to_ink,
      "Brush roughly over a tattoo, then keep only its ink (and a thin halo around it)")
    a("find_tattoos", "&Find tattoos", "fa5s.search", "Alt+T", window.find_tattoos,
      "Add the tattoos the finder sees in the photo to the mask; check it before filling")
    a("load_mask", "&Load mask…", "fa5s.file-import", None, window.files.ask_load_mask)
    a("save_mask", "Sa&ve mask…", "fa5s.save", None, window.files.ask_save_mask)
    a("inpaint", "&Inpaint", "fa5s.magic", "Ctrl+Return", window.run_inpainting, "Fill the masked area with skin")
    a("cancel", "&Cancel", "fa5s.stop-circle", "Esc", window.cancel_inpainting, "Stop the running inpainting")
    a("apply_quick", "Use &512 result", "fa5s.check", "Alt+1", lambda: window.apply_result(False))
    a("apply_refined", "Use &refined result", "fa5s.check-double", "Alt+2", lambda: window.apply_result(True))
    a("load_weights", "Load &weights…", "fa5s.brain", None, window.models.ask_load_weights)
    a("embedded_model", "Use the &embedded model", "fa5s.undo-alt", None, window.use_embedded_model,
      "Go back to the model that comes with the app")
    a("preferences", "&Preferences…", "fa5s.cog", QKeySequence.StandardKey.Preferences, window.show_preferences)
    a("shortcuts", "&Keyboard shortcuts", "fa5s.keyboard", "F1", lambda: ShortcutsDialog(window.actions_by_name.values(), window).open())
    a("about", "&About", "fa5s.info-circle", None, lambda: show_about(window, window.model_name))
    # Shift+[ types "{" on most keyboards, which some platforms report with Shift held: all reach the action.
    for name, shifted in (("softer", "{"), ("harder", "}")):
        action = window.actions_by_name[name]
        action.setShortcuts([action.shortcut(), QKeySequence(shifted), QKeySequence(f"Shift+{shifted}")])
    window.tool_group = QActionGroup(window)  # one tool at a time
    for tool in TOOLS:
        window.tool_group.addAction(window.actions_by_name[tool])
    window.actions_by_name[BRUSH].setChecked(True)
    window.actions_by_name["toggle_mask"].setChecked(True)
    window.device_actions: dict[str, QAction] = {}
    for choice in ("auto", "cpu", "cuda"):
        action = a(f"device_{choice}", {"auto": "&Auto (CUDA when present)", "cpu": "&CPU", "cuda": "C&UDA"}[choice],
                   "fa5s.microchip", None, lambda _=False, c=choice: window.set_device(c), checkable=True)
        action.setChecked(window.settings.device == choice)
        window.device_actions[choice] = action


def undo_tooltips(window: "MainWindow") -> None:
    """Undo and Redo say what they undo and their shortcut (their text follows the history)."""
    try:
        for name in ("undo", "redo"):
            action = window.actions_by_name[name]
            action.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")
    except RuntimeError:  # the window is being destroyed: its actions go before its history
        pass


def create_menus_and_toolbar(window: "MainWindow") -> None:
    """The menus and the toolbar, from the actions."""
    get = window.actions_by_name
    menus = {
        "&File": ["open", "open_folder", "open_session", "save_session", None, "export", "export_patch", None,
                  "save_and_next", "next_photo", "previous_photo", None, "load_weights", "embedded_model", None,
                  "quit"],
        "&Edit": ["undo", "redo", None, "clear_mask", "grow_mask", "shrink_mask", "snap_to_ink", "find_tattoos", None,
                  "load_mask", "save_mask", None, "preferences"],
        "&View": ["zoom_in", "zoom_out", "fit", "actual", "zoom_to_mask", None, "show_original", "toggle_mask", "overlay_color",
                  "overlay_opacity"],
        "T&ools": [BRUSH, ERASER, LASSO, ADD_INK, None, HEAL, CLONE, None, "smaller", "bigger", "softer", "harder"],
        "&Run": ["inpaint", "cancel", None, "apply_quick", "apply_refined"],
        "&Help": ["shortcuts", "about"],
    }
    for title, names in menus.items():
        menu = window.menuBar().addMenu(title)
        if title == "&View":
            view_menu = menu
        for name in names:
            menu.addSeparator() if name is None else menu.addAction(get[name])
        if title == "&File":
            window.recent_menu = menu.addMenu("Open &recent")
            menu.insertMenu(get["export"], window.recent_menu)
        if title == "&Run":
            device_menu = menu.addMenu("&Device")
            for action in window.device_actions.values():
                device_menu.addAction(action)
    window.refresh_recent_menu()
    view_menu.addSeparator()
    view_menu.addAction(window.history_dock.toggleViewAction())
    view_menu.addAction(window.run_panel.toggleViewAction())
    view_menu.addAction(window.runs.panel.toggleViewAction())
    view_menu.addAction(window.folder_review.dock.toggleViewAction())
    toolbar = window.addToolBar("Tools")
    toolbar.setObjectName("tools")
    for name in ("open", "export", None, "undo", "redo", None, BRUSH, ERASER, LASSO, ADD_INK, HEAL, CLONE,
                 "smaller", "bigger", "snap_to_ink",
                 "find_tattoos", None, "fit", "actual", "show_original", "toggle_mask", None, "inpaint", "cancel"):
        toolbar.addSeparator() if name is None else toolbar.addAction(get[name])
