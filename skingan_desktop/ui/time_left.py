"""How long the running stage has left, from the pace of its steps so far (no Qt).

A refinement at 1024 px takes minutes on a laptop CPU; its iterations cost the same at one
scale, so the time per step so far predicts the rest well once two steps have been seen.
"""

from __future__ import annotations

import time
from typing import Callable, Optional


class TimeLeft:
    """Feed it every progress report; it answers the seconds the stage has left, or ``None``
    while it cannot tell yet (first report of a stage, or a stage that went backwards)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stage: Optional[str] = None
        self._first: tuple[float, int] = (0.0, 0)  # (time, step) of the stage's first report

    def update(self, stage: str, step: int, total: int) -> Optional[float]:
        now = self._clock()
        if stage != self._stage or step < self._first[1]:
            self._stage, self._first = stage, (now, step)
            return None
        started, first_step = self._first
        if step == first_step:
            return None
        per_step = (now - started) / (step - first_step)
        return max(total - step, 0) * per_step


def duration(seconds: float) -> str:
    """``'about 2 min 10 s'``, rounded to what a waiting person cares about."""
    if seconds < 10:
        return "a few seconds"
    to_five = int(round(seconds / 5.0)) * 5
    if to_five < 60:
        return f"about {to_five} s"
    minutes, rest = divmod(int(round(seconds / 10.0)) * 10, 60)
    return f"about {minutes} min {rest} s" if rest else f"about {minutes} min"


def describe(seconds: float) -> str:
    """``'about 2 min 10 s left'``."""
    return f"{duration(seconds)} left"
