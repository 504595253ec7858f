"""The run panel (View > Run settings): what the next run does, and how long it will take.

Feather blends the fill into the skin beyond the mask; context is the share of the photo
around the mask the model sees; the refined size is the long side of the refined result, 1024
by default, up to 2048 for a large tattoo on a big photo. The estimate below them follows the
mask and the choices as they change. The panel only shows and forwards: the window makes the
run's settings from the preferences it writes.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

from .settings import AppSettings

REFINED_SIDES = (1024, 1536, 2048)


class RunPanel(QDockWidget):
    changed = Signal()  # a choice changed: the estimate is out of date

    def __init__(self, settings: AppSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__("Run settings", parent)
        self.setObjectName("run_settings")  # so that the window state remembers it
        self.settings = settings
        self.feather = QSpinBox()
        self.feather.setRange(0, 64)
        self.feather.setSuffix(" px")
        self.feather.setValue(settings.feather)
        self.feather.setToolTip("Blend the fill into the skin this far beyond the mask; "
                                "0 keeps every pixel outside the mask exactly as it was")
        self.context = QDoubleSpinBox()
        self.context.setRange(1.5, 4.0)
        self.context.setSingleStep(0.5)
        self.context.setDecimals(1)
        self.context.setSuffix(" × the masked area")
        self.context.setValue(settings.context)
        self.context.setToolTip("How much of the photo around the mask the model sees: more shows the limb "
                                "and the light, less keeps the fill local")
        self.refined_side = QComboBox()
        for side in REFINED_SIDES:
            self.refined_side.addItem(f"{side} px", side)
        self.refined_side.setCurrentIndex(max(0, self.refined_side.findData(settings.refined_side)))
        self.refined_side.setToolTip("The long side of the refined result: larger is sharper on a big photo, "
                                     "and slower (see the estimate)")
        self.estimate = QLabel("Paint a mask to see how long a run takes.")
        self.estimate.setWordWrap(True)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow("Feather", self.feather)
        form.addRow("Context", self.context)
        form.addRow("Refined size", self.refined_side)
        form.addRow(self.estimate)
        self.setWidget(body)
        self.feather.valueChanged.connect(self._store)
        self.context.valueChanged.connect(self._store)
        self.refined_side.currentIndexChanged.connect(self._store)

    def _store(self) -> None:
        self.settings.feather = self.feather.value()
        self.settings.context = self.context.value()
        self.settings.refined_side = int(self.refined_side.currentData())
        self.changed.emit()

    def show_estimate(self, text: str) -> None:
        self.estimate.setText(text)
