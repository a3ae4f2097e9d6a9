"""Pay interest (bond) or a distribution (beneficiary interest) for a record date.

Declares the payment once (bond: the coupon of that record date, amount from the terms;
beneficiary: --amount-per-unit yen), funds it from the paying agent's yen coin and pays every
holder of record in resumable batches, tax withheld per holder by its investor's tax status
(a non-resident's treaty rate with --treaty-rate). Checks the dates, roles and balances first and
sends nothing when it would refuse: run it on or after the payment day (the terms' date moved to
a business day by the bond's convention); run again after any stop. Writes the per-holder
payment records (investor, units, gross, tax by component, net, paid / held / unpaid) to
--out as <chain id>-<SYMBOL>-<kind>-<record date>-payment<id>.csv and .json.
"""

from datetime import date

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
from kabuto.ops.params import DATE, SYMBOL, YEN
from kabuto.ops.payments import (
    DEFAULT_CLAIM_DAYS,
    DEFAULT_RECORDS_DIR,
    pay_record_date,
    preview_record_date,
)


def _treaty_rates(values: tuple[str, ...]) -> dict[str, int]:
    """INVESTOR_ID=PERCENT pairs as millionths ("INV-012=10" -> 100,000)."""
    from decimal import Decimal, InvalidOperation

    rates = {}
    for value in values:
        investor_id, _, percent = value.partition("=")
        try:
            millionths = Decimal(percent.strip().rstrip("%")) * 10_000
        except InvalidOperation:
            millionths = Decimal(-1)
        if not investor_id or millionths < 0 or millionths != millionths.to_integral_value():
            raise click.BadParameter(
                f"{value!r}: write INVESTOR_ID=PERCENT, e.g. INV-012=10", param_hint="--treaty-rate"
            )
        rates[investor_id.strip()] = int(millionths)
    return rates


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.option("--record-date", type=DATE, required=True, help="the record date, YYYY-MM-DD (JST)")
@click.option(
    "--amount-per-unit",
    type=YEN,
    default=None,
    help="yen per unit (a beneficiary interest's distribution; a bond's coupon comes from "
    "its terms)",
)
@claim_days_option(DEFAULT_CLAIM_DAYS)
@batch_size_option(100, "holders")
@click.option(
    "--treaty-rate",
    multiple=True,
    metavar="INVESTOR_ID=PERCENT",
    help="a non-resident's treaty rate replacing the 15.315% national rate (repeatable)",
)
@records_option(DEFAULT_RECORDS_DIR)
@DRY_RUN
@deployments_option
@role_option("paying_agent")
@reports_errors
def cli(
    symbol,
    record_date,
    amount_per_unit,
    claim_days,
    batch_size,
    treaty_rate,
    out,
    dry_run,
    deployments,
    paying_agent,
):
    quiet_ape()
    day: date = record_date
    rates = _treaty_rates(treaty_rate)
    if dry_run:
        agent = account_for("paying_agent", paying_agent)
        platform = load_platform(deployments)
        click.echo(preview_record_date(platform, symbol, day, agent, None, amount_per_unit))
        return
    report = pay_record_date(
        load_platform(deployments),
        symbol,
        day,
        account_for("paying_agent", paying_agent),
        amount_per_unit=amount_per_unit,
        claim_days=claim_days,
        batch_size=batch_size,
        records_dir=out,
        treaty_rates=rates,
    )
    click.echo(
        f"{symbol} {report.kind} #{report.payment_id}: {report.batches.sent} holders "
        f"paid now ({report.batches.already_done} before); gross {report.gross:,} yen, "
        f"tax {report.tax:,}, net {report.net:,}"
    )
    if report.records:
        click.echo(f"payment records: {report.records[0]} and {report.records[1].name}")
