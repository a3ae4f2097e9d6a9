"""The service under test: a real uvicorn process (python -m kabuto.service serve) on a free
loopback port, a real anvil with the demo's state (run once per test session), and a real
database: a SQLite file or a PostgreSQL server (pgserver, started here). Modules that use
the `service` fixture run once per database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from service_support import Service, new_database, service_env

from kabuto.localchain import free_port
from kabuto.service.auth import ALL_ROLES, add_token
from kabuto.service.localdemo import DemoWorld, start_demo_world
from kabuto.service.localpg import LocalPostgres

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    world = start_demo_world(tmp_path_factory.mktemp("service-chain"))
    try:
        yield world
    finally:
        world.node.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL server for the session (pgserver's real server binaries from PyPI, run
    with bounded start and stop: kabuto.service.localpg); a fresh database per use."""
    server = LocalPostgres(durable=False).start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def service(
    request: pytest.FixtureRequest,
    database_kind: str,
    demo_world: DemoWorld,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp(f"service-{database_kind}")
    postgres = request.getfixturevalue("postgres") if database_kind == "postgresql" else None
    database_url = new_database(database_kind, folder, postgres)
    tokens = {
        role: add_token(folder / "tokens.json", role, f"test-{role.value}") for role in ALL_ROLES
    }
    running = Service(
        f"http://127.0.0.1:{free_port()}",
        database_url,
        service_env(demo_world, database_url, folder),
        demo_world,
        folder,
        tokens,
    ).start()
    try:
        running.wait_indexed()
        yield running
    finally:
        running.stop()
        shutil.rmtree(folder / "state", ignore_errors=True)
