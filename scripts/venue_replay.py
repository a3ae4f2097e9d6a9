"""Replay an order file (CSV) through the reference PTS's engine and write the executions file
that `ape run settle_batch` reads.

Columns of the order file: time,action,ref,participant,investor,symbol,side,price,quantity
(action new, amend or cancel; an amend or cancel names the ref of an earlier new order). The
venue config gives the products, tables, participants and the day's timetable: orders before
the open meet in the opening auction, the continuous session matches by price and time, the
closing auction ends the day. Refused orders are listed with their row and reason. No chain is
needed: every order is taken as covered unless --facts gives locks, yen and eligibility.
"""

from datetime import datetime
from pathlib import Path

import click

from kabuto.ops.cli import reports_errors
from kabuto.venue.cli import config_option
from kabuto.venue.config import load_venue_config
from kabuto.venue.replay import replay
from kabuto.venue.server import load_facts


@click.command(help=__doc__)
@click.argument("orders_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="the trading day")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="the executions file (default: <orders file>-executions.csv)",
)
@click.option(
    "--facts",
    "facts_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help='in-memory facts, JSON: {"locks": {symbol: {wallet: units}}, "yen": {wallet: yen}}',
)
@reports_errors
def cli(orders_csv: Path, config_path: Path, day: datetime, out: Path | None, facts_path):
    config = load_venue_config(config_path)
    out = out or orders_csv.with_name(f"{orders_csv.stem}-executions.csv")
    try:
        result = replay(config, orders_csv, day.date(), out, load_facts(facts_path))
    except ValueError as exc:  # a closed day
        raise click.ClickException(str(exc)) from exc
    for number, ack in result.refused:
        click.echo(f"  row {number}: refused ({ack.reason}): {ack.text}")
    venue = result.venue
    click.echo(
        f"{len(venue.trades)} executions from {len(venue.orders)} orders "
        f"({len(result.refused)} refused) -> {result.executions_path}"
    )
    for symbol, stats in venue.stats.items():
        if stats.volume:
            click.echo(
                f"  {symbol}: open {stats.open:,} high {stats.high:,} low {stats.low:,} "
                f"close {stats.close:,}, volume {stats.volume:,}, VWAP {stats.vwap:,.2f}"
            )
