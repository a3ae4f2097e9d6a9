"""What an investor does with its own wallet (signed by the investor's account: --account ALIAS,
on local and test chains the investor's test account).

\b
  ape run holder lock SYMBOL HOLDER UNITS [--to venue|ADDRESS]
                            keep UNITS locked to the venue (a standing lock for sales)
  ape run holder allow HOLDER AMOUNT --to venue|dvp|offering
                            set the yen coin allowance to a settlement contract
  ape run holder allowances HOLDER
  ape run holder apply SYMBOL HOLDER RECIPIENT UNITS [--note TEXT]
                            apply for an issuer-approved transfer
  ape run holder cancel SYMBOL APPLICATION_ID
                            withdraw a pending application

A HOLDER or RECIPIENT is an investor id (INV-001) or a wallet. Each reads the chain first and
sends only what is missing (a rerun sends nothing); --dry-run says what would be sent.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops import holder as ops
from kabuto.ops.accounts import investor_account
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import DRY_RUN, account_option, deployments_option, quiet_ape, reports_errors
from kabuto.ops.params import ADDRESS, HOLDER, SYMBOL, TEXT, UNITS

AMOUNT = click.IntRange(min=0, max=2**256 - 1)


class LockAddressType(click.ParamType):
    """`venue` or an address."""

    name = "venue|ADDRESS"

    def convert(self, value, param, ctx):
        if str(value) == "venue":
            return "venue"
        return ADDRESS.convert(value, param, ctx)


@click.group(help=__doc__)
def cli():
    pass


def _signed(platform, holder, account):
    wallet = holder.resolve(platform.registry, "HOLDER")
    return investor_account(wallet, account, "HOLDER")


@cli.command(cls=ConnectedProviderCommand, short_help="Keep units locked to the venue.")
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("holder", type=HOLDER)
@click.argument("units", type=UNITS)
@click.option(
    "--to",
    "to",
    type=LockAddressType(),
    default="venue",
    show_default=True,
    help="the lock address: the venue's batch settlement, or an authorised lock address",
)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def lock(symbol, holder, units, to, dry_run, deployments, account):
    """Lock HOLDER's SYMBOL units to the venue until UNITS are locked there (what is already
    locked counts: a rerun sends nothing). The venue settles sales from this lock."""
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    click.echo(ops.lock(platform, token, _signed(platform, holder, account), units, to, dry_run))


@cli.command(cls=ConnectedProviderCommand, short_help="Set a yen coin allowance.")
@network_option()
@click.argument("holder", type=HOLDER)
@click.argument("amount", type=AMOUNT)
@click.option(
    "--to",
    "to",
    type=click.Choice(sorted(ops.SPENDERS)),
    required=True,
    help="the contract that may pull the yen: venue (batch settlement), dvp, offering",
)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def allow(holder, amount, to, dry_run, deployments, account):
    """Set HOLDER's yen coin allowance to the --to contract to AMOUNT yen (0 withdraws it)."""
    quiet_ape()
    platform = load_platform(deployments)
    click.echo(ops.set_allowance(platform, _signed(platform, holder, account), to, amount, dry_run))


@cli.command(cls=ConnectedProviderCommand, short_help="Show a holder's yen allowances.")
@network_option()
@click.argument("holder", type=HOLDER)
@deployments_option
@reports_errors
def allowances(holder, deployments):
    """HOLDER's yen coin balance and its allowances to the platform's contracts."""
    quiet_ape()
    platform = load_platform(deployments)
    for line in ops.allowances(platform, holder.resolve(platform.registry, "HOLDER")):
        click.echo(line)


@cli.command(cls=ConnectedProviderCommand, short_help="Apply for an approved transfer.")
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("holder", type=HOLDER)
@click.argument("recipient", type=HOLDER)
@click.argument("units", type=UNITS)
@click.option("--note", type=TEXT, default=None, help="a note to the issuer (on-chain, public)")
@click.option(
    "--again", is_flag=True, help="file another application of a transfer already applied for"
)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def apply(symbol, holder, recipient, units, note, again, dry_run, deployments, account):
    """HOLDER applies to transfer UNITS of SYMBOL to RECIPIENT; the units wait in the
    application until the issuer approves (`ape run approvals`) or rejects it."""
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    signer = _signed(platform, holder, account)
    to = recipient.resolve(platform.registry, "RECIPIENT")
    click.echo(ops.apply(token, signer, to, units, note or "", again, dry_run))


@cli.command(cls=ConnectedProviderCommand, short_help="Withdraw a pending application.")
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("application_id", type=click.IntRange(min=0))
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def cancel(symbol, application_id, dry_run, deployments, account):
    """The applicant withdraws its pending application APPLICATION_ID (the number `ape run
    approvals list` shows); the units are free again."""
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    wallet = ops.applicant(token, application_id)
    signer = investor_account(wallet, account, "the applicant")
    click.echo(ops.cancel(token, signer, application_id, dry_run))
