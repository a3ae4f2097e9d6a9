"""The Kabuto demo: the whole lifecycle on a fresh local chain, with the files in examples/.

Deploys the platform, onboards twelve investors, issues an SBI-style ST bond, a Kenedix-style
real-estate beneficiary interest and an excluded Class 2 interest for professionals, funds
investors with yen coin, shows a refused and an approved transfer, settles a bilateral DvP and
a venue batch, pays a coupon with tax withheld, redeems the bond at maturity and exports the
holder registers. Run it with `make demo` (or `ape run demo`).
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.cli import deployments_option, keys_option, quiet_ape, reports_errors
from kabuto.ops.demo import run_demo


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.option(
    "--examples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("examples"),
    show_default=True,
    help="folder of the input files",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("registers"),
    show_default=True,
    help="folder for the register files",
)
@click.option(
    "--coin-eligibility",
    is_flag=True,
    help="run with the yen coin in eligibility mode (registered investors and system accounts)",
)
@deployments_option
@keys_option
@reports_errors
def cli(examples, out, deployments, key_dir, coin_eligibility):
    quiet_ape()
    run_demo(
        examples, out, deployments, key_dir, echo=click.echo, coin_eligibility=coin_eligibility
    )
