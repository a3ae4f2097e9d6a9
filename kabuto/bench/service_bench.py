"""The service's benchmark keys (issue 17), on the throughput jobs' chain (10,000 investors
holding a bond, 100,000 transfers between them: kabuto.bench.throughput's population):

* ``service.index_10k_investors_100k_transfers.sqlite`` / ``.postgresql``: the indexer from
  block 0 to the head into a new database (SQLite file; PostgreSQL started by pgserver);
* ``service.register_10k_holders``: the register of the 10,000 holders served from the index
  (``GET /tokens/KBB/register`` on the SQLite index, names decrypted: the issuer's token);
* ``service.load.rps`` / ``.p50_ms`` / ``.p99_ms`` / ``.errors`` (SQLite) and
  ``service.load.postgresql.*``: 50 concurrent clients for 30 s reading holders pages and
  registers from a real server process on a loopback port (bounded in time, loopback only).

Plugs in as a peer measured after the throughput jobs (it reuses their population):
``PEER`` / :func:`measure`.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import requests

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.model import Outcome, Pending, RateMeasurement, TimeMeasurement
from kabuto.bench.registry import Peer
from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import free_port
from kabuto.manifest import save_manifest
from kabuto.service.auth import Role, add_token
from kabuto.service.db import open_database
from kabuto.service.indexer.follow import Indexer
from kabuto.service.localpg import LocalPostgres

INDEX_KEY = "service.index_10k_investors_100k_transfers"
REGISTER_KEY = "service.register_10k_holders"
LOAD = "service.load"
KEYS = (
    f"{INDEX_KEY}.sqlite",
    f"{INDEX_KEY}.postgresql",
    REGISTER_KEY,
    f"{LOAD}.rps",
    f"{LOAD}.p50_ms",
    f"{LOAD}.p99_ms",
    f"{LOAD}.errors",
    f"{LOAD}.postgresql.rps",
    f"{LOAD}.postgresql.p50_ms",
    f"{LOAD}.postgresql.p99_ms",
    f"{LOAD}.postgresql.errors",
)
TIME_KEYS = (f"{INDEX_KEY}.sqlite", f"{INDEX_KEY}.postgresql", REGISTER_KEY)  # seconds
CLIENTS = 50
LOAD_SECONDS = 30.0
SYMBOL = "KBB"


def _postgres_url() -> tuple[str, LocalPostgres]:
    """A new database on a local PostgreSQL server (durable: fsync on, as in production)."""
    server = LocalPostgres(durable=True).start()
    return server.new_database("kabuto_bench"), server


def index_into(url: str, rpc_url: str, manifest: Path) -> float:
    database = open_database(url)
    started = time.monotonic()
    report = Indexer(database, rpc_url, manifest).sync()
    seconds = time.monotonic() - started
    database.engine.dispose()
    expect(report.events > 0, "the indexer found no events")
    return seconds


class Server:
    """The service (python -m kabuto.service serve) on the index, without following the chain."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kabuto.service", "serve", "--port", self.url.rsplit(":", 1)[1]],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError("the service did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def load_test(url: str, token: str, seconds: float = LOAD_SECONDS) -> dict[str, float]:
    """CLIENTS threads, each with its own connection, reading holders pages (9 in 10) and the
    register (1 in 10) until `seconds` have passed; returns rps, p50/p99 (ms) and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        rng = random.Random(n)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at:
            if rng.random() < 0.1:
                path, params = f"/tokens/{SYMBOL}/register", {}
            else:
                path, params = (
                    "/holdings",
                    {"token": SYMBOL, "limit": 100, "offset": 100 * rng.randrange(100)},
                )
            started = time.monotonic()
            try:
                ok = session.get(url + path, params=params, timeout=60).status_code == 200
            except requests.RequestException:
                ok = False
            mine.append(time.monotonic() - started)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "errors": errors[0],
    }


def _env(
    database_url: str, rpc_url: str, manifest: Path, folder: Path, keys: Path
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KABUTO_DATABASE_URL=database_url,
        KABUTO_RPC_URL=rpc_url,
        KABUTO_MANIFEST=str(manifest),
        KABUTO_KEY_DIR=str(keys),
        KABUTO_ROLE_TOKENS=str(folder / "tokens.json"),
        KABUTO_SERVICE_STATE=str(folder / "state"),
        KABUTO_SERVICE_FOLLOW="false",
        KABUTO_SERVICE_JOBS="false",
    )
    return env


def measure_population(population: object, rpc_url: str, transfers: int) -> list[Outcome]:
    """Every key on a built population (kabuto.bench.throughput.Population)."""
    kp = population.kp  # type: ignore[attr-defined]
    folder = Path(tempfile.mkdtemp(prefix="kabuto-bench-service-"))
    manifest = kp.platform.manifest.with_token(SYMBOL, str(kp.token.address), "Class1", "bond")
    manifest_path = folder / "deployments" / f"{manifest.chain_id}.json"
    save_manifest(manifest, manifest_path)
    keys = kp.workdir / "keys"
    investors, holders = len(population.wallets), len(population.wallets)  # type: ignore[attr-defined]
    outcomes: list[Outcome] = []
    sqlite_url = f"sqlite:///{folder / 'index.db'}"
    postgres_url, postgres = _postgres_url()
    at_scale = (investors, transfers) == (10_000, 100_000)
    try:
        for name, url in (("sqlite", sqlite_url), ("postgresql", postgres_url)):
            seconds = index_into(url, rpc_url, manifest_path)
            outcomes.append(
                TimeMeasurement(
                    f"{INDEX_KEY}.{name}",
                    round(seconds, 2),
                    0,
                    0,
                    at_target_scale=at_scale,
                    note=f"python -m kabuto.service index from block 0 into a new {name} database: "
                    f"{investors:,} investors, their holdings and every transfer, audit trail of every event",
                )
            )
        for name, url in (("sqlite", sqlite_url), ("postgresql", postgres_url)):
            env = _env(url, rpc_url, manifest_path, folder / name, keys)
            token = add_token(folder / name / "tokens.json", Role.ISSUER, "bench")
            server = Server(env)
            try:
                if name == "sqlite":
                    agent = add_token(folder / name / "tokens.json", Role.AGENT, "bench-agent")
                    cold = {}
                    for role, secret in (("agent", agent), ("issuer", token)):
                        started = time.monotonic()  # the first request of each: nothing cached
                        answer = requests.get(
                            server.url + f"/tokens/{SYMBOL}/register",
                            headers={"Authorization": f"Bearer {secret}"},
                            timeout=120,
                        )
                        cold[role] = time.monotonic() - started
                        body = answer.json()
                        expect(
                            answer.status_code == 200 and len(body["holders"]) == holders,
                            f"the register from the index has {len(body.get('holders', []))} holders",
                        )
                    outcomes.append(
                        TimeMeasurement(
                            REGISTER_KEY,
                            round(cold["agent"], 3),
                            0,
                            0,
                            at_target_scale=at_scale,
                            note=f"the first GET /tokens/{SYMBOL}/register of the server (nothing cached) "
                            f"with an agent token: {holders:,} holders, lots from every transfer, from the "
                            f"SQLite index; with the issuer's token (all {holders:,} names decrypted in the "
                            f"request) {cold['issuer']:.2f} s",
                        )
                    )
                result = load_test(server.url, token)
            finally:
                server.stop()
            prefix = LOAD if name == "sqlite" else f"{LOAD}.postgresql"
            note = (
                f"{CLIENTS} clients x {LOAD_SECONDS:.0f} s on loopback, {name}: 9 in 10 requests a page "
                f"of 100 holders, 1 in 10 the {holders:,}-holder register (names decrypted)"
            )
            outcomes += [
                RateMeasurement(f"{prefix}.rps", result["rps"], "requests/s", note),
                RateMeasurement(f"{prefix}.p50_ms", result["p50_ms"], "ms", note),
                RateMeasurement(f"{prefix}.p99_ms", result["p99_ms"], "ms", note),
                RateMeasurement(f"{prefix}.errors", result["errors"], "requests", note),
            ]
    finally:
        postgres.stop()
    return outcomes


def measure(ctx: BenchContext) -> Iterable[Outcome]:
    """The peer's measure: needs the throughput jobs' population (run them first)."""
    population = ctx.cache.get("population")
    if population is None:
        return [
            Pending(key, "needs the throughput jobs' population (run after them)") for key in KEYS
        ]
    return measure_population(population, str(ctx.chain.provider.http_uri), ctx.scale_transfers)


PEER = Peer("service", "Kabuto service", KEYS, measure)
