"""Pay interest (bond) or a distribution (beneficiary interest) for a record date.

Declares the payment once (bond: the coupon of that record date, amount from the terms;
beneficiary: --amount-per-unit yen), funds it from the paying agent's yen coin and pays every
holder of record in resumable batches, tax withheld per investor class. Run on or after the
payment date; run again after any stop.
"""

from datetime import date

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.inputs.dates import parse_date
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option
from kabuto.ops.payments import DEFAULT_CLAIM_DAYS, pay_record_date


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("symbol")
@click.option("--record-date", required=True, help="YYYY-MM-DD (JST)")
@click.option("--amount-per-unit", type=int, default=None, help="yen (distributions)")
@click.option(
    "--claim-days",
    default=DEFAULT_CLAIM_DAYS,
    show_default=True,
    help="days after the payment date that holders may still claim",
)
@click.option("--batch-size", default=100, show_default=True)
@deployments_option
@role_option("paying_agent")
@reports_errors
def cli(symbol, record_date, amount_per_unit, claim_days, batch_size, deployments, paying_agent):
    quiet_ape()
    day: date = parse_date(record_date)
    report = pay_record_date(
        load_platform(deployments),
        symbol,
        day,
        account_for("paying_agent", paying_agent),
        amount_per_unit=amount_per_unit,
        claim_days=claim_days,
        batch_size=batch_size,
    )
    click.echo(
        f"{symbol} {report.kind} #{report.payment_id}: {report.batches.sent} holders "
        f"paid now ({report.batches.already_done} before); gross {report.gross:,} yen, "
        f"tax {report.tax:,}, net {report.net:,}"
    )
