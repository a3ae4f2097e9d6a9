"""The demo's storyline, step by step, on the connected (local) chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from ape import chain

from kabuto.ops.accounts import test_account
from kabuto.ops.chain import load_platform
from kabuto.ops.clock import today, travel_to
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.issue import plan_issue, run_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding

Echo = Callable[[str], None]
ISSUE_DAY = date(2027, 1, 15)


def _step(echo: Echo, title: str) -> None:
    echo("")
    echo(f"== {title} ({today()}, block {chain.blocks.height})")


def run_demo(examples: Path, out: Path, deployments: Path, key_dir: Path, echo: Echo) -> None:
    ops = Operators.resolve()
    echo(f"Kabuto demo on chain {chain.chain_id} ({chain.provider.network.name}); operators: "
         f"deployer {ops.deployer.address}, registrar {ops.registrar.address}, "
         f"issuer {ops.issuer.address}")

    _step(echo, "1. deploy the platform")
    report = deploy_platform(ops, deployments, key_dir, echo=echo)
    echo(f"  manifest {report.manifest_path}; issuer key {report.key_files.private if report.key_files else '-'}")
    platform = load_platform(deployments)

    _step(echo, "2. onboard investors (examples/investors.csv)")
    plan = plan_onboarding(platform, examples / "investors.csv", str(ops.issuer.address))
    run_onboarding(plan, ops.registrar, progress=False)
    for row in plan.investors:
        echo(f"  {row.investor_id} {row.investor_class.name:<22} {row.wallet}")

    travel_to(ISSUE_DAY)
    _step(echo, "3. issue the securities")
    for sheet, allocation in (("stbond1.yaml", "stbond1-allocation.csv"),
                              ("retrust1.yaml", "retrust1-allocation.csv"),
                              ("protrust1.yaml", "protrust1-allocation.csv")):
        iplan = plan_issue(platform, examples / sheet, examples / allocation)
        result = run_issue(iplan, ops.issuer, ops.paying_agent, ops.compliance,
                           examples / sheet, progress=False)
        units = sum(a.units for a in iplan.allotments)
        echo(f"  {iplan.sheet.symbol:<10} {iplan.sheet.category.name:<15} {result.token}: "
             f"{units} units to {len(iplan.allotments)} investors")
