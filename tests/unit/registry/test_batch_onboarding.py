"""Batch onboarding (`onboardInvestors`, issue 19): the same records and events as one
`onboardInvestor` per investor, all or nothing, and at most 55,000 gas per investor in batches
of 100 with real envelopes (docs/performance.md, targets). The single call keeps its limit in
test_onboarding_gas.py."""

import csv
from pathlib import Path

import ape
import pytest
from eth_utils import keccak, to_checksum_address
from fixtures.platform import JAPAN, YEAR, deploy_registry

from kabuto.crypto import KeyType, generate_private_key, public_key_der
from kabuto.domain import investor_id_to_bytes32
from kabuto.onboarding_batch import OnboardingRow, batch_arguments
from kabuto.onchain_types import InvestorClass, TaxStatus
from kabuto.personal_data import PersonalData, decrypt_personal_data, encrypt_personal_data

BATCH = 100
PER_INVESTOR_LIMIT = 55_000  # docs/performance.md: batch of 100, real envelopes


@pytest.fixture(scope="module")
def issuer_key():
    return generate_private_key(KeyType.X25519)


@pytest.fixture(scope="module")
def registries(accounts, issuer_key):
    admin, registrar, issuer = accounts[0], accounts[1], accounts[2]
    built = []
    for _ in range(2):
        registry = deploy_registry(admin, registrar)
        registry.setIssuerKey(issuer, public_key_der(issuer_key.public_key()), sender=issuer)
        built.append(registry)
    return built


def _examples() -> list[PersonalData]:
    path = Path(__file__).parents[3] / "examples" / "investors.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [PersonalData(name=r["name"], address=r["address"]) for r in csv.DictReader(f)]


EXAMPLES = _examples()


def _person(i: int) -> PersonalData:
    """The example investors' names and addresses in turn (X25519 envelopes of 110-160 bytes)."""
    return EXAMPLES[i % len(EXAMPLES)]


def _rows(chain, issuer_key, wallets, prefix: str, long_ids: bool = True) -> list[OnboardingRow]:
    expiry = chain.pending_timestamp + YEAR
    rows = []
    for i, wallet in enumerate(wallets):
        # every 4th id does not fit the record word (16+ bytes): the long path
        text = f"{prefix}-{i:04d}" + ("-LONG-ID-PATH" if long_ids and i % 4 == 3 else "")
        rows.append(
            OnboardingRow(
                investor_id=investor_id_to_bytes32(text),
                wallet=str(wallet),
                investor_class=InvestorClass(i % 4),
                tax_status=TaxStatus(1 + i % 4),
                country=JAPAN if i % 3 else 840,
                kyc_expiry=expiry + i,
                ciphertext=encrypt_personal_data(_person(i), issuer_key.public_key()),
            )
        )
    return rows


def _wallets(seed: int, n: int) -> list[str]:
    # real-looking addresses (calldata prices zero bytes lower)
    return [to_checksum_address(keccak(text=f"{seed}.{i}")[-20:]) for i in range(n)]


def _state(registry, rows):
    return [
        (
            tuple(registry.investorOf(row.wallet)),
            registry.packedInvestorsOf(row.wallet, row.wallet)[0],
            bytes(registry.investorIdOf(row.wallet)),
            str(registry.walletOf(row.investor_id)).lower(),
            int(registry.taxStatusOf(row.investor_id)),
        )
        for row in rows
    ]


def _onboard_one(registry, row, issuer, registrar):
    return registry.onboardInvestor(
        row.investor_id,
        row.wallet,
        int(row.investor_class),
        int(row.tax_status),
        row.country,
        row.kyc_expiry,
        issuer,
        row.ciphertext,
        sender=registrar,
    )


def _logs(receipt):
    return [(tuple(bytes(t) for t in log["topics"]), bytes(log["data"])) for log in receipt.logs]


def test_batch__records_and_events_as_if_onboarded_singly(chain, registries, accounts, issuer_key):
    single, batched = registries
    registrar, issuer = accounts[1], accounts[2]
    rows = _rows(chain, issuer_key, _wallets(1, 6), "EQ")
    expected_logs = []
    for row in rows:
        receipt = _onboard_one(single, row, issuer, registrar)
        expected_logs += _logs(receipt)
    receipt = batched.onboardInvestors(issuer, *batch_arguments(rows), sender=registrar)

    assert _logs(receipt) == expected_logs
    assert _state(batched, rows) == _state(single, rows)
    assert batched.investorCount() == single.investorCount() == len(rows)
    stored = receipt.events.filter(batched.PersonalDataStored)
    assert [decrypt_personal_data(bytes(e.ciphertext), issuer_key) for e in stored] == [
        _person(i) for i in range(len(rows))
    ]


def test_batch__bad_row_refuses_the_whole_batch(chain, registries, accounts, issuer_key):
    _, batched = registries
    registrar, issuer = accounts[1], accounts[2]
    rows = _rows(chain, issuer_key, _wallets(2, 5), "BAD")
    batched.onboardInvestors(issuer, *batch_arguments(rows[4:]), sender=registrar)
    before, taken = batched.investorCount(), rows.pop().wallet
    rows[2] = OnboardingRow(**{**rows[2].__dict__, "wallet": taken})
    with ape.reverts(batched.RegistryWalletInUse):
        batched.onboardInvestors(issuer, *batch_arguments(rows), sender=registrar)
    ids, profiles, blob = batch_arguments(rows[:2])
    with ape.reverts(batched.RegistryMalformedBatch):  # ciphertext bytes no row claims
        batched.onboardInvestors(issuer, ids, profiles, blob + b"\x01", sender=registrar)
    with ape.reverts(batched.RegistryMalformedBatch):  # tax status outside the enum
        batched.onboardInvestors(
            issuer, ids, [profiles[0] | 9 << 160], blob[: len(rows[0].ciphertext)], sender=registrar
        )
    with ape.reverts(batched.AccessControlUnauthorizedAccount):
        batched.onboardInvestors(issuer, ids, profiles, blob, sender=issuer)
    assert batched.investorCount() == before
    assert bytes(batched.investorIdOf(rows[0].wallet)) == b"\0" * 32


def test_batch_of_100__per_investor_gas(chain, registries, accounts, issuer_key):
    single, batched = registries
    registrar, issuer = accounts[1], accounts[2]
    # short ids, as the investors CSV has (the single call's figure is for one too); a registry
    # with investors already (its counter slot set), as the single call's figure is
    rows = _rows(chain, issuer_key, _wallets(3, BATCH + 1), "GAS", long_ids=False)
    batched.onboardInvestors(issuer, *batch_arguments(rows[-1:]), sender=registrar)
    rows = rows[:-1]
    receipt = batched.onboardInvestors(issuer, *batch_arguments(rows), sender=registrar)
    per_investor = receipt.gas_used / BATCH
    sizes = sorted({len(r.ciphertext) for r in rows})
    for row in _rows(chain, issuer_key, _wallets(5, 2), "ONE", long_ids=False):  # 2nd: counter set
        one = _onboard_one(single, row, issuer, registrar)
    print(
        f"\nGAS onboardInvestors x{BATCH} ({sizes[0]}-{sizes[-1]}-byte X25519 envelopes): "
        f"{receipt.gas_used:,} = {per_investor:,.0f} per investor; onboardInvestor {one.gas_used:,}"
    )
    assert per_investor <= PER_INVESTOR_LIMIT
    # the longest envelope of the examples for every row: what the limit leaves for long addresses
    long_rows = [
        OnboardingRow(**{**r.__dict__, "ciphertext": max((x.ciphertext for x in rows), key=len)})
        for r in _rows(chain, issuer_key, _wallets(6, BATCH), "LNG", long_ids=False)
    ]
    longest = batched.onboardInvestors(issuer, *batch_arguments(long_rows), sender=registrar)
    print(
        f"GAS onboardInvestors x{BATCH}, every envelope {len(long_rows[0].ciphertext)} bytes: {longest.gas_used / BATCH:,.0f} per investor"
    )
