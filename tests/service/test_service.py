"""The service as its clients see it, on SQLite and on PostgreSQL: every endpoint with every
role's token and none, personal data only for the issuer and the auditor (and never in the
database in clear), the register from the index equal to export_register's, reads paged and
filtered, bad input refused with file/row/field before anything is sent, an onboarding job
that survives a SIGKILL of the service without registering anyone twice, and the indexer as a
process: killed with SIGKILL mid-sync and run again, it ends with every event once and a
`verify` that finds no difference with the chain; a node of another chain is refused.

One file, so that one test worker builds the demo chain once for all of it."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from service_support import new_database, service_env
from sqlalchemy import create_engine, func, inspect, select, text

from kabuto.environment import PROJECT_ROOT
from kabuto.inputs.investors import COLUMNS as INVESTOR_COLUMNS
from kabuto.localchain import privnet_node
from kabuto.manifest import load_manifest
from kabuto.service import db
from kabuto.service.api.access import ACCESS
from kabuto.service.auth import ALL_ROLES, PERSONAL_DATA_ROLES, Role

# (method, path, access key); writes are sent an empty body: an allowed role gets 422.
ENDPOINTS = [
    ("GET", "/index/status", "index_status"),
    ("GET", "/investors", "investors"),
    ("GET", "/tokens", "tokens"),
    ("GET", "/holdings", "holdings"),
    ("GET", "/tokens/STBOND1/register", "register"),
    ("GET", "/applications", "applications"),
    ("GET", "/dvp-instructions", "dvp_instructions"),
    ("GET", "/venue-batches", "venue_batches"),
    ("GET", "/offerings", "offerings"),
    ("GET", "/offerings/1/allotments", "offerings"),
    ("GET", "/payments", "payments"),
    ("GET", "/holder-payments", "holder_payments"),
    ("GET", "/events", "events"),
    ("GET", "/jobs", "jobs_read"),
    ("POST", "/jobs/onboard", "onboard"),
    ("POST", "/jobs/issue", "issue"),
    ("POST", "/jobs/approve", "approve"),
    ("POST", "/jobs/reject", "reject"),
    ("POST", "/jobs/pay", "pay"),
    ("POST", "/jobs/redeem", "redeem"),
    ("POST", "/jobs/freeze", "freeze"),
    ("POST", "/jobs/forced-transfer", "forced_transfer"),
    ("POST", "/jobs/recovery", "recovery"),
    ("POST", "/jobs/settle-batch", "settle_batch"),
]


def test_every_endpoint_of_the_api_is_in_the_matrix(service):
    paths = set(service.get("/openapi.json", None).json()["paths"])
    listed = {
        path.replace("STBOND1", "{symbol}").replace("/1/", "/{offering_id}/")
        for _, path, _ in ENDPOINTS
    }
    missing = paths - listed - {"/health", "/whoami", "/jobs/{job_id}"}
    assert not missing, f"endpoints without a role test: {missing}"


def test_endpoint_by_role_matrix(service):
    wrong = []
    for method, path, key in ENDPOINTS:
        for role in (None, *ALL_ROLES):
            if method == "GET":
                answer = service.get(path, role)
                allowed_status = 200
            else:
                answer = service.post(path, role, json={})
                allowed_status = 422
            expected = 401 if role is None else allowed_status if role in ACCESS[key] else 403
            if answer.status_code != expected:
                wrong.append(f"{method} {path} as {role}: {answer.status_code}, wanted {expected}")
    assert not wrong, "\n".join(wrong)


def test_personal_data_only_for_issuer_and_auditor_and_never_stored_in_clear(service):
    names = {}
    for role in (Role.REGISTRAR, Role.COMPLIANCE, Role.ISSUER, Role.AUDITOR):
        everyone = service.get("/investors", role, limit=1000).json()["items"]
        # the demo's twelve (a module on the other database may have onboarded more)
        items = [i for i in everyone if i["investor_id"].startswith("INV-")]
        assert len(items) == 12
        names[role] = [i.get("name") for i in items]
    for role in PERSONAL_DATA_ROLES:
        assert all(names[role]), f"{role} should see every name"
    for role in (Role.REGISTRAR, Role.COMPLIANCE):
        assert names[role] == [None] * 12
    register = {
        role: service.get("/tokens/RETRUST1/register", role).json()["holders"]
        for role in (Role.AGENT, Role.ISSUER)
    }
    assert all(h["name"] is None and h["address"] is None for h in register[Role.AGENT])
    assert all(h["name"] for h in register[Role.ISSUER])
    # the database holds the envelopes only
    engine = create_engine(service.database_url)
    dump = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                dump.append(repr(tuple(row)))
    engine.dispose()
    everything = "\n".join(dump)
    for name in names[Role.ISSUER]:
        assert name not in everything, f"{name!r} is stored in clear"


def test_register_from_the_index_has_export_registers_rows(service):
    exported = sorted((service.world.folder / "registers").glob("*.json"))
    assert exported, "the demo wrote no registers"
    for path in exported:
        theirs = json.loads(path.read_text(encoding="utf-8"))
        params = (
            {"record_date": theirs["record_date"]}
            if theirs["record_date"]
            else {"block": theirs["block_number"]}
        )
        answer = service.get(f"/tokens/{theirs['symbol']}/register", Role.ISSUER, **params)
        assert answer.status_code == 200, answer.text
        mine = answer.json()
        assert mine["holders"] == theirs["holders"], path.name
        assert mine["block_number"] == theirs["block_number"]
        assert mine["reconciliation"]["reconciled"]


def test_reads_are_paged_and_filtered(service):
    everything = service.get("/holdings", Role.AUDITOR, token="RETRUST1").json()
    assert everything["total"] == 7 and len(everything["items"]) == 7
    first, second = (
        service.get("/holdings", Role.AUDITOR, token="RETRUST1", limit=4, offset=offset).json()
        for offset in (0, 4)
    )
    assert first["items"] + second["items"] == everything["items"]
    wallet = everything["items"][0]["wallet"]
    mine = service.get("/holdings", Role.AUDITOR, wallet=wallet).json()["items"]
    assert mine and all(h["wallet"] == wallet for h in mine)
    paid = service.get("/holder-payments", Role.PAYING_AGENT, status="paid").json()
    assert paid["total"] > 0 and all(p["status"] == "paid" for p in paid["items"])
    trail = service.get("/events", Role.AUDITOR, event="TransferApproved").json()["items"]
    assert len(trail) == 1 and trail[0]["tx_hash"].startswith("0x")
    window = service.get("/events", Role.AUDITOR, from_block=10, to_block=12).json()["items"]
    assert window and all(10 <= e["block_number"] <= 12 for e in window)
    assert service.get("/holdings", Role.AUDITOR, token="NOPE").status_code == 404


def _head(service) -> int:
    return int(
        requests.post(
            service.world.node.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
            timeout=5,
        ).json()["result"],
        16,
    )


def test_bad_input_is_a_422_with_file_row_and_field_before_anything_is_sent(service, tmp_path):
    bad = tmp_path / "investors.csv"
    with bad.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(INVESTOR_COLUMNS)
        rows.writerow(
            ["NEW-1", "General", "ResidentIndividual", 392, "2030-03-31", "0x1234", "名前", "住所"]
        )
    height = _head(service)
    answer = service.post(
        "/jobs/onboard", Role.REGISTRAR, files={"investors": ("investors.csv", bad.read_bytes())}
    )
    assert answer.status_code == 422, answer.text
    issues = answer.json()["detail"]["issues"]
    assert any(
        i["file"] == "investors.csv" and i["row"] == 2 and i["field"] == "wallet" for i in issues
    ), issues
    answer = service.post(
        "/jobs/freeze",
        Role.COMPLIANCE,
        json={"symbol": "NOPE", "wallet": "0x" + "11" * 20, "reason": "x"},
    )
    assert answer.status_code == 422 and answer.json()["detail"]["issues"][0]["field"] == "symbol"
    assert _head(service) == height, "a transaction was sent"
    assert service.get("/jobs", Role.AUDITOR).json()["total"] == 0


INVESTORS = 24


def _investors_csv(folder: Path, prefix: str, first_account: int) -> Path:
    Account.enable_unaudited_hdwallet_features()
    path = folder / "new-investors.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(INVESTOR_COLUMNS)
        for n in range(INVESTORS):
            wallet = Account.from_mnemonic(
                "test test test test test test test test test test test junk",
                account_path=f"m/44'/60'/0'/0/{first_account + n}",
            ).address
            rows.writerow(
                [
                    f"{prefix}-{n:03d}",
                    "General",
                    "ResidentIndividual",
                    392,
                    "2030-03-31",
                    wallet,
                    f"新規 {n}",
                    f"大阪府 {n}",
                ]
            )
    return path


def test_a_job_survives_sigkill_of_the_service_and_does_no_step_twice(
    service, database_kind, tmp_path
):
    prefix = "SQL" if database_kind == "sqlite" else "PGS"
    first = 300 if database_kind == "sqlite" else 400
    upload = _investors_csv(tmp_path, prefix, first)
    answer = service.post(
        "/jobs/onboard",
        Role.REGISTRAR,
        files={"investors": ("new-investors.csv", upload.read_bytes())},
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    again = service.post(
        "/jobs/onboard", Role.REGISTRAR, files={"investors": ("renamed.csv", upload.read_bytes())}
    )
    assert again.status_code == 200 and again.json()["job_id"] == job_id, "same content, same job"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = service.get(f"/jobs/{job_id}").json()
        if 0 < job["done"] < INVESTORS:
            break
        assert job["status"] in ("queued", "running"), job
        time.sleep(0.05)
    service.kill_hard()  # SIGKILL mid-job
    service.start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job = service.get(f"/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2 and job["done"] == INVESTORS
    assert 0 < job["result"]["already_done"] < INVESTORS
    service.wait_indexed()
    registered = service.get(
        "/events", Role.AUDITOR, event="InvestorRegistered", limit=1000
    ).json()["items"]
    ids = [
        e["args"]["investorId"] for e in registered if e["args"]["investorId"].startswith(prefix)
    ]
    assert sorted(ids) == [f"{prefix}-{n:03d}" for n in range(INVESTORS)], "registered twice or not"


# -- the indexer as a process -----------------------------------------------------------

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
