"""The indexer as a process: killed with SIGKILL in the middle of a sync and run again, it
ends with every event once (as many as the node has logs of the platform's contracts) and a
`verify` that finds no difference with the chain; on SQLite and PostgreSQL. A node of
another chain is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from service_support import new_database, service_env
from sqlalchemy import create_engine, func, select

from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import privnet_node
from kabuto.manifest import load_manifest
from kabuto.service import db

LOGS_PER_COMMIT = 2  # many small commits: the kill lands between two of them


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kabuto.service", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def chain_logs(url: str, manifest_path) -> int:
    manifest = load_manifest(manifest_path)
    addresses = list(manifest.contracts.values()) + [t.address for t in manifest.tokens.values()]
    followed = [
        a
        for name, a in manifest.contracts.items()
        if name
        in (
            "InvestorRegistry",
            "YenCoin",
            "Settlement",
            "BatchSettlement",
            "CorporateActions",
            "PrimaryOffering",
        )
    ] + [t.address for t in manifest.tokens.values()]
    assert set(followed) <= set(addresses)
    answer = requests.post(
        url,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [{"address": followed, "fromBlock": "0x0", "toBlock": "latest"}],
        },
        timeout=30,
    ).json()
    return len(answer["result"])


def cursor(engine) -> int:
    with engine.connect() as connection:
        value = connection.execute(select(db.IndexCursor.block_number)).scalar()
    return -1 if value is None else int(value)


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"])
def test_indexer_killed_mid_sync_resumes_exactly(request, database_kind, demo_world, tmp_path):
    postgres = request.getfixturevalue("postgres") if database_kind == "postgresql" else None
    url = new_database(database_kind, tmp_path, postgres)
    env = service_env(demo_world, url, tmp_path)
    migrated = run(["migrate"], env)
    assert migrated.returncode == 0, migrated.stderr
    engine = create_engine(url)
    head = int(
        requests.post(
            demo_world.node.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
            timeout=5,
        ).json()["result"],
        16,
    )

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kabuto.service",
            "index",
            "--logs-per-commit",
            str(LOGS_PER_COMMIT),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and cursor(engine) < head // 3:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stopped_at = cursor(engine)
    assert 0 <= stopped_at < head, f"not killed mid-sync (cursor {stopped_at}, head {head})"

    resumed = run(["index"], env)
    assert resumed.returncode == 0, resumed.stderr
    assert cursor(engine) == head
    with engine.connect() as connection:
        events = connection.execute(select(func.count()).select_from(db.EventRow)).scalar()
    engine.dispose()
    assert events == chain_logs(demo_world.node.url, demo_world.manifest), (
        "an event twice or missing"
    )
    checked = run(["verify"], env)
    assert checked.returncode == 0 and checked.stdout.startswith("EXACT"), (
        checked.stdout + checked.stderr
    )

    # another chain on the same database: refused, nothing written
    other = privnet_node().start()
    try:
        requests.post(
            other.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "evm_mine", "params": []},
            timeout=5,
        )
        refused = run(["index", "--rpc-url", other.url], env)
    finally:
        other.stop()
    assert refused.returncode != 0 and "use another database" in refused.stderr, refused.stderr
