"""Small dialogs: preferences, the keyboard shortcut list, About."""

from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QMessageBox, QSpinBox, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from .. import __version__
from .settings import AppSettings


class PreferencesDialog(QDialog):
    """Refinement on/off and iterations, skin texture, JPEG and privacy options (the feather is
    the run panel's)."""

    def __init__(self, settings: AppSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.refine = QCheckBox("Make the refined 1024 result (slower, sharper)")
        self.refine.setChecked(settings.refine)
        self.iterations = QSpinBox()
        self.iterations.setRange(1, 100)
        self.iterations.setValue(settings.n_iters)
        self.texture = QSpinBox()
        self.texture.setRange(0, 200)
        self.texture.setSingleStep(10)
        self.texture.setSuffix(" %")
        self.texture.setValue(round(settings.texture_strength * 100))
        self.texture.setToolTip("How much of the photo's own skin grain is laid over the tone of the fill: "
                                "0 % is smooth, 100 % is the grain of the skin around the area")
        self.quality = QSpinBox()
        self.quality.setRange(50, 100)
        self.quality.setValue(settings.jpeg_quality)
        self.subsampling = QComboBox()
        self.subsampling.addItems(["Encoder default", "4:4:4", "4:2:2", "4:2:0"])
        self.subsampling.setCurrentText(settings.jpeg_subsampling or "Encoder default")
        self.privacy = QCheckBox("Keep only technical metadata on export (no GPS, serial numbers, names, captions)")
        self.privacy.setChecked(settings.privacy)
        form = QFormLayout()
        form.addRow(self.refine)
        form.addRow("Refinement iterations per scale", self.iterations)
        form.addRow("Skin texture in fills", self.texture)
        form.addRow("JPEG quality", self.quality)
        form.addRow("JPEG chroma subsampling", self.subsampling)
        form.addRow(self.privacy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.refine = self.refine.isChecked()
        self.settings.n_iters = self.iterations.value()
        self.settings.texture_strength = self.texture.value() / 100
        self.settings.jpeg_quality = self.quality.value()
        self.settings.privacy = self.privacy.isChecked()
        choice = self.subsampling.currentText()
        self.settings.jpeg_subsampling = "" if choice == "Encoder default" else choice
        super().accept()


class ShortcutsDialog(QDialog):
    """Every action that has a shortcut, read off the actions themselves."""

    def __init__(self, actions: Iterable[QAction], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        # Undo and Redo are named without the step they would take back now ("Undo Heal").
        rows = [(a.text().replace("&", "") if not a.text().startswith(("&Undo", "&Redo", "Undo", "Redo"))
                 else a.text().replace("&", "").split()[0], a.shortcut().toString())
                for a in actions if not a.shortcut().isEmpty()]
        rows += [("Pan", "Space + drag, or middle button drag"), ("Zoom", "Mouse wheel"),
                 ("Show the original (photo and compare pane)", "Hold \\"),
                 ("Clone stamp: where to copy from", "Alt + click"),
                 ("Lasso: add to the mask / cut out of it", "Shift / Alt at the first press"),
                 ("Lasso polygon: close / last corner back / drop it", "Enter or double click / Backspace / Esc")]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)  # room to read
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        width = sum(self.table.columnWidth(c) for c in range(2)) + 60
        self.resize(max(560, width), 680)


def about_text(model_name: str) -> str:
    return (
        f"<h3>SkinGAN Desktop {__version__}</h3>"
        "<p>Removes tattoos and blemishes from photos, entirely offline.</p>"
        f"<p>Model: {model_name}</p>"
        "<p>The generator follows LaMa (Suvorov et al., 2022); the public big-lama weights are "
        "licensed under Apache-2.0. Refinement follows Kulshreshtha et al., 2022.</p>"
    )


def show_about(parent: QWidget, model_name: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About SkinGAN Desktop", about_text(model_name),
                      QMessageBox.StandardButton.Ok, parent)
    box.open()
    return box
