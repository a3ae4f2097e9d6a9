"""The HTTP/WebSocket interface against a real server process (uvicorn) on a free loopback
port: orders in; acknowledgements, executions and market data out; each participant sees only
its own; the journal brings the day back after a restart."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "venue.yaml"
DAY = "2027-02-01"
KEY = {"SEC-A": "sec-a-demo-key", "SEC-B": "sec-b-demo-key", "operator": "operator-demo-key"}
INV = {  # from examples/venue.yaml
    "INV-001": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "INV-005": "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, state: Path, facts: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "kabuto.venue.server", "--config", str(CONFIG)]
        command += ["--facts", str(facts), "--day", DAY, "--state", str(state)]
        command += ["--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ | {"PYTHONUNBUFFERED": "1"}, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/status", timeout=1)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the venue server did not start in 30 s")

    def call(self, method: str, path: str, who: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {KEY[who]}"} if who else {}
        return requests.request(method, self.url + path, json=body, headers=headers, timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def facts(tmp_path) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps(
            {
                "locks": {"STBOND1": {INV["INV-001"]: 10}},
                "yen": {INV["INV-005"]: 1_000_000},
            }
        )
    )
    return path


@pytest.fixture
def server(tmp_path, facts):
    running = Server(tmp_path / "state", facts)
    yield running
    running.stop()


def order(investor, side, price, quantity, **extra):
    body = {"investor": investor, "symbol": "STBOND1", "side": side, "price": price}
    return body | {"quantity": quantity} | extra


def test_keys__unknown_key_401__operator_endpoints_need_the_operator(server):
    assert server.call("GET", "/market/STBOND1", "").status_code == 401
    assert (
        server.call(
            "POST", "/admin/advance", "SEC-A", {"time": f"{DAY}T09:00:00+09:00"}
        ).status_code
        == 403
    )
    assert server.call("GET", "/status", "").json()["phase"] == "pre_open"
    assert server.call("POST", "/admin/settle", "operator").status_code == 409  # no chain here


def test_orders_acks_auction_market_data_and_a_private_stream(server):
    url = server.url.replace("http", "ws") + "/ws"
    with connect(url, additional_headers={"Authorization": f"Bearer {KEY['SEC-B']}"}) as ws:
        first = json.loads(ws.recv(timeout=5))
        assert first["type"] == "market" and first["symbol"] in ("STBOND1", "RETRUST1")
        sell = server.call(
            "POST", "/orders", "SEC-A", order("INV-001", "sell", 100_000, 5, client_order_id="a1")
        )
        assert sell.status_code == 201 and sell.json()["status"] == "accepted"
        buy = server.call("POST", "/orders", "SEC-B", order("INV-005", "buy", 100_000, 3))
        assert buy.status_code == 201
        opened = server.call(
            "POST", "/admin/advance", "operator", {"time": f"{DAY}T09:00:00+09:00"}
        )
        trades = opened.json()["auction_executions"]
        assert [(t["price"], t["quantity"], t["buyer"], t["seller"]) for t in trades] == [
            (100_000, 3, "INV-005", "INV-001")
        ]
        seen = []
        while not any(e["type"] == "execution" for e in seen):
            seen.append(json.loads(ws.recv(timeout=5)))
        acks = [e for e in seen if e["type"] == "ack"]
        assert acks and all(e["participant"] == "SEC-B" for e in acks)  # never SEC-A's
    data = server.call("GET", "/market/STBOND1", "SEC-B").json()
    assert (data["last"], data["volume"], data["best_ask"]) == (100_000, 3, [100_000, 2])
    mine = server.call("GET", "/executions", "SEC-A").json()
    assert [(e["quantity"], e["status"]) for e in mine] == [(3, "pending")]


def test_refusals_are_422_with_the_reason__cancel_and_amend_only_your_own(server):
    server.call("POST", "/admin/advance", "operator", {"time": f"{DAY}T09:00:00+09:00"})
    band = server.call("POST", "/orders", "SEC-A", order("INV-001", "sell", 200_000, 1))
    assert band.status_code == 422 and band.json()["reason"] == "band"
    cover = server.call("POST", "/orders", "SEC-A", order("INV-001", "sell", 100_000, 11))
    assert cover.json()["reason"] == "sell_not_covered"
    other = server.call("POST", "/orders", "SEC-A", order("INV-005", "buy", 100_000, 1))
    assert other.json()["reason"] == "not_participants_investor"
    oid = server.call("POST", "/orders", "SEC-A", order("INV-001", "sell", 100_010, 4)).json()[
        "order_id"
    ]
    assert server.call("DELETE", f"/orders/{oid}", "SEC-B").json()["reason"] == "not_your_order"
    assert server.call("GET", f"/orders/{oid}", "SEC-B").status_code == 404
    amended = server.call("PATCH", f"/orders/{oid}", "SEC-A", {"quantity": 2})
    assert amended.status_code == 200 and amended.json()["status"] == "amended"
    assert server.call("DELETE", f"/orders/{oid}", "SEC-A").json()["status"] == "cancelled"
    assert server.call("GET", f"/orders/{oid}", "SEC-A").json()["live"] is False
    bad = server.call("POST", "/orders", "SEC-A", {"investor": "INV-001"})
    assert bad.status_code == 422  # missing fields: pydantic's own answer


def test_a_restarted_server_replays_its_journal(tmp_path, facts):
    first = Server(tmp_path / "state", facts)
    try:
        first.call("POST", "/admin/advance", "operator", {"time": f"{DAY}T09:00:00+09:00"})
        first.call("POST", "/orders", "SEC-A", order("INV-001", "sell", 100_000, 5))
        first.call("POST", "/orders", "SEC-B", order("INV-005", "buy", 100_000, 2))
        before = first.call("GET", "/market/STBOND1", "SEC-A").json()
    finally:
        first.process.kill()  # no clean shutdown
        first.process.wait(timeout=10)
    second = Server(tmp_path / "state", facts)
    try:
        assert second.call("GET", "/market/STBOND1", "SEC-A").json() == before
        assert len(second.call("GET", "/executions", "SEC-B").json()) == 1
        assert second.call("GET", "/status", "").json()["phase"] == "continuous"
    finally:
        second.stop()
