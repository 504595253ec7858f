"""The edit history of a retouch document, as plain data: each step is the rectangles it
changed, of the photo or of the mask, with their pixels before and after. No Qt.

Steps are immutable once made (their arrays are copies nobody writes to), so a session writer
in another thread may read them while editing goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..engine.region import WorkRegion
from ..io.session import LAYERS

PHOTO, MASK = LAYERS  # the layers a change can touch, named as session files name them


@dataclass(frozen=True)
class Change:
    """One rectangle of one layer: its pixels before and after the step."""

    layer: str
    region: WorkRegion
    before: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class Edit:
    """One step of the History: what the user did (``text``) and the changes it made."""

    text: str
    changes: tuple[Change, ...]


class History:
    """The steps made so far, ``done`` of them in effect (the rest can be redone), and the
    step count at which the work was last saved (exported or kept in a session file)."""

    def __init__(self) -> None:
        self.edits: list[Edit] = []
        self.done = 0
        self.saved: Optional[int] = 0  # None: the saved state was dropped (undone, then replaced by a new step)

    def push(self, edit: Edit) -> None:
        """A new step after the ones in effect; the steps undone before it are dropped."""
        if self.saved is not None and self.saved > self.done:
            self.saved = None
        del self.edits[self.done:]
        self.edits.append(edit)
        self.done += 1

    def step_back(self) -> Optional[Edit]:
        """The step to undo (``done`` moves back over it), or ``None``."""
        if self.done == 0:
            return None
        self.done -= 1
        return self.edits[self.done]

    def step_forward(self) -> Optional[Edit]:
        """The step to redo (``done`` moves over it), or ``None``."""
        if self.done == len(self.edits):
            return None
        self.done += 1
        return self.edits[self.done - 1]

    @property
    def is_saved(self) -> bool:
        return self.saved == self.done

    def mark_saved(self) -> None:
        self.saved = self.done
