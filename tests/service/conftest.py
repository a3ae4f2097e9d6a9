"""The service under test: a real uvicorn process (python -m kabuto.service serve) on a free
loopback port, a real anvil with the demo's state (run once per test session), and a real
database: a SQLite file or a PostgreSQL server (pgserver, started here). Modules that use
the `service` fixture run once per database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import free_port
from kabuto.service.auth import ALL_ROLES, Role, add_token
from kabuto.service.localdemo import DemoWorld, start_demo_world

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    world = start_demo_world(tmp_path_factory.mktemp("service-chain"))
    yield world
    world.node.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server for the session (pgserver: the real server binaries from PyPI);
    the base URL of its unix socket, a fresh database per use (new_database)."""
    import pgserver

    folder = tmp_path_factory.mktemp("pg")
    server = pgserver.get_server(folder, cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


def new_database(kind: str, folder: Path, postgres_uri: str | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'index.db'}"
    assert postgres_uri is not None
    name = "kabuto_" + uuid.uuid4().hex[:12]
    import psycopg

    with psycopg.connect(postgres_uri, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    base, _, query = postgres_uri.partition("?")
    return "postgresql+psycopg://" + base.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}?{query}"


@dataclass
class Service:
    """One service process and what it was started with."""

    url: str
    database_url: str
    env: dict[str, str]
    world: DemoWorld
    folder: Path
    tokens: dict[Role, str]
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=Path)

    def start(self) -> Service:
        self.log = self.folder / f"service-{time.monotonic_ns()}.log"
        port = self.url.rsplit(":", 1)[1]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kabuto.service", "serve", "--port", port],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the service did not start: {self.log.read_text()}")

    def kill_hard(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_hard()

    def headers(self, role: Role | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def get(
        self, path: str, role: Role | None = Role.AUDITOR, **params: object
    ) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers(role), params=params, timeout=60)

    def post(self, path: str, role: Role | None, **kwargs: object) -> requests.Response:
        return requests.post(self.url + path, headers=self.headers(role), timeout=120, **kwargs)

    def wait_indexed(self, timeout_s: float = 60) -> int:
        """Waits until the index has reached the node's head; returns that block."""
        head = int(
            requests.post(
                self.world.node.url,
                json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
                timeout=5,
            ).json()["result"],
            16,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.get("/index/status").json()
            if status["block_number"] >= head:
                return head
            time.sleep(0.2)
        raise TimeoutError(f"index stuck at {status}: {self.log.read_text()[-3000:]}")


def service_env(world: DemoWorld, database_url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KABUTO_ACCOUNT_")}
    env.update(
        KABUTO_DATABASE_URL=database_url,
        KABUTO_RPC_URL=world.node.url,
        KABUTO_PRIVNET_RPC_URL=world.node.url,
        KABUTO_NETWORK="ethereum:privnet:node",
        KABUTO_MANIFEST=str(world.manifest),
        KABUTO_KEY_DIR=str(world.keys),
        KABUTO_ROLE_TOKENS=str(folder / "tokens.json"),
        KABUTO_SERVICE_STATE=str(folder / "state"),
    )
    return env


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
    postgres_uri = request.getfixturevalue("postgres") if database_kind == "postgresql" else None
    database_url = new_database(database_kind, folder, postgres_uri)
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
    running.wait_indexed()
    yield running
    running.stop()
    shutil.rmtree(folder / "state", ignore_errors=True)
