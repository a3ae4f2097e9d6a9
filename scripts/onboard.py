"""Onboard investors from a CSV (investor_id,class,country,kyc_expiry,wallet,name,address).

Registers each investor in the investor registry and stores its name and address encrypted
to the issuer's public key (HPKE for an X25519 key; RSA-OAEP for an RSA key). Every row is checked first:
nothing is sent while any row is wrong. Resumable: run it again after any stop.

An investor already on chain whose row differs (class, country, KYC expiry, tax status, and
the personal data when the issuer's key file is in --keys) is listed with every difference
and nothing is sent; --apply-changes then updates the registry, each change as the
registry's update call, resumable like the rest. --dry-run says what would be sent.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import (
    DRY_RUN,
    deployments_option,
    keys_option,
    quiet_ape,
    reports_errors,
    role_option,
)
from kabuto.ops.onboard import plan_onboarding, preview_onboarding, run_onboarding


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("investors_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="investors per transaction (onboardInvestors)",
)
@click.option(
    "--apply-changes",
    is_flag=True,
    help="update investors on chain whose row of the file differs (listed first)",
)
@DRY_RUN
@deployments_option
@keys_option
@role_option("registrar")
@role_option("issuer")
@reports_errors
def cli(investors_csv, batch_size, apply_changes, dry_run, deployments, key_dir, registrar, issuer):
    quiet_ape()
    platform = load_platform(deployments)
    issuer_account = account_for("issuer", issuer)
    plan = plan_onboarding(
        platform,
        investors_csv,
        str(issuer_account.address),
        apply_changes=apply_changes,
        key_dir=key_dir,
    )
    click.echo(f"{len(plan.investors)} investors in {investors_csv}: all rows valid")
    for change in plan.changes:
        click.echo(f"change (chain -> file): {change.describe()}")
    for note in plan.notes:
        click.echo(f"note: {note}")
    if dry_run:
        click.echo(preview_onboarding(plan))
        return
    report = run_onboarding(plan, account_for("registrar", registrar), batch_size)
    click.echo(
        f"onboarded {report.sent} now, {report.already_done + report.skipped_late} "
        f"were already on chain; registry holds {platform.registry.investorCount()} "
        "investors"
    )
