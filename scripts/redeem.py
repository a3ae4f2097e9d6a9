"""Redeem a bond at maturity: every unit at its redemption value, paid in yen coin from the
paying agent, units burned. Checks the dates, roles and balances first and sends nothing when it
would refuse: before the maturity payment day (the terms' maturity moved to a business day by the
bond's convention), or while any holder has locked, frozen or pending units. Resumable: a holder
is done once its units are burned. Writes the per-holder payment records to --out.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import (
    DRY_RUN,
    batch_size_option,
    claim_days_option,
    deployments_option,
    quiet_ape,
    records_option,
    reports_errors,
    role_option,
)
from kabuto.ops.params import SYMBOL
from kabuto.ops.payments import (
    DEFAULT_CLAIM_DAYS,
    DEFAULT_RECORDS_DIR,
    preview_redemption,
    redeem_at_maturity,
)


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("symbol", type=SYMBOL)
@claim_days_option(DEFAULT_CLAIM_DAYS)
@batch_size_option(100, "holders")
@records_option(DEFAULT_RECORDS_DIR)
@DRY_RUN
@deployments_option
@role_option("paying_agent")
@reports_errors
def cli(symbol, claim_days, batch_size, out, dry_run, deployments, paying_agent):
    quiet_ape()
    if dry_run:
        agent = account_for("paying_agent", paying_agent)
        click.echo(preview_redemption(load_platform(deployments), symbol, agent))
        return
    report = redeem_at_maturity(
        load_platform(deployments),
        symbol,
        account_for("paying_agent", paying_agent),
        claim_days=claim_days,
        batch_size=batch_size,
        records_dir=out,
    )
    click.echo(
        f"{symbol} redemption #{report.payment_id}: {report.batches.sent} holders paid "
        f"now, {report.gross:,} yen in all"
    )
    if report.records:
        click.echo(f"payment records: {report.records[0]} and {report.records[1].name}")
