"""The venue's journal: one JSON line per accepted command, phase change and settlement step,
written before the command's acknowledgement leaves the venue. Replaying it through a new
engine rebuilds the same books, executions and settlement states (kabuto.venue.engine).

A crash can leave the last line half-written: it is dropped on reading (its command was
never acknowledged). Any other unreadable line is an error, never skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kabuto.errors import KabutoError


class JournalError(KabutoError):
    """The journal cannot be read back as written."""


class Journal:
    """Appends entries to ``path`` (created if absent). ``durable``: fsync after every entry
    (a power cut loses nothing acknowledged); otherwise flushed to the OS per entry."""

    def __init__(self, path: Path, durable: bool = True):
        self.path = path
        self.durable = durable
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_torn_tail(path)
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for appends)
        self.count = 0

    def append(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n")
        self._file.flush()
        if self.durable:
            os.fsync(self._file.fileno())
        self.count += 1

    def close(self) -> None:
        self._file.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Every complete entry of the journal at ``path`` (none if it does not exist)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if number == len(lines):  # the last line, torn by a crash: never acknowledged
                break
            raise JournalError(
                f"{path}: line {number} is not a journal entry ({exc.msg}); the journal was "
                "changed by something other than the venue: restore it from the backup"
            ) from exc
    return entries


def _drop_torn_tail(path: Path) -> None:
    """Cuts a half-written last line (a crash mid-write) so new entries start on a line."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)
