"""Helpers shared by the integration tests of the operator jobs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kabuto.ops.accounts import test_account
from kabuto.ops.clock import travel_to
from kabuto.ops.issue import IssuePlan, IssueReport, plan_issue, run_issue

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STBOND = (EXAMPLES / "stbond1.yaml", EXAMPLES / "stbond1-allocation.csv")
RETRUST = (EXAMPLES / "retrust1.yaml", EXAMPLES / "retrust1-allocation.csv")
PROTRUST = (EXAMPLES / "protrust1.yaml", EXAMPLES / "protrust1-allocation.csv")
ISSUE_DAY = date(2027, 1, 15)  # the example bond's issue (payment) date


def investor(number: int) -> Any:
    """INV-0nn of examples/investors.csv (account nn of the test mnemonic)."""
    return test_account(number)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def issue(
    world: Any, sheet: Path, allocation: Path, **kwargs: Any
) -> tuple[IssuePlan, IssueReport]:
    """Plan and run the issue job for a term sheet and its allocation, as the issuer, on or
    after the bond's issue date (the chain's clock moves there first, as an operator waits for
    the date; `ape run issue` refuses earlier without --allow-early)."""
    travel_to(ISSUE_DAY)
    plan = plan_issue(world.platform, sheet, allocation, kwargs.pop("tranche", None))
    ops = world.ops
    return plan, run_issue(
        plan, ops.issuer, ops.paying_agent, ops.compliance, sheet, progress=False, **kwargs
    )
