"""Bilateral delivery versus payment between two investors.

\b
  ape run dvp instruct SYMBOL SELLER BUYER UNITS AMOUNT --ref TEXT [--days N]
                            the seller locks UNITS; the lock carries the instruction
  ape run dvp show INSTRUCTION_ID
  ape run dvp accept INSTRUCTION_ID     the buyer pays AMOUNT yen; both legs in one transaction
  ape run dvp approve INSTRUCTION_ID    an issuer agent, where the token needs approval
  ape run dvp reject|cancel|refuse|release INSTRUCTION_ID
                            issuer / seller / buyer / anyone after expiry: the lock goes back

Investors sign with their own account (--account ALIAS; on local and test chains their test
account). A SELLER or BUYER is an investor id or a wallet. The same --ref is the same
instruction: a rerun finds it and sends nothing; so does any step already done.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops import dvp as ops
from kabuto.ops.accounts import account_for, investor_account
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import (
    DRY_RUN,
    account_option,
    deployments_option,
    quiet_ape,
    reports_errors,
    role_option,
    subcommand,
)
from kabuto.ops.params import BYTES32, HOLDER, SYMBOL, TEXT, UNITS, YEN


@click.group(help=__doc__)
def cli():
    pass


def _by_id(name, short):
    return subcommand(
        cli,
        name,
        short,
        click.argument("instruction_id", type=BYTES32),
        DRY_RUN,
        deployments_option,
    )


@cli.command(cls=ConnectedProviderCommand, short_help="The seller instructs a DvP.")
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.argument("seller", type=HOLDER)
@click.argument("buyer", type=HOLDER)
@click.argument("units", type=UNITS)
@click.argument("amount", type=YEN)
@click.option(
    "--ref",
    "reference",
    type=TEXT,
    required=True,
    help="the seller's trade reference: the same reference is the same instruction",
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=365),
    default=3,
    show_default=True,
    help="days the buyer has to accept",
)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def instruct(symbol, seller, buyer, units, amount, reference, days, dry_run, deployments, account):
    """SELLER locks UNITS of SYMBOL to the DvP contract for BUYER against AMOUNT yen; prints
    the instruction id the other steps take."""
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    wallet = seller.resolve(platform.registry, "SELLER")
    to = buyer.resolve(platform.registry, "BUYER")
    if to == wallet:
        raise click.BadParameter("the buyer is the seller", param_hint="'BUYER'")
    signer = investor_account(wallet, account, "SELLER")
    click.echo(ops.instruct(platform, token, signer, to, units, amount, reference, days, dry_run))


@cli.command(cls=ConnectedProviderCommand, short_help="Show an instruction.")
@network_option()
@click.argument("instruction_id", type=BYTES32)
@deployments_option
@reports_errors
def show(instruction_id, deployments):
    """The instruction, its parties and its status."""
    quiet_ape()
    platform = load_platform(deployments)
    click.echo(ops.describe(platform, ops.find(platform, instruction_id)))


def _current(platform, wallet):
    """The investor's current wallet (the instruction follows a replaced wallet)."""
    _, current, _ = platform.registry.payeeOf(wallet)
    return str(current) if int(current, 16) else wallet


@_by_id("accept", "The buyer pays and receives.")
@account_option
@reports_errors
def accept(instruction_id, dry_run, deployments, account):
    """The buyer pays the instruction's yen and receives its units in one transaction (its
    yen allowance to the DvP contract is raised to the amount when short)."""
    quiet_ape()
    platform = load_platform(deployments)
    found = ops.find(platform, instruction_id)
    buyer = _current(platform, found.instruction.buyer)
    click.echo(ops.accept(platform, found, investor_account(buyer, account, "the buyer"), dry_run))


@_by_id("approve", "An issuer agent approves.")
@role_option("issuer")
@reports_errors
def approve(instruction_id, dry_run, deployments, issuer):
    """The issuer (an agent of the token) approves the instruction, for tokens whose transfers
    need approval; the buyer can then accept."""
    quiet_ape()
    platform = load_platform(deployments)
    found = ops.find(platform, instruction_id)
    click.echo(ops.approve(platform, found, account_for("issuer", issuer), dry_run))


@_by_id("reject", "An issuer agent rejects.")
@role_option("issuer")
@reports_errors
def reject(instruction_id, dry_run, deployments, issuer):
    """The issuer rejects the instruction; the lock goes back to the seller."""
    quiet_ape()
    platform = load_platform(deployments)
    found = ops.find(platform, instruction_id)
    click.echo(ops.close(platform, found, "reject", account_for("issuer", issuer), dry_run))


def _party_command(step, party, short):
    @_by_id(step, short)
    @account_option
    @reports_errors
    def command(instruction_id, dry_run, deployments, account):
        quiet_ape()
        platform = load_platform(deployments)
        found = ops.find(platform, instruction_id)
        named = found.instruction.seller if party == "seller" else found.instruction.buyer
        signer = investor_account(_current(platform, named), account, f"the {party}")
        click.echo(ops.close(platform, found, step, signer, dry_run))

    command.help = f"{short} The lock goes back to the seller."
    return command


cancel = _party_command("cancel", "seller", "The seller cancels.")
refuse = _party_command("refuse", "buyer", "The buyer refuses.")
release = _party_command("release", "seller", "After expiry the seller's lock is released.")
