"""PySide6 only: windows, the painting canvas, the compare pane, the worker thread."""
