"""The issuer's approval queue of a token: list, approve or reject transfer applications.

  ape run approvals list SYMBOL
  ape run approvals approve SYMBOL --all | --id 3 --id 4   [--reason TEXT]
  ape run approvals reject SYMBOL --id 5 --reason TEXT

Approvals are simulated first (the token re-checks every rule); if any would fail, nothing
is sent. Bulk approvals go out in batchApproveTransfer chunks; a rerun skips decided ones.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.errors import InputError
from kabuto.ops import approvals as queue
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option


@click.group(help=__doc__)
def cli():
    pass


@cli.command("list", cls=ConnectedProviderCommand, help="Show the pending applications.")
@network_option()
@click.argument("symbol")
@click.option("--all-statuses", is_flag=True, help="also decided ones")
@deployments_option
@reports_errors
def list_(symbol, all_statuses, deployments):
    quiet_ape()
    token = load_platform(deployments).token(symbol)
    found = queue.applications(token, pending_only=not all_statuses)
    for app in found:
        click.echo(app.describe())
    click.echo(f"{len(found)} application(s)")


def _decide(approve):
    @cli.command(
        "approve" if approve else "reject",
        cls=ConnectedProviderCommand,
        help=("Approve" if approve else "Reject") + " applications (--id ... or --all).",
    )
    @network_option()
    @click.argument("symbol")
    @click.option("--id", "ids", type=int, multiple=True, help="application id (repeatable)")
    @click.option("--all", "everything", is_flag=True, help="every pending application")
    @click.option("--reason", default="", help="recorded with the decision")
    @deployments_option
    @role_option("issuer")
    @reports_errors
    def command(symbol, ids, everything, reason, deployments, issuer):
        quiet_ape()
        if bool(ids) == everything:
            raise InputError.single("command line", "give --id (one or more) or --all")
        if not approve and not reason:
            raise InputError.single("--reason", "a rejection needs a reason")
        token = load_platform(deployments).token(symbol)
        report = queue.decide(
            token, account_for("issuer", issuer), approve, None if everything else list(ids), reason
        )
        click.echo(
            f"{'approved' if approve else 'rejected'} {report.sent}; "
            f"{report.already_done + report.skipped_late} were already decided"
        )

    return command


approve = _decide(True)
reject = _decide(False)
