"""Uploaded job files: kept under the service's state folder by content (the same bytes are
the same file whatever their name), then checked with the scripts' own loaders
(kabuto.inputs) so that every row's problem is shown before anything is sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kabuto.errors import InputError, InputIssue, KabutoError
from kabuto.inputs import load_allocations, load_executions, load_investors, load_term_sheet

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# job kind -> the form fields it takes, in order
JOB_FILES: dict[str, tuple[str, ...]] = {
    "onboard": ("investors",),
    "issue": ("term_sheet", "allocation"),
    "settle_batch": ("executions",),
}
SUFFIX = {"investors": ".csv", "term_sheet": ".yaml", "allocation": ".csv", "executions": ".csv"}


@dataclass(frozen=True)
class Stored:
    field: str
    original_name: str
    path: Path


def store(directory: Path, field: str, original_name: str, data: bytes) -> Stored:
    """The upload saved as <sha256><suffix> under `directory` (once per content)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            [InputIssue(original_name, None, None, f"larger than {MAX_UPLOAD_BYTES:,} bytes")]
        )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (hashlib.sha256(data).hexdigest() + SUFFIX[field])
    if not path.exists():
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return Stored(field, original_name, path)


def _renamed(error: InputError, names: dict[str, str]) -> InputError:
    """The issues naming the file as the user uploaded it (not its stored name)."""
    return InputError(
        [
            InputIssue(names.get(i.file, i.file), i.row, i.field, i.message, i.row_label)
            for i in error.issues
        ]
    )


def check_files(kind: str, files: dict[str, Stored], today: date | None = None) -> int:
    """Checks the files of a `kind` job like the scripts do; returns the number of rows.

    Raises:
        InputError: every problem, each with the uploaded file's name, row and field.
    """
    names = {str(s.path): s.original_name for s in files.values()}
    try:
        if kind == "onboard":
            return len(load_investors(files["investors"].path, today))
        if kind == "issue":
            load_term_sheet(files["term_sheet"].path)
            return len(load_allocations(files["allocation"].path))
        if kind == "settle_batch":
            return len(load_executions(files["executions"].path))
    except InputError as exc:
        raise _renamed(exc, names) from exc
    except KabutoError as exc:
        raise InputError([InputIssue(", ".join(names.values()), None, None, str(exc))]) from exc
    raise ValueError(f"unknown job kind {kind}")
