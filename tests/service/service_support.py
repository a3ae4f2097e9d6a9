"""Helpers of the service tests: a database per use (SQLite file or a new PostgreSQL
database), the service process, and its environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from kabuto.environment import PROJECT_ROOT
from kabuto.service.auth import Role
from kabuto.service.localdemo import DemoWorld
from kabuto.service.localpg import LocalPostgres


def new_database(kind: str, folder: Path, postgres: LocalPostgres | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'index.db'}"
    assert postgres is not None
    return postgres.new_database()


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
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(self.url + "/health", timeout=5).ok:
                    return self
            except requests.RequestException:
                pass  # not listening yet, or busy starting on a loaded machine
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the service did not start: {self.log.read_text()}")

    def kill_hard(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

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
        KABUTO_JOB_BATCH_SIZE="3",  # small batches: a job is still running when it is killed
    )
    return env
