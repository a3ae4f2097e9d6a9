"""Every error the Kabuto tooling raises on purpose.

One root, :class:`KabutoError`, so that a script can catch it, print the message and exit
without a traceback. Each subclass belongs to one domain and builds its message from the
context it carries, so the message tells the user what is wrong, where, and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class KabutoError(Exception):
    """Root of every error the tooling raises deliberately."""


@dataclass(frozen=True)
class InputIssue:
    """One problem found in an input file.

    Attributes:
        file: the file the problem is in.
        row_label: "row" for CSV files, "line" for YAML files.
        row: the row as a spreadsheet shows it (header = row 1) or the YAML line; None for
            problems of the file as a whole.
        field: the column (CSV) or dotted key path (YAML); None when no field applies.
        message: what is wrong and how to fix it.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    row_label: str = "row"

    def location(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"{self.row_label} {self.row}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) if parts else "file"

    def __str__(self) -> str:
        return f"{self.file}: {self.location()}: {self.message}"


class InputError(KabutoError):
    """An input file (CSV, YAML) is invalid. Carries every problem found, not just the first."""

    def __init__(self, issues: Sequence[InputIssue]):
        if not issues:
            raise ValueError("InputError needs at least one issue")
        self.issues: tuple[InputIssue, ...] = tuple(issues)
        files = sorted({issue.file for issue in self.issues})
        count = len(self.issues)
        head = (
            f"{count} problem{'s' if count != 1 else ''} in {', '.join(files)}; "
            "nothing was sent. Fix the file and run the command again:"
        )
        lines = [head] + [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))

    @classmethod
    def single(
        cls, file: str | Path, message: str, row: int | None = None, field: str | None = None
    ) -> InputError:
        return cls([InputIssue(str(file), row, field, message)])

    @classmethod
    def combine(cls, errors: Iterable[InputError]) -> InputError:
        """One error holding the issues of several (e.g. of several files checked together)."""
        return cls([issue for error in errors for issue in error.issues])


class ManifestError(KabutoError):
    """The deployment manifest is missing, unreadable or does not match the chain."""


class KeyFileError(KabutoError):
    """An issuer key file cannot be created, read or trusted."""


class DecryptionError(KabutoError):
    """Encrypted personal data cannot be decrypted with the key given."""


class ChainStateError(KabutoError):
    """The chain is not in the state the operation needs (or disagrees with what was sent)."""


class BatchInterrupted(KabutoError):
    """A batch job stopped on Ctrl-C between two batches: nothing is half done."""

    def __init__(self, done: int, total: int):
        self.done = done
        self.total = total
        super().__init__(
            f"stopped by Ctrl-C with {done} of {total} items done; no batch was left half "
            "sent. Run the same command again to finish: it reads what is done from the chain "
            "and does only the rest."
        )


class RegisterError(KabutoError):
    """The holder register cannot be built from the events given."""


class ChainReadError(KabutoError):
    """A node refused or failed a read request (JSON-RPC error, bad argument)."""


class OptionError(KabutoError):
    """A command-line option or argument has a value the command cannot use (checked against
    the chain, e.g. more units than the wallet holds): worded as the option's error."""

    def __init__(self, option: str, message: str):
        self.option = option
        self.message = message
        super().__init__(f"invalid value for {option}: {message}; nothing was sent")
