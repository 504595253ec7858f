"""A 24 MP photo opens and paints within a stated memory budget."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
from PIL import Image

from tests.ui.conftest import drag_on_canvas, open_photo

# Budget for a 6000x4000 photo: the RGB array (72 MB), the working copy (72 MB), the displayed
# pixmap (96 MB), the mask (24 MB), one stroke's undo rectangle: 281 MB measured (2026-12-01),
# freed memory trimmed and the background save done (before its job let go of its snapshot: 372).
MEMORY_BUDGET_MB = 320


def _resident_mb() -> float:
    """Resident memory once freed blocks are handed back: glibc keeps freed heap memory resident,
    so without the trim the figure would depend on what earlier tests left behind."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_a_24_megapixel_photo_opens_and_paints_within_budget(qtbot, window, tmp_path: Path) -> None:
    yy, xx = np.mgrid[0:4000, 0:6000].astype(np.float32)
    photo = np.stack([180 + 30 * np.sin(xx / 700), 140 + 20 * np.cos(yy / 500), 120 + 0 * xx], axis=-1).astype(np.uint8)
    path = tmp_path / "big.jpg"
    Image.fromarray(photo).save(path, quality=90)
    del yy, xx, photo

    before = _resident_mb()
    assert open_photo(qtbot, window, path)
    window.canvas.set_brush_size(200)
    for y in (1000, 2000, 3000):
        drag_on_canvas(window, [(500, y), (2500, y + 200), (5500, y)])
    qtbot.waitUntil(lambda: not window.autosave_pending, timeout=60_000)  # the background save, too
    after = _resident_mb()

    assert window.photo.shape == (4000, 6000, 3)
    mask = window.mask_array()
    assert mask[2000, 500] == 255 and mask[3000, 5500] == 255
    assert window.undo_stack.count() == 3
    print(f"resident growth {after - before:.0f} MB")
    assert after - before < MEMORY_BUDGET_MB, f"{after - before:.0f} MB"
