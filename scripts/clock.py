"""Move a local chain's clock forward to a date (JST, 10:00 unless --time), e.g. to the
examples' issue, record and payment dates: `ape run clock --to 2027-07-15`. Local chains only
(local, privnet): a real chain keeps its own time. The clock never goes back.
"""

from datetime import date

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.coupons import jst_midnight
from kabuto.errors import ChainStateError
from kabuto.ops.cli import quiet_ape, reports_errors
from kabuto.ops.clock import today, travel_to
from kabuto.ops.params import DATE

TIME = click.DateTime(["%H:%M"])


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.option("--to", "day", type=DATE, required=True, help="the date to move to (JST)")
@click.option(
    "--time", "at", type=TIME, default="10:00", show_default=True, help="time of day (JST)"
)
@click.option("--dry-run", is_flag=True, help="say what would happen; mine nothing")
@reports_errors
def cli(day: date, at, dry_run: bool):
    quiet_ape()
    from ape import chain

    seconds = at.hour * 3600 + at.minute * 60
    target = jst_midnight(day) + seconds
    if target <= chain.pending_timestamp and today() == day:
        click.echo(f"the chain's date is already {day} (the clock never goes back); nothing mined")
        return
    if target <= chain.pending_timestamp:
        raise ChainStateError(
            f"the chain is already at {today()} (past {day} {at:%H:%M} JST): the clock never "
            "goes back; nothing was mined"
        )
    if dry_run:
        click.echo(f"would move the clock from {today()} to {day} {at:%H:%M} JST; dry run")
        return
    travel_to(day, seconds)
    click.echo(f"the chain's date is now {today()} ({at:%H:%M} JST)")
