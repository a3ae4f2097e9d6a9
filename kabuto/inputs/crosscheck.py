"""Checks across files before anything is sent: an allocation against the term sheet's rules
and the investors it names. (The scripts then ask the chain too: detectTransferRestriction.)"""

from __future__ import annotations

from kabuto.errors import InputError, InputIssue
from kabuto.inputs.allocations import AllocationRow
from kabuto.inputs.investors import InvestorRow
from kabuto.inputs.loaded import LoadedRows
from kabuto.inputs.termsheet import TermSheet


def allocation_issues(
    allocations: LoadedRows[AllocationRow], sheet: TermSheet, investors: LoadedRows[InvestorRow]
) -> list[InputIssue]:
    """Every allocation row that breaks a rule of the term sheet."""
    by_id = {investor.investor_id: investor for investor in investors}
    rules = sheet.rules
    allowed = set(rules.allowed_classes)
    issues: list[InputIssue] = []
    for number, allocation in allocations.rows:
        investor = by_id.get(allocation.investor_id)
        if investor is None:
            issues.append(
                allocations.issue(
                    number,
                    "investor_id",
                    f"unknown investor {allocation.investor_id!r}: not in {investors.path}",
                )
            )
            continue
        if investor.investor_class not in allowed:
            issues.append(
                allocations.issue(
                    number,
                    "investor_id",
                    f"{allocation.investor_id} is a {investor.investor_class.label} investor; "
                    f"{sheet.symbol} admits only {', '.join(c.label for c in rules.allowed_classes)}",
                )
            )
        if allocation.units < rules.min_holding:
            issues.append(
                allocations.issue(
                    number,
                    "units",
                    f"{allocation.units} is below the minimum holding of {rules.min_holding} units",
                )
            )
        if rules.max_balance and allocation.units > rules.max_balance:
            issues.append(
                allocations.issue(
                    number,
                    "units",
                    f"{allocation.units} is above the maximum balance of {rules.max_balance} units",
                )
            )
    if rules.holder_cap and len(allocations) > rules.holder_cap:
        number = allocations.rows[rules.holder_cap][0]
        issues.append(
            allocations.issue(
                number,
                None,
                f"{len(allocations)} holders exceed the holder cap of "
                f"{rules.holder_cap}; this is the first row over it",
            )
        )
    return issues


def check_allocations(
    allocations: LoadedRows[AllocationRow], sheet: TermSheet, investors: LoadedRows[InvestorRow]
) -> None:
    """Raises InputError with every allocation row that breaks a rule."""
    issues = allocation_issues(allocations, sheet, investors)
    if issues:
        raise InputError(issues)
