"""`make bench-scale`: issuing, transfers and the register export at 1,000, 10,000 and 100,000
investors (10 transfers each), each on a fresh anvil with --prune-history, and the operators'
`ape run export_register` at 100,000; writes bench/results/scale.{json,md,png}. Takes both
cores for 5-6 minutes on a quiet machine (longer on a busy one): not part of `make test` or CI."""

from pathlib import Path

import click
from ape.logging import logger

from kabuto.bench.operator_scale import onboard_csv
from kabuto.bench.runner import RESULTS_DIR
from kabuto.bench.scale import SCALES, add_operator_onboarding, earlier_points, run


@click.command(help=__doc__)
@click.option(
    "--scales",
    default=",".join(str(s) for s in SCALES),
    show_default=True,
    help="investor counts, comma-separated",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=RESULTS_DIR,
    show_default=True,
    help="directory for scale.json, scale.md and scale.png",
)
@click.option(
    "--top-transfers",
    type=int,
    default=None,
    help="transfers at the largest scale (default 10 per investor); the 1,000,000-transfer "
    "export targets are judged only at 1,000,000",
)
@click.option(
    "--operator-onboard",
    type=int,
    default=None,
    metavar="ROWS",
    help="instead: `ape run onboard` of a ROWS-row CSV (twice), added to scale.json/md",
)
@click.option(
    "--earlier",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="a log of an earlier run of the same commit: its `scale N: {...}` points are reported too",
)
def cli(
    scales: str,
    out_dir: Path,
    top_transfers: int | None,
    operator_onboard: int | None,
    earlier: Path | None,
) -> None:
    logger.set_level("WARNING")
    if operator_onboard:
        measured = onboard_csv(operator_onboard)
        add_operator_onboarding(out_dir, operator_onboard, measured)
        click.echo(measured)
        return
    data = run(
        tuple(int(s) for s in scales.split(",")),
        out_dir,
        top_transfers,
        earlier_points(earlier) if earlier else None,
    )
    for target in data["targets"]:
        click.echo(f"{target['status']:8} {target['title']}: {target['value']} ({target['limit']})")
    click.echo(f"written: {out_dir}/scale.json, scale.md, scale.png")
