"""A trading day of the reference PTS (kabuto.venue) on the demo's securities, on a local chain.

Sets the platform up as `ape run demo` does, then three securities firms send random but valid
orders through a whole day (call period, opening auction, continuous session, closing auction);
batches settle on BatchSettlement after each auction and every hour; executions the chain
refuses go on the fails list with their restriction code. Ends with the end-of-day report
(OHLC, volume, VWAP, settled and failed trades). Run it with `make venue-demo`.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.cli import deployments_option, keys_option, quiet_ape, reports_errors
from kabuto.venue.cli import config_option
from kabuto.venue.demo import run_venue_demo


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@config_option
@click.option(
    "--examples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("examples"),
    show_default=True,
    help="folder of the demo's input files",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("venue-day"),
    show_default=True,
    help="folder for the journal, batch files and the end-of-day report",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2027,
    show_default=True,
    help="seed of the random order flow",
)
@click.option(
    "--orders",
    type=click.IntRange(min=1, max=100_000),
    default=300,
    show_default=True,
    help="orders sent during the day",
)
@deployments_option
@keys_option
@reports_errors
def cli(config_path, examples, out, seed, orders, deployments, key_dir):
    quiet_ape()
    run_venue_demo(examples, config_path, out, deployments, key_dir, seed, orders, click.echo)
