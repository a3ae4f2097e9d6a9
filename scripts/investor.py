"""Investor upkeep by the registrar, one investor at a time.

\b
  ape run investor renew-kyc INVESTOR_ID --until 2032-03-31
  ape run investor set-class INVESTOR_ID Specified
  ape run investor set-tax-status INVESTOR_ID NonResident
  ape run investor suspend|reactivate|revoke INVESTOR_ID
  (a lost wallet: ape run operate recover INVESTOR_ID NEW_WALLET --reason TEXT)

Each reads the chain first and sends only what differs (a rerun sends nothing); --dry-run
says what would be sent. For many investors at once, change the investors file and run
`ape run onboard FILE --apply-changes`.
"""

import click

from kabuto.inputs.fields import parse_investor_class, parse_tax_status
from kabuto.onchain_types import InvestorStatus
from kabuto.ops import upkeep
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import (
    DRY_RUN,
    deployments_option,
    quiet_ape,
    reports_errors,
    role_option,
    subcommand,
)
from kabuto.ops.params import DATE, INVESTOR_ID


def _parsed(parse):
    def convert(ctx, param, value):
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc

    return convert


@click.group(help=__doc__)
def cli():
    pass


def _command(name, short):
    return subcommand(
        cli,
        name,
        short,
        click.argument("investor_id", type=INVESTOR_ID),
        DRY_RUN,
        deployments_option,
        role_option("registrar"),
    )


@_command("renew-kyc", "Renew an investor's KYC.")
@click.option("--until", type=DATE, required=True, help="the new KYC expiry (JST)")
@reports_errors
def renew_kyc(investor_id, until, dry_run, deployments, registrar):
    """Set INVESTOR_ID's KYC expiry to --until (a date after the chain's today)."""
    quiet_ape()
    click.echo(
        upkeep.renew_kyc(
            load_platform(deployments),
            account_for("registrar", registrar),
            investor_id,
            until,
            dry_run,
        )
    )


@_command("set-class", "Change an investor's class.")
@click.argument("investor_class", metavar="CLASS", callback=_parsed(parse_investor_class))
@reports_errors
def set_class(investor_id, investor_class, dry_run, deployments, registrar):
    """Change INVESTOR_ID's class (General, Specified, QualifiedInstitutional (QII),
    SpeciallyPermitted)."""
    quiet_ape()
    click.echo(
        upkeep.set_class(
            load_platform(deployments),
            account_for("registrar", registrar),
            investor_id,
            investor_class,
            dry_run,
        )
    )


@_command("set-tax-status", "Change an investor's tax status.")
@click.argument("status", metavar="TAX_STATUS", callback=_parsed(parse_tax_status))
@reports_errors
def set_tax_status(investor_id, status, dry_run, deployments, registrar):
    """Change INVESTOR_ID's tax status (ResidentIndividual, DomesticCorporation,
    NonResident, Exempt)."""
    quiet_ape()
    click.echo(
        upkeep.set_tax_status(
            load_platform(deployments),
            account_for("registrar", registrar),
            investor_id,
            status,
            dry_run,
        )
    )


def _status_command(name, status, short):
    @_command(name, short)
    @reports_errors
    def command(investor_id, dry_run, deployments, registrar):
        quiet_ape()
        click.echo(
            upkeep.set_status(
                load_platform(deployments),
                account_for("registrar", registrar),
                investor_id,
                status,
                dry_run,
            )
        )

    command.help = f"{short} (the registry's setInvestorStatus)."
    return command


suspend = _status_command("suspend", InvestorStatus.SUSPENDED, "Suspend an investor")
reactivate = _status_command("reactivate", InvestorStatus.ACTIVE, "Reactivate a suspended investor")
revoke = _status_command("revoke", InvestorStatus.REVOKED, "Revoke an investor")
