"""The allocation CSV: how many units of an issue each investor receives.

Columns: investor_id, units.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from kabuto.domain import UINT64_MAX
from kabuto.errors import InputError
from kabuto.inputs.investors import InvestorId
from kabuto.inputs.loaded import LoadedRows
from kabuto.inputs.tabular import duplicate_issues, read_rows, unknown_value_issues, validate_rows

COLUMNS = ("investor_id", "units")


class AllocationRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    investor_id: InvestorId
    units: int = Field(gt=0, le=UINT64_MAX)


def load_allocations(
    path: Path, known_investors: set[str] | None = None
) -> LoadedRows[AllocationRow]:
    """Every allocation of the file; with `known_investors`, each id must be one of them.

    Raises:
        InputError: every problem, naming row and column.
    """
    raw = read_rows(path, COLUMNS)
    rows, issues = validate_rows(path, raw, AllocationRow)
    issues += duplicate_issues(path, raw, "investor_id")
    if known_investors is not None:
        issues += unknown_value_issues(
            path,
            raw,
            "investor_id",
            known_investors,
            "investor",
            "onboard the investor first (investors CSV)",
        )
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return LoadedRows(path, tuple(rows))
