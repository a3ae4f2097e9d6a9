"""Helpers of the console tests. The console in a real browser against a real service process: one chain per module (its own
gas-free anvil with the platform deployed, the example investors onboarded, two securities
issued and two transfer applications waiting), one service process (uvicorn on a free
loopback port, indexing that chain into its SQLite file), one headless Chromium (Debian's,
driven by Playwright; no browser download) at 1366x768. Screenshots of every page go to
out/console-screenshots/ (git-ignored)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from ape import networks

from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import PRIVNET_CHAIN_ID as CHAIN_ID
from kabuto.localchain import AnvilNode, free_port
from kabuto.ops.chain import load_platform
from kabuto.ops.clock import travel_to
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.issue import plan_issue, run_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding
from kabuto.ops.operations import freeze
from kabuto.ops.payments import pay_record_date
from kabuto.ops.trading import apply_for_transfer, mint_yen
from kabuto.service.auth import Role, add_token

EXAMPLES = PROJECT_ROOT / "examples"
SCREENSHOTS = Path(
    os.environ.get("KABUTO_SCREENSHOTS", PROJECT_ROOT / "out" / "console-screenshots")
)
CHROMIUM = os.environ.get("KABUTO_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1366, "height": 768}
ISSUE_DAY = "2027-01-15"
APPLY_DAY = "2027-07-15"
RECORD_DAY = "2027-06-30"
INV_003 = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
INV_004 = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
INV_009, INV_010, INV_011 = (
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    "0xBcd4042DE499D14e55001CcbB24a551F3b954096",
    "0x71bE63f3384f5fb98995898A86B02Fb2426c5788",
)


@dataclass
class Console:
    """The running service and what the tests need to talk to it and to the chain."""

    url: str
    node: AnvilNode
    deployments: Path
    keys: Path
    database: Path
    state: Path
    tokens: dict[Role, str]
    process: subprocess.Popen[bytes]
    log: Path
    applications: dict[str, int] = field(default_factory=dict)

    def connect(self) -> Any:
        return networks.parse_network_choice(
            "ethereum:privnet:node", provider_settings={"uri": self.node.url}
        )

    def indexed_block(self) -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            row = db.execute("SELECT block_number FROM index_cursor").fetchone()
        return int(row[0]) if row else -1

    def chain_height(self) -> int:
        answer = requests.post(
            self.node.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
            timeout=5,
        )
        return int(answer.json()["result"], 16)

    def wait_indexed(self, timeout: float = 60) -> int:
        """Waits until the service has indexed the chain's latest block."""
        head = int(
            requests.post(
                self.node.url,
                json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
                timeout=5,
            ).json()["result"],
            16,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service stopped:\n{self.log.read_text()[-3000:]}")
            try:
                if self.indexed_block() >= head:
                    return head
            except sqlite3.Error:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the index did not reach block {head} in {timeout} s")


def populate(base: Path) -> tuple[Path, Path, dict[str, int]]:
    """Deploys the platform, onboards examples/investors.csv, issues STBOND1 and PROTRUST1
    pays STBOND1's first coupon (one holder frozen: held) and leaves two PROTRUST1
    transfer applications pending."""
    from datetime import date

    deployments, keys = base / "deployments", base / "keys"
    ops = Operators.resolve()
    deploy_platform(ops, deployments, keys)
    platform = load_platform(deployments)
    run_onboarding(
        plan_onboarding(platform, EXAMPLES / "investors.csv", str(ops.issuer.address)),
        ops.registrar,
        progress=False,
    )
    travel_to(date.fromisoformat(ISSUE_DAY))
    for stem in ("stbond1", "protrust1"):
        sheet = EXAMPLES / f"{stem}.yaml"
        plan = plan_issue(load_platform(deployments), sheet, EXAMPLES / f"{stem}-allocation.csv")
        run_issue(plan, ops.issuer, ops.paying_agent, ops.compliance, sheet, progress=False)
    from ape import accounts

    # a coupon: STBOND1's first record date, one holder frozen (their payment is held)
    platform = load_platform(deployments)
    mint_yen(platform, ops.trust_bank, {str(ops.paying_agent.address): 20_000_000})
    freeze(platform.token("STBOND1"), ops.compliance, INV_004, None, "console test: held")
    travel_to(date.fromisoformat(APPLY_DAY))  # after the payment date and PROTRUST1's lock-up
    pay_record_date(
        platform, "STBOND1", date.fromisoformat(RECORD_DAY), ops.paying_agent, progress=False
    )
    token = load_platform(deployments).token("PROTRUST1")
    holder = accounts.test_accounts[9]  # INV-009
    applications = {
        "approve": apply_for_transfer(token, holder, INV_010, 2, "console test: approve"),
        "reject": apply_for_transfer(token, holder, INV_011, 1, "console test: reject"),
    }
    return deployments, keys, applications


def start_service(base: Path, node: AnvilNode, deployments: Path, keys: Path) -> Console:
    port = free_port()
    tokens_file = base / "tokens.json"
    tokens = {role: add_token(tokens_file, role, f"{role.value}-desk") for role in Role}
    database = base / "index.db"
    log = base / "service.log"
    env = os.environ | {
        "PYTHONUNBUFFERED": "1",
        "KABUTO_DATABASE_URL": f"sqlite:///{database}",
        "KABUTO_MANIFEST": str(deployments / f"{CHAIN_ID}.json"),
        "KABUTO_NETWORK": "ethereum:privnet:node",
        "KABUTO_RPC_URL": node.url,
        "KABUTO_PRIVNET_RPC_URL": node.url,
        "KABUTO_ROLE_TOKENS": str(tokens_file),
        "KABUTO_KEY_DIR": str(keys),
        "KABUTO_SERVICE_STATE": str(base / "state"),
    }
    command = [sys.executable, "-m", "kabuto.service", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            requests.get(url + "/health", timeout=5)
            break
        except requests.RequestException:
            pass  # not listening yet, or busy starting on a loaded machine
        if process.poll() is not None:
            raise RuntimeError(f"the service did not start:\n{log.read_text()}")
        if time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"the service did not answer in 120 s:\n{log.read_text()}")
        time.sleep(0.2)
    return Console(url, node, deployments, keys, database, base / "state", tokens, process, log)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not ended in 10 s; never waits longer than that."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def log_in(browser: Any, console: Console, role: Role, lang: str = "ja") -> Any:
    """A new browser context logged in as `role` through the login form; returns its page."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{console.url}/console/lang/{lang}?back=/console/login")
    page.get_by_label("APIトークン" if lang == "ja" else "API token").fill(console.tokens[role])
    page.keyboard.press("Enter")  # keyboard only: the form submits from the token field
    page.wait_for_url("**/console/tokens")
    return page


def copy_screenshot(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
