"""`make bench`: Kabuto and its peers measured side by side on the benchmark's own anvil."""

from pathlib import Path

import click
from ape.logging import logger

from kabuto.bench import report
from kabuto.bench.runner import DEFAULT_HARDFORK, RESULTS_DIR, BenchConfig, run


@click.command()
@click.option(
    "--hardfork", default=DEFAULT_HARDFORK, show_default=True, help="anvil hardfork (gas rules)"
)
@click.option(
    "--peer",
    "peers",
    multiple=True,
    help="measure only this peer (erc20, trex, kabuto); repeatable",
)
@click.option("--no-throughput", is_flag=True, help="skip the 10,000-investor throughput jobs")
@click.option(
    "--investors",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="throughput jobs: investors onboarded",
)
@click.option(
    "--transfers",
    type=click.IntRange(min=0),
    default=100_000,
    show_default=True,
    help="throughput jobs: transfers on the chain before the register export",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=RESULTS_DIR,
    show_default=True,
    help="folder for the results (JSON and Markdown)",
)
@click.option("--verbose", is_flag=True, help="show every transaction Ape sends")
def cli(
    hardfork: str,
    peers: tuple[str, ...],
    no_throughput: bool,
    investors: int,
    transfers: int,
    out_dir: Path,
    verbose: bool,
) -> None:
    if not verbose:
        logger.set_level("WARNING")
    config = BenchConfig(
        hardfork=hardfork,
        peers=peers,
        throughput=not no_throughput,
        out_dir=out_dir,
        investors=investors,
        transfers=transfers,
    )
    results = run(config)
    click.echo(report.to_markdown(results))
    json_path, md_path = report.write(results, config.out_dir)
    click.echo(f"written: {json_path} and {md_path}")
