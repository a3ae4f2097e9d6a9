"""Export the holder register of a token (bond register under Companies Act art. 681, or
the trust beneficiary register) at a block or a record date: CSV (UTF-8 with BOM, for Excel)
and JSON, names and addresses decrypted with the issuer's key file, reconciled with the
on-chain balances (the files say RECONCILED or NOT RECONCILED).
"""

from pathlib import Path

import click
from ape import chain
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.ops.accounts import address_of
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, keys_option, quiet_ape, reports_errors, role_option
from kabuto.ops.export import export_register
from kabuto.ops.params import BLOCK, DATE, SYMBOL, check_block, exclusive


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("symbol", type=SYMBOL)
@click.option(
    "--block", type=BLOCK, default=None, help="the register at this block (default: the latest)"
)
@click.option(
    "--record-date", type=DATE, default=None, help="the register at the end of this day (JST)"
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("registers"),
    show_default=True,
    help="folder for the register files (<chain id>-<SYMBOL>-... .csv and .json)",
)
@deployments_option
@keys_option
@role_option("issuer")
@reports_errors
def cli(symbol, block, record_date, out, deployments, key_dir, issuer):
    quiet_ape()
    exclusive(**{"--block": block, "--record-date": record_date})
    check_block(block, chain.blocks.height)
    report = export_register(
        load_platform(deployments),
        symbol,
        address_of("issuer", issuer),
        out,
        key_dir,
        block=block,
        record_date=record_date,
    )
    click.echo(report.register.reconciliation.statement())
    click.echo(f"{report.csv_path}\n{report.json_path}")
    if not report.reconciled:
        raise SystemExit(2)
