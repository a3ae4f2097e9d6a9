"""Bench check: the register page of a 10,000-holder token renders in under 1 s (paged: the
lots of every holder from the index, personal data decrypted for the page only).

The index is filled directly with a 10,000-investor token (what the service's indexer writes
for it: 10,000 issuances, 10,000 transfers between holders, 10,000 encrypted personal-data
envelopes); the page is asked of a real HTTP server (uvicorn) running the service app with the
console, as the issuer (names decrypted) and as compliance (no names)."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
import requests
import uvicorn
from sqlalchemy import insert

from kabuto.crypto import Decryptor  # noqa: F401  (the page decrypts with it)
from kabuto.keys import KeyFiles, create_key_files
from kabuto.localchain import free_port
from kabuto.personal_data import PersonalData, encrypt_personal_data
from kabuto.service.app import create_app
from kabuto.service.auth import COOKIE, Role, add_token
from kabuto.service.db import (
    Holding,
    Investor,
    PersonalDataRow,
    TokenRow,
    TransferRow,
    Wallet,
    open_database,
)
from kabuto.service.settings import ServiceSettings

HOLDERS = 10_000
LIMIT_S = 1.0
ISSUER = "0x" + "12" * 20
TOKEN = "0x" + "ab" * 20
ZERO = "0x" + "0" * 40
DAY = 1_800_000_000


def _wallet(i: int) -> str:
    return "0x" + f"{i + 1:040x}"


def _fill(url: str, keys: Path) -> None:
    """The index rows of a 10,000-holder bond, written in bulk."""
    database = open_database(url)
    public = create_key_files(KeyFiles.for_issuer(ISSUER, keys)).public_key()
    rng = random.Random(18)
    ids = [f"INV-{i:05d}" for i in range(HOLDERS)]
    transfers = [
        dict(
            token=TOKEN,
            block_number=2 + i // 100,
            log_index=i % 100,
            timestamp=DAY + (i // 100) * 12,
            sender=ZERO,
            recipient=_wallet(i),
            value=10,
        )
        for i in range(HOLDERS)
    ]
    balances = dict.fromkeys(range(HOLDERS), 10)
    for n in range(HOLDERS):  # a day of trading: 10,000 transfers of one unit
        sender, recipient = rng.sample(range(HOLDERS), 2)
        while not balances[sender]:
            sender = rng.randrange(HOLDERS)
        balances[sender] -= 1
        balances[recipient] += 1
        transfers.append(
            dict(
                token=TOKEN,
                block_number=1_000 + n // 50,
                log_index=n % 50,
                timestamp=DAY + 86_400 + (n // 50) * 12,
                sender=_wallet(sender),
                recipient=_wallet(recipient),
                value=1,
            )
        )
    with database.engine.begin() as c:
        c.execute(
            insert(TokenRow),
            [
                dict(
                    address=TOKEN,
                    symbol="BIG",
                    category="Class1",
                    kind="bond",
                    total_supply=HOLDERS * 10,
                    issued_total=HOLDERS * 10,
                    holders=sum(1 for u in balances.values() if u),
                )
            ],
        )
        c.execute(
            insert(Investor),
            [
                dict(
                    investor_id=ids[i],
                    investor_class=0,
                    country=392,
                    kyc_expiry=DAY + 400 * 86_400,
                    status=1,
                    tax_status=0,
                    wallet=_wallet(i),
                    registered_block=1,
                    updated_block=1,
                )
                for i in range(HOLDERS)
            ],
        )
        c.execute(
            insert(Wallet),
            [
                dict(address=_wallet(i), investor_id=ids[i], active=True, since_block=1)
                for i in range(HOLDERS)
            ],
        )
        c.execute(
            insert(PersonalDataRow),
            [
                dict(
                    investor_id=ids[i],
                    issuer=ISSUER,
                    data_hash="0x" + "0" * 64,
                    ciphertext=encrypt_personal_data(
                        PersonalData(name=f"投資家 {i:05d}", address=f"東京都千代田区{i}番"), public
                    ),
                    block_number=1,
                )
                for i in range(HOLDERS)
            ],
        )
        c.execute(insert(TransferRow), transfers)
        c.execute(
            insert(Holding),
            [  # the holdings the indexer keeps
                dict(token=TOKEN, wallet=_wallet(h), units=units, updated_block=1_200)
                for h, units in balances.items()
                if units
            ],
        )
    database.engine.dispose()


@pytest.fixture(scope="module")
def big_register(tmp_path_factory):
    base = tmp_path_factory.mktemp("console-bench")
    url = f"sqlite:///{base}/index.db"
    _fill(url, base / "keys")
    settings = ServiceSettings(
        database_url=url,
        role_tokens_file=base / "tokens.json",
        key_dir=base / "keys",
        issuer=ISSUER,
        state_dir=base,
        follow=False,
        run_jobs=False,
    )
    tokens = {
        r: add_token(settings.role_tokens_file, r, r.value) for r in (Role.ISSUER, Role.COMPLIANCE)
    }
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tokens
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("role", [Role.ISSUER, Role.COMPLIANCE])
def test_register_page_of_10k_holders_renders_under_a_second(big_register, role, suite_summary):
    url, tokens = big_register
    cookies = {COOKIE: tokens[role]}
    requests.get(f"{url}/console/tokens/BIG", cookies=cookies, timeout=30)  # warm-up
    timings = []
    for page in (1, 57, 200):
        started = time.perf_counter()
        response = requests.get(
            f"{url}/console/tokens/BIG?page={page}", cookies=cookies, timeout=30
        )
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
        assert f"{page} ／ 200" in response.text or f"{page} of 200" in response.text
        first = f"INV-{(page - 1) * 50:05d}"
        assert f">{first}<" in response.text
        assert ("投資家 " + first[4:] in response.text) == (role is Role.ISSUER)
    suite_summary(
        f"console: register page of a {HOLDERS:,}-holder token ({role.value}): "
        f"worst {max(timings) * 1000:.0f} ms of {len(timings)} pages"
    )
    assert max(timings) < LIMIT_S, timings
