"""Settle a venue's execution file (CSV: trade_id,seller_wallet,buyer_wallet,symbol,
quantity,yen_amount) as one all-or-nothing batch on the venue's BatchSettlement.

Sellers must have locked their units to the venue and buyers allowed it their yen. The whole
batch is checked and dry-run first; any refusal names its row and nothing is sent. The batch
reference (default: the file name) makes it idempotent: a batch settles once.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.settle import plan_batch, settle


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("executions_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-ref", default=None, help="the venue's batch reference")
@deployments_option
@role_option("venue_agent")
@reports_errors
def cli(executions_csv, batch_ref, deployments, venue_agent):
    quiet_ape()
    agent = account_for("venue_agent", venue_agent)
    plan = plan_batch(load_platform(deployments), executions_csv, agent, batch_ref)
    click.echo(f"{len(plan.rows)} trades, gross {plan.gross_yen:,} yen: all rows valid, dry run ok")
    report = settle(plan, agent)
    if report.already_settled:
        click.echo(f"batch {plan.reference} was already settled; nothing sent")
    else:
        click.echo(f"settled batch {plan.reference}: {report.moved_yen:,} yen moved after netting")
