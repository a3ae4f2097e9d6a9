"""Issue a token from a YAML term sheet and an allocation CSV (investor_id,units).

Deploys the token if the manifest has none with that symbol (category, bond or beneficiary
terms, rules, documents, agent roles, settlement lock addresses), then issues the
allocation in batches; lists the token as one of the platform's (signed by the deployer, the
registry's admin) and sets a bond's business-day convention. A bond is issued on or after its
term sheet's issue date unless --allow-early. Every row is checked first, including the chain's
detectTransferRestriction: nothing is sent while any row breaks a rule. Resumable: run it
again after any stop; nothing is issued twice. A tranche is identified by its content (the
term sheet's terms and the allocation's rows, recorded in the data of the token's Issued
events), not by the file's name: a renamed copy issues nothing again, and a different
allocation of a token already issued is refused unless named with --tranche. --dry-run checks
everything and says what would be sent.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import DRY_RUN, deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.issue import plan_issue, preview_issue, run_issue
from kabuto.ops.params import COUNT, TEXT

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("term_sheet", type=FILE)
@click.argument("allocation_csv", type=FILE)
@click.option(
    "--tranche",
    type=TEXT,
    default=None,
    metavar="NAME",
    help="name a deliberate further tranche of a token already issued (the first tranche "
    "needs none; a rerun of a tranche is found by its content)",
)
@click.option(
    "--batch-size",
    type=COUNT,
    default=50,
    show_default=True,
    help="allotments per transaction",
)
@click.option(
    "--allow-early",
    is_flag=True,
    help="issue a bond before its issue date (the register then shows it acquired early)",
)
@DRY_RUN
@deployments_option
@role_option("deployer")
@role_option("issuer")
@role_option("paying_agent")
@role_option("compliance")
@reports_errors
def cli(
    term_sheet,
    allocation_csv,
    tranche,
    batch_size,
    allow_early,
    dry_run,
    deployments,
    deployer,
    issuer,
    paying_agent,
    compliance,
):
    quiet_ape()
    platform = load_platform(deployments)
    plan = plan_issue(platform, term_sheet, allocation_csv, tranche, allow_early=allow_early)
    units = sum(a.units for a in plan.allotments)
    click.echo(
        f"{plan.sheet.symbol}: {len(plan.allotments)} allotments, {units} units: all rows valid"
    )
    if dry_run:
        click.echo(preview_issue(plan))
        return
    report = run_issue(
        plan,
        account_for("issuer", issuer),
        account_for("paying_agent", paying_agent),
        account_for("compliance", compliance),
        term_sheet,
        batch_size,
        platform_admin=account_for("deployer", deployer),
    )
    click.echo(
        f"{plan.sheet.symbol} at {report.token}"
        f"{' (deployed now)' if report.deployed else ''}; issued {report.batches.sent} "
        f"allotments now, {report.batches.already_done} were already issued"
    )
