"""Settle a venue's execution file (CSV: trade_id,seller_wallet,buyer_wallet,symbol,
quantity,yen_amount) as one all-or-nothing batch on the venue's BatchSettlement.

Sellers must have locked their units to the venue and buyers allowed it their yen. The whole
batch is checked and dry-run first; any refusal names its row and nothing is sent. A batch is
identified by its content (a hash of its executions), never by the file's name: the same
executions settle once (a rerun says when they settled), a different file of the same name
is a new batch. --dry-run stops after the checks and sends nothing.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import DRY_RUN, deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.settle import plan_batch, settle, settled_at


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("executions_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--batch-ref",
    default=None,
    metavar="TEXT",
    help="the venue's batch reference, for the messages (default: the file name); the batch's "
    "identity on chain is its content",
)
@DRY_RUN
@deployments_option
@role_option("venue_agent")
@reports_errors
def cli(executions_csv, batch_ref, dry_run, deployments, venue_agent):
    quiet_ape()
    agent = account_for("venue_agent", venue_agent)
    plan = plan_batch(load_platform(deployments), executions_csv, agent, batch_ref)
    click.echo(f"{len(plan.rows)} trades, gross {plan.gross_yen:,} yen: all rows valid, dry run ok")
    batch_id = "0x" + plan.batch_id.hex()
    if dry_run:
        done = settled_at(plan.platform.batch, plan.batch_id)
        click.echo(
            f"already settled ({done.describe()}); nothing to send"
            if done
            else f"would settle batch {plan.reference} (id {batch_id}); dry run, nothing sent"
        )
        return
    report = settle(plan, agent)
    if report.already_settled:
        click.echo(
            f"these executions ({plan.reference}, batch id {batch_id}) were already "
            f"{report.settled_when()}; nothing sent"
        )
    else:
        click.echo(
            f"settled batch {plan.reference} (id {batch_id}): {report.moved_yen:,} yen moved "
            f"after netting; {report.settled_when()}"
        )
