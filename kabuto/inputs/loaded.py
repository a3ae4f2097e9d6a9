"""A validated input file: its rows with the spreadsheet row numbers they came from, so that
checks made later (against other files or the chain) can still name the row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from kabuto.errors import InputIssue

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedRows(Generic[T]):
    path: Path
    rows: tuple[tuple[int, T], ...]

    def __iter__(self) -> Iterator[T]:
        return (item for _, item in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def issue(self, row: int, field: str | None, message: str) -> InputIssue:
        """An issue about one of these rows (for checks made after loading)."""
        return InputIssue(str(self.path), row, field, message)
