"""The main window: wires actions, menus, the canvas, the compare pane and the workers.

Every action is created in one place (:meth:`MainWindow._create_actions`) with its icon,
shortcut and tooltip, so the menus, the toolbar and the shortcut list always agree.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QUndoStack,
)
from PySide6.QtWidgets import (
    QColorDialog, QDockWidget, QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox, QProgressBar,
    QPushButton, QSplitter, QUndoView,
)

from ..document.retouch import RetouchDocument
from ..engine.mask_ops import grow_mask, mask_bounds
from ..engine.region import WorkRegion
from ..engine.runner import InpaintSettings, RegionResult
from ..io.photos import PhotoFile, read_photo
from ..resources import embedded_model_path
from .actions import TOOL_HINTS, create_actions, create_menus_and_toolbar
from .canvas import PhotoCanvas
from .compare_view import CompareView
from .dialogs import PreferencesDialog
from .file_actions import FileActions
from .folder_review import FolderReviewPanel
from .history_stack import HistoryMirror
from .jobs import DECODE, JobSlots
from .mask_tools import MaskTools
from .model_control import ModelControl
from .qt_images import photo_to_qimage, rect_region, region_rect
from .retouch import RetouchBrushes
from .sessions import SessionKeeper
from .run_panel import RunPanel
from .runs import RunControl
from .settings import AppSettings
from .worker import wait_for_all

PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp);;All files (*)"
def _decode(path: Path) -> tuple[PhotoFile, np.ndarray]:
    """Read and decode a photo (worker thread): the file and a working copy of its pixels."""
    photo_file = read_photo(path)
    return photo_file, np.array(photo_file.rgb8)


class MainWindow(QMainWindow):
    photo_opened = Signal(Path)  # the photo is on the canvas
    photo_refused = Signal(Path)  # it could not be read; the user was told why

    def __init__(self, settings: Optional[AppSettings] = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.setWindowTitle("SkinGAN Desktop")
        self.setAcceptDrops(True)
        self.jobs = JobSlots(self)  # every kind of background work, the latest request winning
        self.document: Optional[RetouchDocument] = None  # the photo being retouched, its mask and History
        self.undo_stack = QUndoStack(self)  # the document's History as the panel and Undo/Redo show it
        self.history = HistoryMirror(self.undo_stack)
        self.canvas = PhotoCanvas()
        self.canvas.mask_stroke.connect(self._mask_painted)
        self.canvas.mask_shaped.connect(self.replace_mask)
        self.canvas.set_brush_size(self.settings.brush_size)
        self.canvas.set_hardness(self.settings.brush_hardness, "mask")
        self.canvas.set_hardness(self.settings.retouch_hardness, "retouch")
        self.compare = CompareView()
        self.compare.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.compare)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        # The history panel: every stroke, mask edit and applied result, newest last; a click
        # goes back (or forward) to that step.
        self.history_view = QUndoView(self.undo_stack)
        self.history_view.setEmptyLabel("Photo as opened")
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("history")  # so that the window state remembers it
        self.history_dock.setWidget(self.history_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.run_panel = RunPanel(self.settings, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.run_panel)

        self.last_message: Optional[QMessageBox] = None
        self.last_status = ""

        self.models = ModelControl(self)
        self.sessions = SessionKeeper(self)
        self.files = FileActions(self)
        self.export_to, self.export_patch_to = self.files.export_to, self.files.export_patch_to
        self.load_mask_file, self.save_mask_file = self.files.load_mask_file, self.files.save_mask_file
        self.autosave, self.offer_recovery = self.sessions.autosave, self.sessions.offer_recovery
        self.save_session_file, self.open_session_file = self.sessions.save_session_file, self.sessions.open_session_file
        self.load_weights, self.configured_weights = self.models.load_weights, self.models.configured_weights
        self.use_embedded_model, self.set_device = self.models.use_embedded_model, self.models.set_device
        self.actions_by_name: dict[str, QAction] = {}
        self.mask_tools = MaskTools(self)
        # The tools' signals, as the window's: snap to ink, add ink and find tattoos ended (True:
        # the mask changed).
        self.mask_snapped, self.ink_added = self.mask_tools.mask_snapped, self.mask_tools.ink_added
        self.tattoos_found = self.mask_tools.tattoos_found
        self.folder_review = FolderReviewPanel(self)
        self.retouch = RetouchBrushes(self)
        self.runs = RunControl(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.runs.panel)
        create_actions(self)
        create_menus_and_toolbar(self)
        self._create_status_bar()
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.canvas.brush_size_changed.connect(self._brush_size_changed)
        self.canvas.ink_clicked.connect(self.mask_tools.add_ink_at)
        self.compare.apply_requested.connect(self.apply_result)
        self.undo_stack.cleanChanged.connect(lambda _: self.update_actions())
        self._restore_window_state()
        self.update_actions()

    def _create_status_bar(self) -> None:
        bar = self.statusBar()
        self.size_label, self.zoom_label, self.brush_label = QLabel("No photo"), QLabel(""), QLabel("")
        self.model_label, self.run_label = QLabel(""), QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(380)  # room for 'region 1/2: refining 40% · about 1 min 50 s left'
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_inpainting)
        self.cancel_button.hide()
        for widget in (self.size_label, self.zoom_label, self.brush_label, self.model_label, self.run_label):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self._brush_size_changed(self.canvas.brush_size)
        self.models.update_label()

    def update_actions(self) -> None:
        has_photo = self.photo is not None
        running = self.runs.running
        for name in ("export", "export_patch", "save_session", "clear_mask", "grow_mask", "shrink_mask", "snap_to_ink",
                     "find_tattoos", "load_mask", "save_mask", "fit", "actual", "zoom_to_mask", "show_original"):
            self.actions_by_name[name].setEnabled(has_photo)
        reviewing = self.folder_review.active
        for name in ("next_photo", "previous_photo"):
            self.actions_by_name[name].setEnabled(reviewing)
        self.actions_by_name["save_and_next"].setEnabled(reviewing and has_photo)
        self.actions_by_name["embedded_model"].setEnabled(
            embedded_model_path() is not None and not self.models.is_embedded)
        self.actions_by_name["inpaint"].setEnabled(has_photo and not running)
        self.actions_by_name["cancel"].setEnabled(running)
        self.actions_by_name["apply_quick"].setEnabled(self.compare.has_quick())
        self.actions_by_name["apply_refined"].setEnabled(self.compare.has_refined())

    # --- messages ---------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """A non-blocking error dialog; the app keeps working."""
        box = QMessageBox(QMessageBox.Icon.Warning, "SkinGAN Desktop", message, QMessageBox.StandardButton.Ok, self)
        box.open()
        self.last_message = box

    def show_status(self, message: str) -> None:
        self.last_status = message
        self.statusBar().showMessage(message, 10_000)

    # --- photo ------------------------------------------------------------------------------
    def ask_open_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", "", PHOTO_FILTER)
        if path:
            self.open_photo(Path(path))

    def open_photo(self, path: Path) -> None:
        """Decode the photo in a worker thread (a 50 MP file takes about a second) and show it
        when it is ready; the window stays responsive and the current photo stays until then.
        ``photo_opened`` or ``photo_refused`` (after an error message) tells how it ended. If
        another photo is opened meanwhile, the later one wins."""
        path = Path(path)
        self.show_status(f"Opening {path.name}…")
        self.jobs.start(DECODE, partial(_decode, path), partial(self._photo_decoded, path=path),
                        partial(self._photo_not_decoded, path=path))

    def _photo_decoded(self, decoded: tuple[PhotoFile, np.ndarray], path: Path) -> None:
        self.show_document(RetouchDocument(*decoded))
        kept = self.sessions.kept_edits
        self.show_status(f"Opened {path.name}" + (
            f"; the unsaved edits of the photo before are kept in {kept} (File > Open session)" if kept else ""))
        self.photo_opened.emit(path)

    def _photo_not_decoded(self, message: str, path: Path) -> None:
        self.show_error(message)
        self.photo_refused.emit(path)

    def show_document(self, document: RetouchDocument) -> None:
        """Put ``document`` (a photo just opened, or a restored session) on the canvas; the
        unsaved edits of the photo it replaces are kept in a session file."""
        self.sessions.kept_edits = None
        if self.has_unsaved_edits:
            self.sessions.keep_unsaved_edits()
        self.runs.photo_replaced()
        self.actions_by_name["show_original"].setChecked(False)  # the canvas drops its overlay
        self.document = document
        self.canvas.set_photo(photo_to_qimage(document.photo), document.mask)
        # The compare panes just closed: fit again once the canvas has its room back.
        QTimer.singleShot(0, self.canvas.fit_to_window)
        if self.settings.brush_share > 0:  # the same brush for this photo's size
            self.canvas.set_brush_size(round(self.settings.brush_share * max(document.shape)))
        layer = self.canvas.mask_layer
        layer.color = self.settings.overlay_color
        layer.overlay_opacity = self.settings.overlay_opacity
        layer.setVisible(self.actions_by_name["toggle_mask"].isChecked())
        self.history.follow(document)
        document.watch(self._document_changed)
        self.size_label.setText(f"{document.shape[1]} x {document.shape[0]}")
        self.setWindowTitle(f"{document.path.name} - SkinGAN Desktop")
        self.settings.add_recent_file(str(document.path.resolve()))
        self.refresh_recent_menu()
        self.update_actions()
        self.sessions.edited()

    def _document_changed(self, layer: str, region: Optional[WorkRegion]) -> None:
        """Show what changed in the document (a step, an undo, a redo) on the canvas."""
        document = self.document
        if document is None or region is None:
            return
        rect = region_rect(region)
        if layer == "photo":
            self._set_showing_original(False)
            self.canvas.update_photo_region(rect, photo_to_qimage(document.photo[region.slices]))
        elif layer == "mask":
            self.canvas.mask_layer.changed(rect)

    def _mask_painted(self, rect: QRect, before: np.ndarray, text: str) -> None:
        if self.document is not None:
            self.document.mask_painted(rect_region(rect), before, text)

    # The document's parts, as the rest of the window reads them (None without a photo).
    photo = property(lambda self: None if self.document is None else self.document.photo)  # working 8-bit pixels
    photo_file = property(lambda self: None if self.document is None else self.document.photo_file)  # as read
    photo_path = property(lambda self: None if self.document is None else self.document.path)

    def mark_saved(self) -> None:
        """The work as it stands is exported or kept in a session file."""
        self.history.mark_saved()

    @property
    def autosave_pending(self) -> bool:
        """True while an edit is not yet in the recovery file."""
        return self.sessions.pending

    @property
    def has_unsaved_edits(self) -> bool:
        """Whether the photo has edits (strokes, applied results) not yet exported or saved."""
        return self.document is not None and self.document.unsaved

    def refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for file in self.settings.recent_files():
            self.recent_menu.addAction(Path(file).name, lambda f=file: self.open_photo(Path(f)))
        self.recent_menu.setEnabled(bool(self.settings.recent_files()))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_photo(Path(urls[0].toLocalFile()))

    # --- mask -------------------------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        """What a drag or click on the photo does (the Tools menu); the status bar says how to use it."""
        self.canvas.set_tool(tool)
        self.actions_by_name[tool].setChecked(True)
        if TOOL_HINTS.get(tool):
            self.show_status(TOOL_HINTS[tool])

    def _brush_size_changed(self, size: int) -> None:
        hardness = self.canvas.hardness
        self.brush_label.setText(f"Brush {size} px" + (f", {hardness:.0%} hard" if hardness < 1 else ""))
        self.settings.brush_size = size
        self.settings.brush_hardness = self.canvas.hardness_of["mask"]
        self.settings.retouch_hardness = self.canvas.hardness_of["retouch"]
        if self.document is not None:
            self.settings.brush_share = size / max(self.document.shape)

    def _set_showing_original(self, on: bool) -> None:
        self.actions_by_name["show_original"].setChecked(on)
        self.show_original_overlay(on)

    def show_original_overlay(self, on: bool) -> None:
        """Lay the original pixels over the part of the photo that edits changed, or remove them."""
        if not on or self.document is None:
            self.canvas.hide_original()
            return
        bounds = self.document.edited_bounds()
        if bounds is None:
            self.show_status("Nothing edited yet: the photo is the original.")
            self.actions_by_name["show_original"].setChecked(False)
            return
        left, top, right, bottom = bounds
        original = np.ascontiguousarray(self.document.photo_file.rgb8[top:bottom, left:right])
        self.canvas.show_original(QPoint(left, top), photo_to_qimage(original))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():  # hold to compare
            self._set_showing_original(True)
            if self.compare.isVisible():
                self.compare.show_original(True)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self._set_showing_original(False)
            if self.compare.isVisible():
                self.compare.show_original(False)
            return
        super().keyReleaseEvent(event)

    def toggle_mask(self) -> None:
        if self.canvas.mask_layer is not None:
            self.canvas.mask_layer.setVisible(self.actions_by_name["toggle_mask"].isChecked())

    def ask_overlay_color(self) -> None:
        color = QColorDialog.getColor(self.settings.overlay_color, self, "Mask colour")
        if color.isValid():
            self.settings.overlay_color = color
            if self.canvas.mask_layer is not None:
                self.canvas.mask_layer.color = color
                self.canvas.mask_layer.update()

    def ask_overlay_opacity(self) -> None:
        percent, ok = QInputDialog.getInt(self, "Mask opacity", "Opacity (%):",
                                          round(self.settings.overlay_opacity * 100), 5, 100)
        if ok:
            self.set_overlay_opacity(percent / 100)

    def set_overlay_opacity(self, opacity: float) -> None:
        self.settings.overlay_opacity = opacity
        if self.canvas.mask_layer is not None:
            self.canvas.mask_layer.overlay_opacity = opacity
            self.canvas.mask_layer.update()

    def mask_array(self) -> Optional[np.ndarray]:
        """The mask as ``(H, W)`` uint8 (0 or 255), or ``None`` without a photo."""
        return None if self.document is None else self.document.binary_mask()

    def mask_alpha(self) -> Optional[np.ndarray]:
        """The mask with its soft edge, ``(H, W)`` uint8 0-255 (a copy), or ``None`` without a photo."""
        return None if self.document is None else self.document.mask.copy()

    def replace_mask(self, values: np.ndarray, text: str) -> None:
        """Make ``values`` (``(H, W)`` uint8 alpha) the mask, as one undoable step ``text``."""
        if self.document is not None:
            self.document.set_mask(values, text)

    def clear_mask(self) -> None:
        mask = self.mask_array()
        if mask is not None and mask.any():
            self.replace_mask(np.zeros_like(mask), "Clear mask")

    def zoom_to_mask(self) -> None:
        mask = self.mask_array()
        bounds = mask_bounds(mask) if mask is not None else None
        if bounds is None:
            self.show_status("The mask is empty: nothing to zoom to.")
            return
        self.canvas.zoom_to_area(*bounds)

    def grow_mask(self, pixels: int) -> None:
        mask = self.mask_array()
        if mask is not None and pixels:
            self.replace_mask(grow_mask(mask, pixels), f"{'Grow' if pixels > 0 else 'Shrink'} mask by {abs(pixels)} px")

    def snap_mask_to_ink(self) -> None:
        self.mask_tools.snap_to_ink()

    def find_tattoos(self) -> None:
        self.mask_tools.find_tattoos()

    def ask_grow(self, sign: int) -> None:
        pixels, ok = QInputDialog.getInt(self, "Grow mask" if sign > 0 else "Shrink mask", "Pixels:", 4, 1, 500)
        if ok:
            self.grow_mask(sign * pixels)

    # --- model (ui/model_control.py) ------------------------------------------------------
    generator = property(lambda self: self.models.generator)  # the loaded model's generator, or None
    model_name = property(lambda self: self.models.name)

    # --- inpainting (ui/runs.py) ---------------------------------------------------------
    def inpaint_settings(self) -> InpaintSettings:
        return self.runs.inpaint_settings()

    def run_inpainting(self) -> None:
        self.runs.run()

    def cancel_inpainting(self) -> None:
        self.runs.cancel()

    def apply_result(self, refined: bool) -> None:
        self.runs.apply(refined)

    @property
    def results(self) -> Optional[list[RegionResult]]:
        """The results on show in the compare panes (None while none are)."""
        return self.runs.shown.results if self.runs.shown is not None else None

    # --- preferences and window state -------------------------------------------------------
    def show_preferences(self) -> None:
        PreferencesDialog(self.settings, self).open()

    def _restore_window_state(self) -> None:
        geometry = self.settings.store.value("window/geometry")
        state = self.settings.store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_inpainting()
        self.sessions.stop()
        wait_for_all()  # inpainting and any autosave write
        self.sessions.closing()
        self.settings.store.setValue("window/geometry", self.saveGeometry())
        self.settings.store.setValue("window/state", self.saveState())
        self.settings.store.sync()
        super().closeEvent(event)
