"""The yen coin (1 coin = 1 yen) of the trust bank.

\b
  ape run coin mint HOLDER AMOUNT       the trust bank mints against a deposit received
  ape run coin burn AMOUNT              the trust bank burns coin it holds
  ape run coin redeem HOLDER AMOUNT --bank-ref REF
                                        an investor asks for yen paid out (local chains: the
                                        investor's test account signs)
  ape run coin balance HOLDER

A HOLDER is an investor id (INV-001) or a wallet. Checked first (roles, allowance, balances,
pause, freeze); --dry-run says what would be sent. The coin keeps no deposit reference: the same
amount to (from) the same account on the chain's same day is taken for a rerun and sends
nothing, unless --again.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops import coin
from kabuto.ops.accounts import account_for, local_account_of
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.params import HOLDER, TEXT, YEN

DRY_RUN = click.option("--dry-run", is_flag=True, help="check and say what would be sent")
AGAIN = click.option(
    "--again",
    is_flag=True,
    help="another of the same amount on the same day (else a rerun is taken for the first)",
)


@click.group(help=__doc__)
def cli():
    pass


@cli.command(cls=ConnectedProviderCommand, short_help="Mint yen coin to a holder.")
@network_option()
@click.argument("holder", type=HOLDER)
@click.argument("amount", type=YEN)
@DRY_RUN
@AGAIN
@deployments_option
@role_option("trust_bank")
@reports_errors
def mint(holder, amount, dry_run, again, deployments, trust_bank):
    """The trust bank mints AMOUNT yen coin to HOLDER (a deposit received)."""
    quiet_ape()
    platform = load_platform(deployments)
    wallet = holder.resolve(platform.registry, "HOLDER")
    signer = account_for("trust_bank", trust_bank)
    click.echo(coin.mint(platform, signer, wallet, amount, dry_run, again))


@cli.command(cls=ConnectedProviderCommand, short_help="Burn the trust bank's yen coin.")
@network_option()
@click.argument("amount", type=YEN)
@DRY_RUN
@AGAIN
@deployments_option
@role_option("trust_bank")
@reports_errors
def burn(amount, dry_run, again, deployments, trust_bank):
    """The trust bank burns AMOUNT yen coin it holds."""
    quiet_ape()
    platform = load_platform(deployments)
    click.echo(coin.burn(platform, account_for("trust_bank", trust_bank), amount, dry_run, again))


@cli.command(cls=ConnectedProviderCommand, short_help="An investor's redemption request.")
@network_option()
@click.argument("holder", type=HOLDER)
@click.argument("amount", type=YEN)
@click.option(
    "--bank-ref", type=TEXT, required=True, help="the bank account to pay to (stored hashed)"
)
@DRY_RUN
@AGAIN
@deployments_option
@reports_errors
def redeem(holder, amount, bank_ref, dry_run, again, deployments):
    """HOLDER asks the trust bank to pay AMOUNT yen to its bank account: the coin is burned
    and a RedemptionRequested event carries the hashed account reference. Local chains only
    (the investor signs)."""
    quiet_ape()
    platform = load_platform(deployments)
    account = local_account_of(holder.resolve(platform.registry, "HOLDER"))
    click.echo(coin.redeem(platform, account, amount, bank_ref, dry_run, again))


@cli.command(cls=ConnectedProviderCommand, short_help="A holder's yen coin balance.")
@network_option()
@click.argument("holder", type=HOLDER)
@deployments_option
@reports_errors
def balance(holder, deployments):
    """HOLDER's yen coin balance and whether it is frozen."""
    quiet_ape()
    platform = load_platform(deployments)
    wallet = holder.resolve(platform.registry, "HOLDER")
    frozen = " (frozen)" if platform.yen.isFrozen(wallet) else ""
    click.echo(f"{holder}: {int(platform.yen.balanceOf(wallet)):,} yen{frozen}")
