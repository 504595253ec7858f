"""The batch's record, one JSON object per line in ``OUT_DIR/skingan-batch.jsonl``.

Each photo's line is written once its result is on disk (or it failed), and flushed to the
disk, so a batch that is killed loses at most the photo it was on. A later run skips photos
whose last record says they are done, for the same input file, mask and settings, and whose
output is still there; failed photos are tried again. A damaged line (a kill mid-write) is
ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterator, Optional

LOG_NAME = "skingan-batch.jsonl"
FINISHED = ("done", "copied")


def file_digest(path: Optional[Path]) -> Optional[str]:
    """The SHA-256 of a file's bytes, or ``None`` for no file."""
    if path is None:
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class BatchLog:
    """Reading and appending the JSON-lines record of a batch in ``out_dir``."""

    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / LOG_NAME

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and "photo" in record:
                    yield record

    def finished(self) -> dict[str, dict[str, Any]]:
        """The last record of each photo whose last record says it is finished."""
        last: dict[str, dict[str, Any]] = {}
        for record in self.records():
            last[record["photo"]] = record
        return {name: record for name, record in last.items() if record.get("status") in FINISHED}

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        if self._ends_mid_line():  # a line cut by a kill stays apart from the next one
            line = "\n" + line
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def _ends_mid_line(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
