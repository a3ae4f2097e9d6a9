"""Export the holder register of a token (bond register under Companies Act art. 681, or
the trust beneficiary register) at a block or a record date: CSV (UTF-8 with BOM, for Excel)
and JSON, names and addresses decrypted with the issuer's key file, reconciled with the
on-chain balances (the files say RECONCILED or NOT RECONCILED).
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.inputs.dates import parse_date
from kabuto.ops.accounts import address_of
from kabuto.ops.chain import load_platform
from kabuto.ops.cli import deployments_option, keys_option, quiet_ape, reports_errors, role_option
from kabuto.ops.export import export_register


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@click.argument("symbol")
@click.option("--block", type=int, default=None, help="default: the latest block")
@click.option("--record-date", default=None, help="YYYY-MM-DD (JST): the end of that day")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("registers"),
    show_default=True,
)
@deployments_option
@keys_option
@role_option("issuer")
@reports_errors
def cli(symbol, block, record_date, out, deployments, key_dir, issuer):
    quiet_ape()
    report = export_register(
        load_platform(deployments),
        symbol,
        address_of("issuer", issuer),
        out,
        key_dir,
        block=block,
        record_date=parse_date(record_date) if record_date else None,
    )
    click.echo(report.register.reconciliation.statement())
    click.echo(f"{report.csv_path}\n{report.json_path}")
    if not report.reconciled:
        raise SystemExit(2)
