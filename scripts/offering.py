"""A primary offering: subscription, allotment and payment against issue.

\b
  ape run offering open SYMBOL --units N --min N --max N --end YYYY-MM-DD [--start ..]
  ape run offering apply OFFERING_ID HOLDER UNITS        an investor (its own account)
  ape run offering cancel-application OFFERING_ID HOLDER
  ape run offering close OFFERING_ID
  ape run offering allot OFFERING_ID INV-001=10 INV-002=5 ... | --as-applied
  ape run offering settle OFFERING_ID    yen to the proceeds account, units issued
  ape run offering finalize|cancel OFFERING_ID
  ape run offering show OFFERING_ID

The issuer signs open, close, allot, settle, finalize and cancel (--issuer ALIAS); investors
sign their applications (--account ALIAS; on local and test chains their test account).
Subscribers give the offering contract a yen allowance before settlement
(`ape run holder allow HOLDER AMOUNT --to offering`). Each step checks first and sends only
what is not done yet (a rerun sends nothing); --dry-run says what would be sent.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.domain import investor_id_to_bytes32
from kabuto.ops import offering as ops
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
from kabuto.ops.params import ADDRESS, DATE, HOLDER, SYMBOL, UNITS, YEN

OFFERING_ID = click.IntRange(min=0)


class AllotmentType(click.ParamType):
    """INVESTOR_ID=UNITS."""

    name = "INVESTOR_ID=UNITS"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, _, units = str(value).partition("=")
        try:
            investor_id_to_bytes32(name.strip())
        except ValueError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)
        if not units.strip().isdigit() or int(units) < 1:
            self.fail(f"{value!r}: the units after '=' must be a positive number", param, ctx)
        return name.strip(), int(units)


@click.group(help=__doc__)
def cli():
    pass


def _issuer_step(name, short):
    return subcommand(
        cli,
        name,
        short,
        click.argument("offering_id", type=OFFERING_ID),
        DRY_RUN,
        deployments_option,
        role_option("issuer"),
    )


@cli.command("open", cls=ConnectedProviderCommand, short_help="The issuer opens an offering.")
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.option("--units", type=UNITS, required=True, help="units offered in all")
@click.option("--min", "min_units", type=UNITS, required=True, help="least units per investor")
@click.option("--max", "max_units", type=UNITS, required=True, help="most units per investor")
@click.option(
    "--start",
    type=DATE,
    default=None,
    help="first day of applications (JST; default: the chain's today)",
)
@click.option("--end", type=DATE, required=True, help="last day of applications (JST)")
@click.option("--price", type=YEN, default=None, help="yen per unit (default: the term sheet's)")
@click.option(
    "--proceeds", type=ADDRESS, default=None, help="the account paid (default: the issuer)"
)
@DRY_RUN
@deployments_option
@role_option("issuer")
@reports_errors
def open_(
    symbol, units, min_units, max_units, start, end, price, proceeds, dry_run, deployments, issuer
):
    """The issuer opens an offering of SYMBOL (granting the offering contract AGENT_ROLE on the
    token the first time). The same terms again are the same offering: nothing is sent."""
    quiet_ape()
    platform = load_platform(deployments)
    token = platform.token(symbol)
    begin, finish = ops.window(start, end)
    terms = ops.Terms(units, min_units, max_units, begin, finish, price or 0, proceeds or "")
    signer = account_for("issuer", issuer)
    click.echo(ops.open_offering(platform, token, signer, terms, dry_run))


@cli.command(cls=ConnectedProviderCommand, short_help="An investor applies.")
@network_option()
@click.argument("offering_id", type=OFFERING_ID)
@click.argument("holder", type=HOLDER)
@click.argument("units", type=UNITS)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def apply(offering_id, holder, units, dry_run, deployments, account):
    """HOLDER applies for UNITS of offering OFFERING_ID (within its minimum and maximum)."""
    quiet_ape()
    platform = load_platform(deployments)
    signer = investor_account(holder.resolve(platform.registry, "HOLDER"), account, "HOLDER")
    click.echo(ops.apply(platform, offering_id, signer, units, dry_run))


@cli.command(
    "cancel-application", cls=ConnectedProviderCommand, short_help="An investor withdraws."
)
@network_option()
@click.argument("offering_id", type=OFFERING_ID)
@click.argument("holder", type=HOLDER)
@DRY_RUN
@deployments_option
@account_option
@reports_errors
def cancel_application(offering_id, holder, dry_run, deployments, account):
    """HOLDER withdraws its application while the offering is open."""
    quiet_ape()
    platform = load_platform(deployments)
    signer = investor_account(holder.resolve(platform.registry, "HOLDER"), account, "HOLDER")
    click.echo(ops.cancel_application(platform, offering_id, signer, dry_run))


@_issuer_step("allot", "The issuer allots.")
@click.argument("allotments", nargs=-1, type=AllotmentType())
@click.option(
    "--as-applied", is_flag=True, help="allot every waiting application its applied units"
)
@reports_errors
def allot(offering_id, allotments, as_applied, dry_run, deployments, issuer):
    """The issuer allots units to applicants (INVESTOR_ID=UNITS each, or --as-applied)."""
    quiet_ape()
    if bool(allotments) == as_applied:
        raise click.UsageError("give INVESTOR_ID=UNITS allotments or --as-applied (one of them)")
    wanted = None if as_applied else dict(allotments)
    if wanted is not None and len(wanted) != len(allotments):
        raise click.BadParameter("an investor is named twice", param_hint="'ALLOTMENTS'")
    platform = load_platform(deployments)
    click.echo(ops.allot(platform, offering_id, account_for("issuer", issuer), wanted, dry_run))


@_issuer_step("settle", "The issuer settles the allotments.")
@reports_errors
def settle(offering_id, dry_run, deployments, issuer):
    """Each allotment not settled yet: the subscriber's yen to the proceeds account and the
    units issued, in one transaction for all (one failing allotment fails alone)."""
    quiet_ape()
    platform = load_platform(deployments)
    for line in ops.settle(platform, offering_id, account_for("issuer", issuer), dry_run):
        click.echo(line)


def _status_step(name, step, short, text):
    @_issuer_step(name, short)
    @reports_errors
    def command(offering_id, dry_run, deployments, issuer):
        quiet_ape()
        platform = load_platform(deployments)
        click.echo(step(platform, offering_id, account_for("issuer", issuer), dry_run))

    command.help = text
    return command


close = _status_step(
    "close",
    ops.close,
    "The issuer closes the window.",
    "The issuer closes the subscription window; allotment and settlement follow.",
)
finalize = _status_step(
    "finalize",
    ops.finalize,
    "The issuer ends the offering.",
    "Ends a closed offering: unallotted applications are released, unsettled allotments lapse.",
)
cancel = _status_step(
    "cancel",
    ops.cancel,
    "The issuer calls the offering off.",
    "Calls off an open or closed offering before anything settled; every application is released.",
)


@cli.command(cls=ConnectedProviderCommand, short_help="Show an offering.")
@network_option()
@click.argument("offering_id", type=OFFERING_ID)
@deployments_option
@reports_errors
def show(offering_id, deployments):
    """The offering's terms, totals and every application."""
    quiet_ape()
    platform = load_platform(deployments)
    for line in ops.describe(platform, offering_id):
        click.echo(line)
