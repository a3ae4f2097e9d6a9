"""Compliance and agent operations, each with a reason for the audit trail.

ape run operate freeze SYMBOL WALLET [--units N] --reason TEXT      (--unfreeze to lift)
ape run operate force-transfer SYMBOL FROM TO UNITS --reason-code court-order --reason TEXT
ape run operate recover INVESTOR_ID NEW_WALLET        (registry + every token of the manifest)
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.inputs.fields import checksum_address
from kabuto.ops import operations
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option


@click.group(help=__doc__)
def cli():
    pass


@cli.command(cls=ConnectedProviderCommand, help="Freeze a wallet or part of its balance.")
@network_option()
@click.argument("symbol")
@click.argument("wallet", callback=lambda c, p, v: checksum_address(v))
@click.option("--units", type=int, default=None, help="freeze only this many units")
@click.option("--unfreeze", is_flag=True)
@click.option("--reason", required=True)
@deployments_option
@role_option("compliance")
@reports_errors
def freeze(symbol, wallet, units, unfreeze, reason, deployments, compliance):
    quiet_ape()
    token = load_platform(deployments).token(symbol)
    click.echo(
        operations.freeze(
            token, account_for("compliance", compliance), wallet, units, reason, unfreeze
        )
    )


@cli.command("force-transfer", cls=ConnectedProviderCommand, help="Forced transfer by an agent.")
@network_option()
@click.argument("symbol")
@click.argument("source", callback=lambda c, p, v: checksum_address(v))
@click.argument("recipient", callback=lambda c, p, v: checksum_address(v))
@click.argument("units", type=int)
@click.option("--reason-code", type=click.Choice(sorted(operations.REASONS)), required=True)
@click.option("--reason", required=True)
@deployments_option
@role_option("issuer")
@reports_errors
def force_transfer(symbol, source, recipient, units, reason_code, reason, deployments, issuer):
    quiet_ape()
    token = load_platform(deployments).token(symbol)
    click.echo(
        operations.force_transfer(
            token, account_for("issuer", issuer), source, recipient, units, reason_code, reason
        )
    )


@cli.command(cls=ConnectedProviderCommand, help="Recover a lost wallet to the investor's new one.")
@network_option()
@click.argument("investor_id")
@click.argument("new_wallet", callback=lambda c, p, v: checksum_address(v))
@deployments_option
@role_option("registrar")
@role_option("issuer")
@reports_errors
def recover(investor_id, new_wallet, deployments, registrar, issuer):
    quiet_ape()
    for line in operations.recover(
        load_platform(deployments),
        account_for("registrar", registrar),
        account_for("issuer", issuer),
        investor_id,
        new_wallet,
    ):
        click.echo(line)
