"""Compliance and agent operations, each with a reason for the audit trail.

\b
  ape run operate freeze SYMBOL HOLDER --reason TEXT [--units N] [--unfreeze]
  ape run operate force-transfer SYMBOL FROM TO UNITS --reason-code court-order --reason TEXT
  ape run operate recover INVESTOR_ID NEW_WALLET --reason TEXT

A HOLDER (FROM, TO) is an investor id (INV-001) or its wallet address (EIP-55). Every value is
checked first, then the chain; nothing is sent while anything is wrong.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops import operations
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import DRY_RUN, deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.params import ADDRESS, HOLDER, INVESTOR_ID, SYMBOL, TEXT, UNITS


@click.group(help=__doc__)
def cli():
    pass


@cli.command(
    cls=ConnectedProviderCommand,
    help="Freeze (or with --unfreeze lift the freeze of) a holder's wallet, or N units of its "
    "balance (--units).",
    short_help="Freeze or unfreeze a wallet or part of its balance.",
)
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("holder", type=HOLDER)
@click.option("--units", type=UNITS, default=None, help="freeze only this many units")
@click.option(
    "--unfreeze", is_flag=True, help="lift the freeze (of the wallet, or of --units units)"
)
@click.option("--reason", type=TEXT, required=True, help="why, for the audit trail")
@DRY_RUN
@deployments_option
@role_option("compliance")
@reports_errors
def freeze(symbol, holder, units, unfreeze, reason, dry_run, deployments, compliance):
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    wallet = holder.resolve(platform.registry, "HOLDER")
    click.echo(
        operations.freeze(
            token, account_for("compliance", compliance), wallet, units, reason, unfreeze, dry_run
        )
    )


@cli.command(
    "force-transfer",
    cls=ConnectedProviderCommand,
    help="An agent moves UNITS of SYMBOL from one holder to another without the holder "
    "(court order, inheritance, correction); the recipient must be eligible.",
    short_help="Forced transfer by an agent.",
)
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("source", metavar="FROM", type=HOLDER)
@click.argument("recipient", metavar="TO", type=HOLDER)
@click.argument("units", type=UNITS)
@click.option(
    "--reason-code",
    type=click.Choice(sorted(operations.REASONS)),
    required=True,
    help="the legal ground, recorded in the ForcedTransfer event",
)
@click.option("--reason", type=TEXT, required=True, help="why, for the audit trail")
@DRY_RUN
@deployments_option
@role_option("issuer")
@reports_errors
def force_transfer(
    symbol, source, recipient, units, reason_code, reason, dry_run, deployments, issuer
):
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    click.echo(
        operations.force_transfer(
            token,
            account_for("issuer", issuer),
            source.resolve(platform.registry, "FROM"),
            recipient.resolve(platform.registry, "TO"),
            units,
            reason_code,
            reason,
            dry_run,
        )
    )


@cli.command(
    cls=ConnectedProviderCommand,
    help="Recover a lost wallet: the registry gets the investor's new wallet, every token of "
    "the manifest moves from the lost wallet to it, and its yen coin moves through the coin's "
    "controls (the trust bank freezes the lost wallet and seizes its balance to the new one); "
    "what cannot move is reported with the reason. Rerunnable.",
    short_help="Recover a lost wallet to the investor's new one.",
)
@network_option()
@click.argument("investor_id", type=INVESTOR_ID)
@click.argument("new_wallet", type=ADDRESS)
@click.option("--reason", type=TEXT, required=True, help="why, for the audit trail")
@DRY_RUN
@deployments_option
@role_option("registrar")
@role_option("issuer")
@role_option("trust_bank")
@reports_errors
def recover(investor_id, new_wallet, reason, dry_run, deployments, registrar, issuer, trust_bank):
    quiet_ape()
    for line in operations.recover(
        load_platform(deployments),
        account_for("registrar", registrar),
        account_for("issuer", issuer),
        investor_id,
        new_wallet,
        reason,
        account_for("trust_bank", trust_bank),
        dry_run,
    ):
        click.echo(line)
