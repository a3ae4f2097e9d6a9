"""Serve the reference PTS (kabuto.venue) over HTTP/WebSocket against the connected chain.

Pre-trade checks read the chain (the registry, each token's ERC-1404 verdict, locks to the
venue's BatchSettlement and yen allowances); `POST /admin/settle` (the operator's key) settles
the pending executions in netted batches, signed by the venue agent, and answers with the
batches and the fails list. The day's journal in --state makes a restart resume where it
stopped. --wall-clock follows the real time (JST); otherwise the operator moves the clock
with `POST /admin/advance`. Loopback addresses only. See docs/venue.md for the endpoints.
"""

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.domain import JST
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, quiet_ape, reports_errors, role_option
from kabuto.venue.chainfacts import ChainFacts
from kabuto.venue.cli import config_option
from kabuto.venue.config import load_venue_config
from kabuto.venue.server import VenueService, create_app, open_venue, resume_clock, serve
from kabuto.venue.settlement import Settler


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@config_option
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="default: today (JST)")
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("venue-state"),
    show_default=True,
    help="folder of the venue's journal (resumed on restart)",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port",
    type=click.IntRange(min=1, max=65535),
    default=8700,
    show_default=True,
    help="TCP port to listen on",
)
@click.option("--wall-clock", is_flag=True, help="follow the real time instead of /admin/advance")
@deployments_option
@role_option("venue_agent")
@reports_errors
def cli(config_path, day, state_dir, host, port, wall_clock, deployments, venue_agent):
    quiet_ape()
    config = load_venue_config(config_path)
    platform = load_platform(deployments)
    trading_day = day.date() if day else datetime.now(JST).date()
    facts = ChainFacts(platform, [p.symbol for p in config.products])
    venue = open_venue(config, facts, trading_day, state_dir)
    settler = Settler(
        venue, platform, account_for("venue_agent", venue_agent), state_dir / "batches"
    )

    def settle() -> dict:
        done = settler.settle_round()
        return {
            "batches": [asdict(b) for b in done.batches],
            "fails": [asdict(f) for f in done.fails],
        }

    service = VenueService(venue, resume_clock(venue), settle, wall_clock)
    click.echo(
        f"{config.venue} {trading_day}: serving on http://{host}:{port} ({venue.phase.value})"
    )
    serve(create_app(service), host, port)
