"""The user's preferences and window state, kept in QSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QColor

from ..engine.runner import InpaintSettings

_ENGINE = InpaintSettings()  # the engine's own defaults, for the settings a user has not set

MAX_RECENT = 8


class AppSettings:
    """Typed access to the stored preferences; every getter has the default a new user gets."""

    def __init__(self, store: Optional[QSettings] = None, data_dir: Optional[Path] = None) -> None:
        self.store = store if store is not None else QSettings("SkinGAN", "SkinGAN Desktop")
        self._data_dir = data_dir

    @property
    def data_dir(self) -> Path:
        """Where the app keeps its own files (the recovery file), per QStandardPaths."""
        if self._data_dir is None:
            location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
            self._data_dir = Path(location or Path.home() / ".skingan-desktop")
        self._data_dir.mkdir(parents=True, exist_ok=True)
        return self._data_dir

    @property
    def recovery_path(self) -> Path:
        return self.data_dir / "recovery.skingan"

    def _get(self, key: str, default: Any, kind: type) -> Any:
        value = self.store.value(key, default)
        try:
            return kind(value) if kind is not bool else value in (True, "true", "1", 1)
        except (TypeError, ValueError):
            return default

    def _set(self, key: str, value: Any) -> None:
        self.store.setValue(key, value)
        self.store.sync()

    weights_path = property(lambda s: s._get("model/weights", "", str), lambda s, v: s._set("model/weights", v))
    device = property(lambda s: s._get("model/device", "auto", str), lambda s, v: s._set("model/device", v))
    refine = property(lambda s: s._get("refine/enabled", True, bool), lambda s, v: s._set("refine/enabled", v))
    n_iters = property(lambda s: s._get("refine/iterations", _ENGINE.n_iters, int),
                       lambda s, v: s._set("refine/iterations", v))
    feather = property(lambda s: s._get("refine/feather", _ENGINE.feather, int),
                       lambda s, v: s._set("refine/feather", v))
    # The run panel: the region's size around the mask, the refined result's long side.
    context = property(lambda s: s._get("run/context", _ENGINE.context, float), lambda s, v: s._set("run/context", v))
    refined_side = property(lambda s: s._get("run/refined_side", _ENGINE.refined_side, int),
                            lambda s, v: s._set("run/refined_side", v))
    # What runs took against their estimate, learnt run by run (engine/estimate.py).
    estimate_scale = property(lambda s: s._get("run/estimate_scale", 1.0, float),
                              lambda s, v: s._set("run/estimate_scale", v))
    # A new key: "refine/texture_strength" scaled the generator's own grain, which fills no longer use.
    texture_strength = property(lambda s: s._get("fill/grain_strength", _ENGINE.texture_strength, float),
                                lambda s, v: s._set("fill/grain_strength", v))
    brush_size = property(lambda s: s._get("brush/size", 40, int), lambda s, v: s._set("brush/size", v))
    # 1 is a hard tip; below it the tip's edge fades, and a run blends its fill by the mask there.
    brush_hardness = property(lambda s: s._get("brush/hardness", 1.0, float), lambda s, v: s._set("brush/hardness", v))
    retouch_hardness = property(lambda s: s._get("brush/retouch_hardness", 0.7, float),
                                lambda s, v: s._set("brush/retouch_hardness", v))  # the heal and clone tips
    # The brush as a share of the photo's long side, so that a big brush on a 26 MP photo is not
    # a huge one on a 480 px photo; 0 until a brush size is chosen with a photo open.
    brush_share = property(lambda s: s._get("brush/share", 0.0, float), lambda s, v: s._set("brush/share", v))
    overlay_opacity = property(lambda s: s._get("overlay/opacity", 0.55, float),
                               lambda s, v: s._set("overlay/opacity", v))
    privacy = property(lambda s: s._get("export/privacy", True, bool), lambda s, v: s._set("export/privacy", v))
    jpeg_subsampling = property(lambda s: s._get("export/jpeg_subsampling", "", str),
                                lambda s, v: s._set("export/jpeg_subsampling", v))  # "" = the encoder's choice
    jpeg_quality = property(lambda s: s._get("export/jpeg_quality", 95, int),
                            lambda s, v: s._set("export/jpeg_quality", v))

    @property
    def overlay_color(self) -> QColor:
        color = QColor(self._get("overlay/color", "#ff285a", str))
        return color if color.isValid() else QColor("#ff285a")

    @overlay_color.setter
    def overlay_color(self, color: QColor) -> None:
        self._set("overlay/color", color.name())

    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent_file(self, path: str) -> None:
        files = [path] + [f for f in self.recent_files() if f != path]
        self._set("files/recent", files[:MAX_RECENT])
