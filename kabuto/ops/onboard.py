"""Onboarding investors from the investors CSV: register each one in the investor registry
with its tax status and publish its personal data encrypted to the issuer's key (HPKE for an
X25519 key, RSA-OAEP for an RSA key): up to 100 investors per `onboardInvestors` transaction
(kabuto.ops.onboard_batch), each exactly as one `onboardInvestor` would.

Validated in full before anything is sent (the file, then the chain: a wallet or an id
registered to someone else). Sent in resumable batches: an investor is done when the chain
shows its wallet registered under its id with the file's tax status and a `PersonalDataStored`
event for the issuer (the registry keeps personal data in its log only).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape import chain
from eth_utils import keccak

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.crypto import public_key_from_der
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, InputError, InputIssue
from kabuto.inputs import InvestorRow, load_investors
from kabuto.lots import ZERO_ADDRESS
from kabuto.ops import onboard_batch
from kabuto.ops.chain import Platform, send
from kabuto.personal_data import encrypt_personal_data

ZERO32 = b"\x00" * 32
PERSONAL_DATA_TOPIC = keccak(text="PersonalDataStored(bytes32,address,bytes32,bytes)")


@dataclass(frozen=True)
class OnboardPlan:
    platform: Platform
    issuer: str
    investors: tuple[InvestorRow, ...]
    public_key_der: bytes


def chain_today() -> Any:
    """Today's date in Japan by the chain's clock (what KYC expiries are compared with)."""
    return jst_date(chain.pending_timestamp)


def plan_onboarding(platform: Platform, investors_csv: Path, issuer: str) -> OnboardPlan:
    """Validates the file and checks it against the chain.

    Raises:
        InputError: every bad row (file checks, and wallets or ids taken on-chain by others).
        ChainStateError: the issuer has no public key in the registry.
    """
    loaded = load_investors(investors_csv, today=chain_today())
    registry = platform.registry
    der = bytes(registry.issuerKeyOf(issuer))
    if not der:
        raise ChainStateError(
            f"the issuer {issuer} has no public key in the registry: run "
            "`ape run deploy` (it creates keys/<issuer>.pem and registers it)"
        )
    issues: list[InputIssue] = []
    owners, wallets, _ = onboard_batch.registry_view(str(registry.address), list(loaded))
    for number, row in loaded.rows:
        investor_id = investor_id_to_bytes32(row.investor_id)
        wallet_owner = owners[row.wallet]
        id_wallet = wallets[investor_id]
        if wallet_owner not in (ZERO32, investor_id):
            owner = wallet_owner.rstrip(b"\0").decode("ascii", "replace")
            issues.append(
                loaded.issue(
                    number,
                    "wallet",
                    f"{row.wallet} is already the wallet of investor {owner!r} on chain",
                )
            )
        elif id_wallet not in (ZERO_ADDRESS, row.wallet):
            issues.append(
                loaded.issue(
                    number,
                    "investor_id",
                    f"{row.investor_id} is already "
                    f"registered with wallet {id_wallet}; use the recover "
                    "command to replace a lost wallet",
                )
            )
    if issues:
        raise InputError(issues)
    return OnboardPlan(platform, issuer, tuple(loaded), der)


def personal_data_published(
    registry: Any, issuer: str, investor_ids: Collection[bytes]
) -> set[bytes]:
    """Which of `investor_ids` have a `PersonalDataStored` event for `issuer` (one log query)."""
    if not investor_ids:
        return set()
    logs = chain.provider.web3.eth.get_logs(
        {
            "address": str(registry.address),
            "fromBlock": 0,
            "toBlock": "latest",
            "topics": [
                "0x" + PERSONAL_DATA_TOPIC.hex(),
                ["0x" + investor_id.hex() for investor_id in investor_ids],
                "0x" + bytes.fromhex(issuer[2:].lower()).rjust(32, b"\0").hex(),
            ],
        }
    )
    return {bytes(log["topics"][1]) for log in logs}


def _registered_as_filed(registry: Any, row: InvestorRow) -> bool:
    investor_id = investor_id_to_bytes32(row.investor_id)
    return bytes(registry.investorIdOf(row.wallet)) == investor_id and int(
        registry.taxStatusOf(investor_id)
    ) == int(row.tax_status)


def onboarded(registry: Any, issuer: str, rows: Sequence[InvestorRow]) -> set[str]:
    """Ids of the rows the chain shows as onboarded (registered with the file's tax status +
    personal data published)."""
    registered = {
        investor_id_to_bytes32(row.investor_id): row.investor_id
        for row in rows
        if _registered_as_filed(registry, row)
    }
    return {registered[i] for i in personal_data_published(registry, issuer, registered)}


def run_onboarding(
    plan: OnboardPlan,
    registrar: Any,
    batch_size: int = onboard_batch.BATCH_SIZE,
    progress: bool = True,
) -> BatchReport:
    registry = plan.platform.registry
    public_key = public_key_from_der(plan.public_key_der)
    by_id = {row.investor_id: row for row in plan.investors}

    def done_keys(keys: Sequence[str]) -> Collection[str]:
        rows = [by_id[k] for k in keys]
        return onboard_batch.onboarded(str(registry.address), plan.issuer, rows)

    def send_chunk(rows: list[InvestorRow]) -> None:
        # Only rows not done are sent: the new ones in one onboardInvestors transaction; one
        # registered without data (stopped between the two calls of the older flow) gets its
        # data alone, and its tax status if it differs.
        owners, _, _ = onboard_batch.registry_view(str(registry.address), rows)
        new = [row for row in rows if owners[row.wallet] == ZERO32]
        if new:
            onboard_batch.send_new(registry, plan.issuer, new, public_key, registrar)
        for row in rows:
            investor_id = investor_id_to_bytes32(row.investor_id)
            if owners[row.wallet] != ZERO32:
                ciphertext = encrypt_personal_data(row.personal_data, public_key)
                if int(registry.taxStatusOf(investor_id)) != int(row.tax_status):
                    send(registry.setTaxStatus, investor_id, int(row.tax_status), sender=registrar)
                if investor_id not in personal_data_published(registry, plan.issuer, [investor_id]):
                    send(
                        registry.setPersonalData,
                        investor_id,
                        plan.issuer,
                        ciphertext,
                        sender=registrar,
                    )

    job: BatchJob[InvestorRow, str] = BatchJob(
        items=plan.investors,
        key=lambda row: row.investor_id,
        done_keys=done_keys,
        send=send_chunk,
        batch_size=batch_size,
        description="onboarding",
        unit="investor",
    )
    return run_batches(job, progress=progress)
