"""The model the app fills with: which weights, on which device, loaded in the background.

A load runs in a worker thread (``engine/models.py``: load, then one warm-up fill); the model in
use stays until it succeeds, and when another load is asked for meanwhile, the later one wins.
A failure says which model is still loaded. The embedded model is the default and the way back.
"""

from __future__ import annotations

from pathlib import Path
from functools import partial
from typing import TYPE_CHECKING, Callable, Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..engine.models import FillModel, check_device, device_label, load_warmed
from ..resources import embedded_model_path
from .jobs import WEIGHTS

if TYPE_CHECKING:
    from .main_window import MainWindow

WEIGHTS_FILTER = "Weights (*.ckpt *.pth *.pt *.bin *.safetensors);;All files (*)"
EMBEDDED_NAME = "SkinGAN default (embedded)"


class ModelControl(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.model: Optional[FillModel] = None  # the model loaded, or None
        self.name = "none"

    @property
    def generator(self):
        return None if self.model is None else self.model.generator

    @property
    def loading(self) -> bool:
        return self.window.jobs.busy(WEIGHTS)

    @property
    def is_embedded(self) -> bool:
        return self.name == EMBEDDED_NAME

    def ask_load_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Load generator weights", "", WEIGHTS_FILTER)
        if path:
            self.load_weights(Path(path))

    def configured_weights(self) -> Optional[Path]:
        """The weights the user chose, while the file is there; else the embedded model."""
        stored = self.window.settings.weights_path
        if stored and Path(stored).is_file():
            return Path(stored)
        return embedded_model_path()

    def load_weights(self, path: Path, then: Optional[Callable[[], None]] = None) -> None:
        """Load a weights file in a worker thread; ``then()`` follows a success."""
        device = self.window.settings.device
        self.window.show_status(f"Loading {path.name}…")
        self.window.jobs.start(WEIGHTS, lambda: load_warmed(path, device), partial(self._loaded, path, then),
                               self._not_loaded)  # the latest load wins

    def use_embedded_model(self) -> None:
        """Go back to the model shipped with the app (File > Use the embedded model)."""
        embedded = embedded_model_path()
        if embedded is not None:
            self.window.settings.weights_path = ""
            self.load_weights(embedded)

    def _not_loaded(self, message: str) -> None:
        self.window.show_error(message)
        self.window.show_status(f"Could not load the weights; the model is still {self.name}.")

    def _loaded(self, path: Path, then: Optional[Callable[[], None]], loaded: FillModel) -> None:
        window = self.window
        self.model = loaded
        window.runs.model_loaded(loaded.pass_seconds)
        self.name = path.name if path != embedded_model_path() else EMBEDDED_NAME
        if path != embedded_model_path():
            window.settings.weights_path = str(path)
        self.update_label()
        window.update_actions()
        window.show_status(f"Model {self.name} ready")
        if then is not None:
            then()

    def set_device(self, choice: str) -> None:
        window = self.window
        try:
            check_device(choice)
        except ValueError as exc:
            window.show_error(str(exc))
            window.device_actions[choice].setChecked(False)
            window.device_actions[window.settings.device].setChecked(True)
            return
        window.settings.device = choice
        for name, action in window.device_actions.items():
            action.setChecked(name == choice)
        self.update_label()
        if self.model is not None:
            weights = self.configured_weights()
            self.model = None
            if weights is not None:
                self.load_weights(weights)

    def update_label(self) -> None:
        # Where the loaded model is (a run that ran out of GPU memory moved it), else the choice.
        where = self.model.device.upper() if self.model is not None else device_label(self.window.settings.device)
        self.window.model_label.setText(f"Model: {self.name} on {where}")
