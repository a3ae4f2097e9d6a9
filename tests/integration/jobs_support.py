"""Helpers shared by the integration tests of the operator jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kabuto.ops.accounts import test_account

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def investor(number: int) -> Any:
    """INV-0nn of examples/investors.csv (account nn of the test mnemonic)."""
    return test_account(number)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
