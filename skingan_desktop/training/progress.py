"""Progress on a terminal: one line that rewrites itself, with a bar, the step, the running
losses and the throughput of a training run (or a batch's photos, ``batch/progress.py``).
Messages (checkpoints, resumes, finished photos) print above it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class TrainingProgress:
    step: int
    total: int                 # the step the run ends at
    fraction: float            # of the run done: by steps, or by time under --minutes
    losses: dict[str, float]   # running averages
    images_per_second: float


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr, bar_width: int = 20) -> None:
        self.stream = stream
        self.bar_width = bar_width
        self._line = ""

    def update(self, progress: TrainingProgress) -> None:
        losses = " ".join(f"{name} {value:.4f}" for name, value in progress.losses.items())
        self.draw(progress.fraction, f"step {progress.step}/{progress.total} | {progress.images_per_second:.1f} img/s"
                                     f" | {losses}")

    def draw(self, fraction: float, text: str) -> None:
        """The bar at ``fraction`` (0-1) of the work, followed by ``text``, over the last line."""
        filled = round(min(max(fraction, 0.0), 1.0) * self.bar_width)
        line = f"[{'#' * filled}{'.' * (self.bar_width - filled)}] {100 * fraction:3.0f}% {text}"
        self._line = line[: shutil.get_terminal_size().columns - 1]
        self.stream.write("\r\x1b[K" + self._line)
        self.stream.flush()

    def message(self, text: str) -> None:
        """Print ``text`` on its own line above the bar, then draw the bar again."""
        self.stream.write("\r\x1b[K" + text + "\n" + self._line)
        self.stream.flush()

    def close(self) -> None:
        if self._line:
            self.stream.write("\n")
            self.stream.flush()
