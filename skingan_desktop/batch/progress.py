"""A batch's progress as a person at a terminal sees it: a line per finished photo, and under
them a bar with how many are done, the rate and about how long is left. Where the output is not
a terminal (a log file, a pipe), only the lines."""

from __future__ import annotations

import sys
import time
from typing import Any, Optional, TextIO

from ..training.progress import ProgressBar
from ..ui.time_left import describe  # Qt-free: the app's wording of time left


def photo_line(finished: int, total: int, record: dict[str, Any]) -> str:
    said = record.get("error") or record.get("note") or f"{record['seconds']:.1f} s"
    return f"[{finished}/{total}] {record['photo']}: {record['status']} ({said})"


class BatchProgress:
    def __init__(self, out: TextIO = sys.stdout, bar_stream: Optional[TextIO] = None) -> None:
        """Lines go to ``out``; the bar to ``bar_stream`` (default: standard error, when it is
        a terminal; ``None`` there: no bar)."""
        if bar_stream is None and sys.stderr.isatty():
            bar_stream = sys.stderr
        self.out = out
        self.bar = ProgressBar(bar_stream) if bar_stream is not None else None
        self.started = time.monotonic()

    def __call__(self, finished: int, total: int, record: dict[str, Any]) -> None:
        line = photo_line(finished, total, record)
        if self.bar is None:
            print(line, file=self.out, flush=True)
            return
        self.bar.message(line)
        elapsed = time.monotonic() - self.started
        rate = finished / elapsed * 60 if elapsed > 0 else 0.0
        left = (total - finished) * elapsed / finished if finished else 0.0
        self.bar.draw(finished / max(total, 1), f"{finished}/{total} photos | {rate:.0f} per min"
                                                 + (f" | {describe(left)}" if finished < total else ""))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

