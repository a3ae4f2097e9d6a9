"""The service's command line: ``python -m kabuto.service serve|token|migrate`` (the
indexer's ``index`` and ``verify`` join them); ``ape run service ...`` is the same."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click
import requests

from kabuto.service.auth import ALL_ROLES, add_token
from kabuto.service.settings import ServiceSettings


def check_loopback(host: str) -> None:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise click.BadParameter(
            f"{host} is not a loopback address: put a TLS reverse proxy in front of the "
            "service to reach it from elsewhere (docs/service.md)"
        )


def settings_options(f):  # type: ignore[no-untyped-def]
    options = [
        click.option("--database-url", default=None, help="SQLAlchemy URL (KABUTO_DATABASE_URL)"),
        click.option("--manifest", "manifest_path", type=click.Path(path_type=Path), default=None),
        click.option("--network", default=None, help="Ape network for jobs (KABUTO_NETWORK)"),
        click.option("--rpc-url", default=None, help="JSON-RPC URL the indexer reads"),
        click.option("--tokens", "role_tokens_file", type=click.Path(path_type=Path), default=None),
        click.option("--keys", "key_dir", type=click.Path(path_type=Path), default=None),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group(help=__doc__)
def main() -> None:
    pass


@main.command(help="Start the API (uvicorn) on a loopback address.")
@settings_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True)
def serve(host: str, port: int, **settings: object) -> None:
    import uvicorn

    from kabuto.service.app import create_app

    check_loopback(host)
    config = ServiceSettings.from_env(**settings)
    app = create_app(config)
    click.echo(f"kabuto service: http://{host}:{port} (API docs: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)


@main.command(help="Create an API token for a role; prints it once (only its digest is kept).")
@click.option("--role", type=click.Choice([r.value for r in ALL_ROLES]), required=True)
@click.option("--name", default=None, help="who holds the token (default: the role)")
@click.option("--tokens", "role_tokens_file", type=click.Path(path_type=Path), default=None)
def token(role: str, name: str | None, role_tokens_file: Path | None) -> None:
    path = ServiceSettings.from_env(role_tokens_file=role_tokens_file).role_tokens_file
    click.echo(add_token(path, role, name or role))


@main.command(help="Bring the database to the current schema (Alembic).")
@click.option("--database-url", default=None)
def migrate(database_url: str | None) -> None:
    from kabuto.service.db import open_database

    database = open_database(ServiceSettings.from_env(database_url=database_url).database_url)
    click.echo(f"{database.url}: schema current")


def _indexer(settings: ServiceSettings):  # type: ignore[no-untyped-def]
    from kabuto.service.db import open_database
    from kabuto.service.indexer.follow import Indexer
    from kabuto.service.indexer.rpc import IndexReader

    url = settings.node_url()
    manifest = settings.manifest_for(IndexReader(url).chain_id())
    return Indexer(open_database(settings.database_url), url, manifest)


@main.command(help="Index the chain up to its head (with --follow: keep following it).")
@settings_options
@click.option("--follow", is_flag=True, help="keep indexing new blocks until stopped")
@click.option(
    "--logs-per-commit",
    type=click.IntRange(min=1),
    default=None,
    help="events per database transaction (default 20,000)",
)
def index(follow: bool, logs_per_commit: int | None, **settings: object) -> None:
    import time

    from kabuto.errors import KabutoError

    config = ServiceSettings.from_env(**settings)
    try:
        indexer = _indexer(config)
        if logs_per_commit:
            indexer.logs_per_commit = logs_per_commit
        while True:
            report = indexer.sync()
            if report.commits:
                click.echo(
                    f"indexed blocks {report.first_block}..{report.last_block}: "
                    f"{report.events} events in {report.seconds:.1f} s"
                )
            if not follow:
                break
            time.sleep(config.poll_seconds)
    except KabutoError as exc:
        raise click.ClickException(str(exc)) from exc
    except requests.RequestException as exc:
        raise click.ClickException(f"cannot read the node at {config.node_url()}: {exc}") from exc


@main.command(help="Reconcile the index with the chain; exit 1 naming each difference.")
@settings_options
def verify(**settings: object) -> None:
    from kabuto.errors import KabutoError
    from kabuto.service.indexer.verify import verify as run_verify

    config = ServiceSettings.from_env(**settings)
    try:
        indexer = _indexer(config)
        with indexer.database.engine.connect() as connection:
            indexer.check_chain(connection)
        report = run_verify(indexer.database, indexer.rpc_url)
    except KabutoError as exc:
        raise click.ClickException(str(exc)) from exc
    except requests.RequestException as exc:
        raise click.ClickException(f"cannot read the node at {config.node_url()}: {exc}") from exc
    click.echo(report.statement())
    if not report.ok:
        raise SystemExit(1)


@main.command(help="The service on a local chain with the demo's state (make serve).")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("service-demo"),
    show_default=True,
    help="the chain's state, manifest, keys, index and tokens (reused by the next run)",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True)
def demo(folder: Path, host: str, port: int) -> None:
    import signal

    import uvicorn

    from kabuto.ops.cli import quiet_ape
    from kabuto.service.app import create_app
    from kabuto.service.auth import load_tokens
    from kabuto.service.localdemo import PRIVNET, start_demo_world

    check_loopback(host)
    quiet_ape()

    def stop(*_: object) -> None:
        raise SystemExit(0)  # the node is stopped (and its state saved) on the way out

    signal.signal(signal.SIGTERM, stop)
    fresh = not (folder / "deployments").exists()
    if fresh:
        click.echo(f"kabuto service: running the demo on a new local chain in {folder} (~1 min)")
    world = start_demo_world(folder, echo=click.echo if fresh else lambda _: None)
    try:
        tokens_file, shown = folder / "tokens.json", folder / "demo-tokens.txt"
        if not load_tokens(tokens_file).tokens:
            lines = [
                f"{role.value}: {add_token(tokens_file, role, role.value)}" for role in ALL_ROLES
            ]
            shown.write_text("\n".join(lines) + "\n", encoding="utf-8")
            shown.chmod(0o600)
        settings = ServiceSettings.from_env(
            database_url=f"sqlite:///{folder / 'index.db'}",
            manifest_path=world.manifest,
            network=PRIVNET,
            rpc_url=world.node.url,
            role_tokens_file=tokens_file,
            key_dir=world.keys,
            state_dir=folder / "state",
        )
        import os

        os.environ["KABUTO_PRIVNET_RPC_URL"] = world.node.url
        click.echo(
            f"chain: {world.node.url} (chain id {world.node.chain_id}); manifest {world.manifest}"
        )
        click.echo(f"API tokens (local demo only) in {shown}:")
        click.echo(shown.read_text(encoding="utf-8").rstrip())
        click.echo(f"kabuto service: http://{host}:{port} (API docs: http://{host}:{port}/docs)")
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=3,
        )
    finally:
        world.node.stop()
