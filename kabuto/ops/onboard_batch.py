"""Onboarding at scale (issue 19): what `ape run onboard` sends and reads per batch.

New investors go to the registry 100 to a transaction (`onboardInvestors`, ~55,000 gas each
instead of ~89,000 one by one). The chain is read in JSON-RPC batches (kabuto.chainread), not
one Ape call per row: the plan's checks and the resumable runner's "what is done" for a
100,000-row file are a few hundred requests instead of several hundred thousand calls.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ape import chain

from kabuto.chainread import ChainReader, address_calldata, calldata, checksum_address
from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import ChainStateError
from kabuto.inputs import InvestorRow
from kabuto.onboarding_batch import OnboardingRow, batch_arguments
from kabuto.ops.chain import send
from kabuto.personal_data import encrypt_personal_data

BATCH_SIZE = 100  # investors per onboardInvestors transaction
PERSONAL_DATA_TOPIC_HEX = "0xcd2b06da20aa93ffd8cbfb6fb95962fdbc28e0214b4ca4cd2c05a116fca87762"
ZERO32 = b"\x00" * 32


def reader() -> ChainReader:
    uri = getattr(chain.provider, "http_uri", None)
    if not uri:
        raise ChainStateError(
            f"onboarding reads the chain over HTTP JSON-RPC; the provider {chain.provider.name} "
            "has no HTTP URI: connect to the node by its http:// address"
        )
    return ChainReader(str(uri))


def registry_view(
    registry: str, rows: Sequence[InvestorRow]
) -> tuple[dict[str, bytes], dict[bytes, str], dict[bytes, int]]:
    """Per row, at the head: the investor id its wallet is registered under (zero if none),
    the wallet its id is registered with (the zero address if none) and the id's tax status."""
    ids = [investor_id_to_bytes32(row.investor_id) for row in rows]
    answers = reader().eth_call(
        [(registry, address_calldata("investorIdOf(address)", row.wallet)) for row in rows]
        + [(registry, calldata("walletOf(bytes32)", ["bytes32"], [i])) for i in ids]
        + [(registry, calldata("taxStatusOf(bytes32)", ["bytes32"], [i])) for i in ids],
        chain.blocks.height,
    )
    n = len(rows)
    owner = {row.wallet: answers[k][:32] for k, row in enumerate(rows)}
    wallet = {i: checksum_address(answers[n + k][12:32].hex()) for k, i in enumerate(ids)}
    tax = {i: int.from_bytes(answers[2 * n + k][:32], "big") for k, i in enumerate(ids)}
    return owner, wallet, tax


def published_for(registry: str, issuer: str, investor_ids: Collection[bytes]) -> set[bytes]:
    """Which of `investor_ids` have a PersonalDataStored event for `issuer`: by id topics for a
    chunk, by the issuer's topic alone (one pass over its events) for many ids."""
    if not investor_ids:
        return set()
    issuer_topic = "0x" + "0" * 24 + issuer[2:].lower()
    topics: list[Any] = [PERSONAL_DATA_TOPIC_HEX]
    if len(investor_ids) <= BATCH_SIZE:
        topics.append(["0x" + i.hex() for i in investor_ids])
    else:
        topics.append(None)
    topics.append(issuer_topic)
    logs = reader().call(
        "eth_getLogs",
        {"address": registry, "fromBlock": "0x0", "toBlock": "latest", "topics": topics},
    )
    found = {bytes.fromhex(log["topics"][1][2:]) for log in logs}
    return found & set(investor_ids)


def onboarded(registry: str, issuer: str, rows: Sequence[InvestorRow]) -> set[str]:
    """Ids of the rows the chain shows as onboarded: registered with the file's tax status
    and personal data published for `issuer`."""
    if not rows:
        return set()
    owner, _, tax = registry_view(registry, rows)
    registered = {
        investor_id_to_bytes32(row.investor_id): row.investor_id
        for row in rows
        if owner[row.wallet] == investor_id_to_bytes32(row.investor_id)
        and tax[investor_id_to_bytes32(row.investor_id)] == int(row.tax_status)
    }
    return {registered[i] for i in published_for(registry, issuer, registered)}


def send_new(
    registry: Any, issuer: str, rows: Sequence[InvestorRow], public_key: Any, registrar: Any
) -> None:
    """One `onboardInvestors` transaction for `rows` (none registered yet), each envelope
    encrypted to the issuer's key."""
    batch = [
        OnboardingRow(
            investor_id=investor_id_to_bytes32(row.investor_id),
            wallet=row.wallet,
            investor_class=row.investor_class,
            tax_status=row.tax_status,
            country=row.country,
            kyc_expiry=end_of_jst_day(row.kyc_expiry),
            ciphertext=encrypt_personal_data(row.personal_data, public_key),
        )
        for row in rows
    ]
    send(registry.onboardInvestors, issuer, *batch_arguments(batch), sender=registrar)
