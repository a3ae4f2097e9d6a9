"""Reading CSV files the way spreadsheets write them, and turning validation errors into
:class:`~kabuto.errors.InputIssue` rows that name the file, the spreadsheet row and the column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Files are UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
Blank lines are skipped; cells are stripped of surrounding spaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kabuto.errors import InputError, InputIssue
from kabuto.inputs.fields import suggest

M = TypeVar("M", bound=BaseModel)
MAX_CELL_CHARS = 1_000


def read_text(path: Path) -> str:
    """The file's text (UTF-8, BOM dropped) or an InputError saying how to re-save it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError.single(path, "file not found") from exc
    except OSError as exc:
        raise InputError.single(path, f"cannot read the file: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path,
            f"not UTF-8 text (byte {exc.start}): save it as 'CSV UTF-8' (Excel) or "
            "UTF-8 (other editors); Shift_JIS files are not accepted",
        ) from exc


class Rows(list[tuple[int, dict[str, str]]]):
    """The rows of a file that could be read, with the problems of the rows that could not
    (ragged, oversize): `validate_rows` reports them together with the problems of the good
    rows, so one run shows every problem of the file."""

    issues: list[InputIssue]


def read_rows(path: Path, columns: Sequence[str], optional: Sequence[str] = ()) -> Rows:
    """(spreadsheet row, {column: cell}) for every non-blank data row; the rows that cannot be
    read (ragged, oversize cells) are left out and their problems kept in `.issues`.

    Raises:
        InputError: unreadable file, missing or unknown columns, no data rows.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise InputError.single(
            path, f"the file is empty; the first row must be the header: {','.join(columns)}"
        ) from None
    except csv.Error as exc:
        raise InputError.single(path, f"not valid CSV: {exc}", row=1) from exc
    issues = _header_issues(path, header, columns, optional)
    if issues:
        raise InputError(issues)
    rows = Rows()
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                issues.append(
                    InputIssue(
                        str(path),
                        number,
                        None,
                        f"has {len(cells)} cells but the header has "
                        f"{len(header)}: check for a stray or missing comma",
                    )
                )
                continue
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            oversize = [
                InputIssue(
                    str(path),
                    number,
                    name,
                    f"is {len(cell)} characters long (at most {MAX_CELL_CHARS})",
                )
                for name, cell in row.items()
                if len(cell) > MAX_CELL_CHARS
            ]
            issues += oversize
            if not oversize:
                rows.append((number, row))
    except csv.Error as exc:
        issues.append(InputIssue(str(path), reader.line_num, None, f"not valid CSV: {exc}"))
    if not rows and not issues:
        raise InputError.single(path, "the file has a header but no data rows")
    rows.issues = issues
    return rows


def _header_issues(
    path: Path, header: list[str], columns: Sequence[str], optional: Sequence[str]
) -> list[InputIssue]:
    issues = []
    known = list(columns) + list(optional)
    for name in header:
        if name not in known:
            issues.append(
                InputIssue(
                    str(path),
                    1,
                    name,
                    f"unknown column{suggest(name, known)} (expected: {', '.join(columns)})",
                )
            )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            issues.append(InputIssue(str(path), 1, name, "column appears twice"))
        seen.add(name)
    for name in columns:
        if name not in header:
            issues.append(InputIssue(str(path), 1, name, "required column is missing"))
    return issues


def issues_from_validation(
    path: Path,
    row: int | None,
    error: ValidationError,
    locate: Callable[[tuple[Any, ...]], int | None] | None = None,
) -> list[InputIssue]:
    """One issue per pydantic error, naming the field (dotted path) and the offending value."""
    issues = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        field = ".".join(str(part) for part in loc) or None
        line = locate(loc) if locate else row
        issues.append(
            InputIssue(str(path), line, field, _message(detail), "line" if locate else "row")
        )
    return issues


def _message(detail: Any) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "is missing or empty: this value is required"
    if kind == "extra_forbidden":
        return "is not a known field: remove it or check its spelling"
    message = str(detail["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    value = detail.get("input")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
        return f"{message} (got {shown!r})"
    return message


def validate_rows(
    path: Path, rows: Iterable[tuple[int, dict[str, str]]], model: type[M]
) -> tuple[list[tuple[int, M]], list[InputIssue]]:
    """Validates every row (empty cells count as missing); collects all issues."""
    good: list[tuple[int, M]] = []
    issues: list[InputIssue] = list(getattr(rows, "issues", []))
    for number, row in rows:
        try:
            good.append((number, model.model_validate({k: v for k, v in row.items() if v})))
        except ValidationError as exc:
            issues.extend(issues_from_validation(path, number, exc))
    return good, issues


def duplicate_issues(
    path: Path,
    rows: Sequence[tuple[int, dict[str, str]]],
    column: str,
    normalise: Callable[[str], str] = str,
) -> list[InputIssue]:
    """An issue for every row repeating a (normalised) value of `column` from an earlier row.

    Works on the raw cells, so a duplicate is reported even when its row has other errors."""
    first: dict[str, int] = {}
    issues = []
    for number, row in rows:
        cell = row.get(column, "")
        if not cell:
            continue
        value = normalise(cell)
        if value in first:
            issues.append(
                InputIssue(
                    str(path),
                    number,
                    column,
                    f"duplicate: {cell!r} is already in row {first[value]}",
                )
            )
        else:
            first[value] = number
    return issues


def unknown_value_issues(
    path: Path,
    rows: Sequence[tuple[int, dict[str, str]]],
    column: str,
    known: Collection[str],
    what: str,
    fix: str,
) -> list[InputIssue]:
    """An issue for every non-empty cell of `column` not in `known`, with a close match."""
    issues = []
    for number, row in rows:
        cell = row.get(column, "")
        if cell and cell not in known:
            issues.append(
                InputIssue(
                    str(path),
                    number,
                    column,
                    f"unknown {what} {cell!r}{suggest(cell, known)}: {fix}",
                )
            )
    return issues
