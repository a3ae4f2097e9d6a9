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
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests
from eth_account import Account
from service_support import new_database, service_env
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from kabuto.domain import jst_date
from kabuto.environment import PROJECT_ROOT
from kabuto.inputs.investors import COLUMNS as INVESTOR_COLUMNS
from kabuto.localchain import privnet_node
from kabuto.manifest import load_manifest
from kabuto.service import db
from kabuto.service.api.access import ACCESS
from kabuto.service.auth import ALL_ROLES, PERSONAL_DATA_ROLES, Role
from kabuto.service.db import open_database
from kabuto.service.indexer.follow import ChainMismatchError, Indexer, followed_contracts
from kabuto.service.indexer.verify import verify
from kabuto.service.registerview import cursor_block, kept_lots, replayed_lots

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
    trail = service.get(
        "/events", Role.AUDITOR, event="TransferApproved", to_block=service.world.head
    ).json()["items"]
    assert len(trail) == 1 and trail[0]["tx_hash"].startswith("0x")
    window = service.get("/events", Role.AUDITOR, from_block=10, to_block=12).json()["items"]
    assert window and all(10 <= e["block_number"] <= 12 for e in window)
    assert service.get("/holdings", Role.AUDITOR, token="NOPE").status_code == 404


def _head_of(url: str) -> int:
    return int(
        requests.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
            timeout=5,
        ).json()["result"],
        16,
    )


def _head(service) -> int:
    return _head_of(service.world.node.url)


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


INVESTORS = 12


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


def _wait_for_job(service, answer: requests.Response, timeout_s: float = 180) -> dict:
    """The job of a 202 answer, once it has ended (bounded)."""
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    deadline = time.monotonic() + timeout_s
    while True:
        job = service.get(f"/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            assert job["status"] == "succeeded", f"{job['kind']} {job['status']}: {job['message']}"
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout_s} s: {job}"
        time.sleep(0.2)


def _holdings(service, symbol: str) -> dict[str, int]:
    items = service.get("/holdings", Role.AUDITOR, token=symbol, limit=1000).json()["items"]
    return {h["wallet"]: h["units"] for h in items if h["units"]}


def test_value_moving_jobs_run_to_the_end(service, database_kind, tmp_path):
    """issue (a new bond from a term sheet and an allocation), settle_batch (a venue trade),
    approve and reject (transfer applications), pay (a coupon): each submitted to the API as
    its role, run by the service to the end, and its effect read back from the index."""
    from ape import networks

    from kabuto.ops.chain import load_platform
    from kabuto.ops.clock import travel_to
    from kabuto.ops.demo import investor
    from kabuto.ops.trading import allow_venue_payment, apply_for_transfer, prepare_venue_trade

    symbol = "STBOND8" if database_kind == "sqlite" else "STBOND9"  # one new bond per database
    seller, buyer = investor(1), investor(2)
    world = service.world
    with networks.parse_network_choice(
        "ethereum:privnet:node", provider_settings={"uri": world.node.url}
    ):
        today = jst_date(world_time())
        # examples/stbond2.yaml moved by whole years until its first record date is ahead
        years = next(k for k in range(1, 10) if date(2027 + k, 12, 15) > today)
        sheet = re.sub(
            r"\b(20\d\d)-(\d\d-\d\d)\b",
            lambda m: f"{int(m.group(1)) + years}-{m.group(2)}",
            (PROJECT_ROOT / "examples" / "stbond2.yaml").read_text(encoding="utf-8"),
        ).replace("STBOND2", symbol)
        issued = _wait_for_job(
            service,
            service.post(
                "/jobs/issue",
                Role.ISSUER,
                files={
                    "term_sheet": ("sheet.yaml", sheet),
                    "allocation": ("a.csv", "investor_id,units\nINV-001,10\nINV-002,10\n"),
                },
                data={"allow_early": "true"},
            ),
        )
        service.wait_indexed()
        assert _holdings(service, symbol) == {seller.address: 10, buyer.address: 10}, issued
        platform = load_platform(world.deployments)
        prepare_venue_trade(platform, platform.token(symbol), seller, 3)
        allow_venue_payment(platform, buyer, 300_090)
        protrust = platform.token("PROTRUST1")
        holder, recipient = investor(9), str(investor(10).address)
        approve_id = apply_for_transfer(protrust, holder, recipient, 1, "job test: approve")
        reject_id = apply_for_transfer(protrust, holder, recipient, 1, "job test: reject")
        executions = (
            "trade_id,seller_wallet,buyer_wallet,symbol,quantity,yen_amount\n"
            f"JOB-{symbol},{seller.address},{buyer.address},{symbol},3,300090\n"
        )
        settled = _wait_for_job(
            service,
            service.post(
                "/jobs/settle-batch", Role.AGENT, files={"executions": ("x.csv", executions)}
            ),
        )
        approved, rejected = (
            _wait_for_job(
                service,
                service.post(
                    f"/jobs/{kind}",
                    Role.ISSUER,
                    json={"symbol": "PROTRUST1", "ids": [application], "reason": f"job: {kind}"},
                ),
            )
            for kind, application in (("approve", approve_id), ("reject", reject_id))
        )
        record_date = date(2027 + years, 12, 15)
        travel_to(date(2027 + years, 12, 31))  # after its record date and payment date
    pay = {"symbol": symbol, "record_date": record_date.isoformat()}
    paid = _wait_for_job(service, service.post("/jobs/pay", Role.PAYING_AGENT, json=pay))
    again = service.post("/jobs/pay", Role.PAYING_AGENT, json=pay)
    assert again.status_code == 200 and again.json()["job_id"] == paid["job_id"], "paid twice"

    service.wait_indexed()
    assert _holdings(service, symbol) == {seller.address: 7, buyer.address: 13}
    batches = service.get("/venue-batches", Role.AGENT, limit=1000).json()["items"]
    assert settled["result"]["batch_id"] in {b["batch_id"] for b in batches}, batches
    decided = {
        a["application_id"]: a["status"]
        for a in service.get("/applications", Role.ISSUER, token="PROTRUST1", limit=1000).json()[
            "items"
        ]
    }
    assert (decided[approve_id], decided[reject_id]) == ("approved", "rejected"), decided
    payment = service.get("/payments", Role.PAYING_AGENT, token=symbol).json()["items"]
    assert [p["payment_id"] for p in payment] == [paid["result"]["payment_id"]], payment
    payments = service.get(
        "/holder-payments", Role.PAYING_AGENT, payment_id=paid["result"]["payment_id"]
    ).json()["items"]
    assert {p["holder"]: p["status"] for p in payments} == {
        seller.address: "paid",
        buyer.address: "paid",
    }, payments


def test_the_lots_the_indexer_keeps_are_a_replay_of_every_transfer(service):
    """After the demo and the jobs above (issues, a venue trade, an approved transfer)."""
    service.wait_indexed()
    database = open_database(service.database_url, migrate=False)
    with Session(database.engine) as session:
        head = cursor_block(session)
        tokens = session.scalars(
            select(db.TokenRow.address).where(db.TokenRow.kind.in_(("bond", "beneficiary")))
        ).all()
        assert len(tokens) >= 2
        for token in tokens:
            kept = kept_lots(session, token)
            assert kept is not None and kept == replayed_lots(session, token, head), token
    database.engine.dispose()


def world_time() -> int:
    from ape import chain

    return int(chain.blocks.head.timestamp)


# -- the indexer as a process -----------------------------------------------------------

LOGS_PER_COMMIT = 2  # many small commits: the kill lands between two of them


def chain_logs(url: str, manifest_path) -> int:
    manifest = load_manifest(manifest_path)
    followed = [f.address for f in followed_contracts(manifest)]
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
    """The indexer process (python -m kabuto.service index) is SIGKILLed mid-sync; the same
    indexer resumes (here in the test's process: the same code, without a second start-up)
    and ends with every event once and a verify that finds no difference."""
    postgres = request.getfixturevalue("postgres") if database_kind == "postgresql" else None
    url = new_database(database_kind, tmp_path, postgres)
    env = service_env(demo_world, url, tmp_path)
    database = open_database(url)  # migrated
    head = _head_of(demo_world.node.url)
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
        stderr=(tmp_path / "index.log").open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while cursor(database.engine) < head // 3:
            assert process.poll() is None, (tmp_path / "index.log").read_text()
            assert time.monotonic() < deadline, "the indexer did not reach a third of the chain"
            time.sleep(0.005)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    stopped_at = cursor(database.engine)
    assert 0 <= stopped_at < head, f"not killed mid-sync (cursor {stopped_at}, head {head})"

    indexer = Indexer(database, demo_world.node.url, demo_world.manifest)
    report = indexer.sync()
    assert report.first_block == stopped_at + 1 and cursor(database.engine) == head
    with database.engine.connect() as connection:
        events = connection.execute(select(func.count()).select_from(db.EventRow)).scalar()
    assert events == chain_logs(demo_world.node.url, demo_world.manifest), (
        "an event twice or missing"
    )
    checked = verify(database, demo_world.node.url)
    assert checked.ok and checked.statement().startswith("EXACT"), checked.statement()
    database.engine.dispose()


def test_a_node_of_another_chain_is_refused(demo_world, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'index.db'}")
    Indexer(database, demo_world.node.url, demo_world.manifest).sync(to_block=3)
    other = privnet_node().start()
    try:
        requests.post(
            other.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "evm_mine", "params": []},
            timeout=5,
        )
        with pytest.raises(ChainMismatchError, match="use another database"):
            Indexer(database, other.url, demo_world.manifest).sync()
    finally:
        other.stop()
    assert cursor(database.engine) == 3, "something was written"
    database.engine.dispose()
