"""The issuer's approval queue of a token: list, approve or reject transfer applications.

\b
  ape run approvals list SYMBOL [--all-statuses]
  ape run approvals approve SYMBOL --all | --id 3 --id 4   [--reason TEXT]
  ape run approvals reject SYMBOL --id 5 --reason TEXT

The list shows each application's parties by investor id (and, with the issuer's key file,
name), its note, the day it was applied for and its expiry. Approvals are simulated first
(the token re-checks every rule); if any would fail, nothing is sent. Bulk approvals go out
in batchApproveTransfer chunks; a rerun skips decided ones.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.domain import investor_id_to_bytes32
from kabuto.ops import approvals as queue
from kabuto.ops.accounts import account_for, address_of
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import (
    DRY_RUN,
    deployments_option,
    keys_option,
    quiet_ape,
    reports_errors,
    role_option,
)
from kabuto.ops.onboard import latest_personal_data, private_key_of
from kabuto.ops.params import SYMBOL, TEXT
from kabuto.personal_data import decrypt_many


@click.group(help=__doc__)
def cli():
    pass


def _names(platform, issuer: str, key_dir, investor_ids: set[str]) -> dict[str, str]:
    private_key = private_key_of(issuer, key_dir)
    if private_key is None or not investor_ids:
        return {}
    raw = {investor_id_to_bytes32(i): i for i in investor_ids}
    stored = latest_personal_data(platform.registry, issuer, list(raw))
    keys = list(stored)
    found = decrypt_many([stored[k] for k in keys], private_key)
    return {raw[k]: data.name for k, data in zip(keys, found, strict=True) if hasattr(data, "name")}


@cli.command(
    "list",
    cls=ConnectedProviderCommand,
    help="Show the pending applications (--all-statuses: also decided ones) with investor "
    "ids, names (the issuer's key file in --keys), note, date applied and expiry.",
    short_help="Show the pending applications.",
)
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.option("--all-statuses", is_flag=True, help="also approved, rejected, cancelled, expired")
@deployments_option
@keys_option
@role_option("issuer")
@reports_errors
def list_(symbol, all_statuses, deployments, key_dir, issuer):
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    found = queue.applications(token, pending_only=not all_statuses)
    entries = queue.queue_entries(token, platform.registry, found, {})
    ids = {i for e in entries for i in (e.sender_id, e.recipient_id) if i}
    names = _names(platform, address_of("issuer", issuer), key_dir, ids)
    for entry in queue.queue_entries(token, platform.registry, found, names) if names else entries:
        click.echo(entry.describe())
    click.echo(f"{len(found)} application(s)")


def _decide(approve):
    verb = "Approve" if approve else "Reject"

    @cli.command(
        "approve" if approve else "reject",
        cls=ConnectedProviderCommand,
        help=f"{verb} applications (--id ... or --all)."
        + (
            " Each is simulated first; nothing is sent if any would be refused."
            if approve
            else " A rejection needs --reason."
        ),
        short_help=f"{verb} applications (--id ... or --all).",
    )
    @network_option()
    @click.argument("symbol", type=SYMBOL)
    @click.option(
        "--id",
        "ids",
        type=click.IntRange(min=0),
        multiple=True,
        help="application id (repeatable)",
    )
    @click.option("--all", "everything", is_flag=True, help="every pending application")
    @click.option(
        "--reason",
        type=TEXT,
        default=None,
        help="recorded with the decision" + ("" if approve else " (required)"),
    )
    @DRY_RUN
    @deployments_option
    @role_option("issuer")
    @reports_errors
    def command(symbol, ids, everything, reason, dry_run, deployments, issuer):
        quiet_ape()
        if bool(ids) == everything:
            raise click.UsageError("give --id (one or more) or --all")
        if not approve and not reason:
            raise click.BadParameter("a rejection needs a reason", param_hint="'--reason'")
        token = load_platform(deployments).token(symbol)
        report = queue.decide(
            token,
            account_for("issuer", issuer),
            approve,
            None if everything else list(ids),
            reason or "",
            dry_run=dry_run,
        )
        if dry_run:
            verb_now = "approve" if approve else "reject"
            click.echo(f"would {verb_now} {report.total} application(s); dry run, nothing sent")
            return
        click.echo(
            f"{'approved' if approve else 'rejected'} {report.sent}; "
            f"{report.already_done + report.skipped_late} were already decided"
        )

    return command


approve = _decide(True)
reject = _decide(False)
