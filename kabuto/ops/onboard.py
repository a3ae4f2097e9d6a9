"""Onboarding investors from the investors CSV: register each one in the investor registry
with its tax status and publish its personal data encrypted to the issuer's key (HPKE for an
X25519 key, RSA-OAEP for an RSA key): up to 100 investors per `onboardInvestors` transaction
(kabuto.ops.onboard_batch), each exactly as one `onboardInvestor` would.

Validated in full before anything is sent (the file, then the chain: a wallet or an id
registered to someone else). Sent in resumable batches: an investor is done when the chain
shows its wallet registered under its id with the file's tax status and a `PersonalDataStored`
event for the issuer (the registry keeps personal data in its log only).

An investor already on chain whose file row differs (class, country, KYC expiry, tax status,
personal data when the issuer's key file is at hand) is a change, never ignored: the plan
lists every difference and refuses unless `apply_changes`, then each goes out as the
registry's update call (`updateInvestor`, `setTaxStatus`, `setPersonalData`), resumable like
the rest (a change is done when the chain no longer differs). A different wallet is refused
(a lost wallet is recovered with `ape run operate recover`, which also moves its holdings).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape import chain
from eth_abi import decode
from eth_utils import keccak

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.chainread import address_calldata
from kabuto.coupons import end_of_jst_day
from kabuto.crypto import public_key_from_der
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, InputError, InputIssue, KabutoError
from kabuto.inputs import InvestorRow, load_investors
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import ZERO_ADDRESS
from kabuto.onchain_types import InvestorClass, InvestorStatus, TaxStatus
from kabuto.ops import onboard_batch
from kabuto.ops.chain import INVESTOR_RECORD_TYPES, InvestorRecord, Platform, investor_record, send
from kabuto.personal_data import decrypt_personal_data, encrypt_personal_data

ZERO32 = b"\x00" * 32
PERSONAL_DATA_TOPIC = keccak(text="PersonalDataStored(bytes32,address,bytes32,bytes)")
IDS_PER_LOG_QUERY = 5_000  # investor ids named in one eth_getLogs query (~335 KB of topics)


@dataclass(frozen=True)
class InvestorChange:
    """How the chain's record of an investor differs from its row of the file."""

    row: int
    investor_id: str
    differences: tuple[str, ...]

    def describe(self) -> str:
        return f"row {self.row}, {self.investor_id}: " + "; ".join(self.differences)


@dataclass(frozen=True)
class OnboardPlan:
    platform: Platform
    issuer: str
    investors: tuple[InvestorRow, ...]
    public_key_der: bytes
    changes: tuple[InvestorChange, ...] = ()
    notes: tuple[str, ...] = ()
    private_key: Any = None  # the issuer's, when its key file was readable


def private_key_of(issuer: str, key_dir: Path | None) -> Any:
    """The issuer's private key from its key file, or None when not at hand or unreadable."""
    if key_dir is None:
        return None
    path = KeyFiles.for_issuer(issuer, key_dir).private
    if not path.exists():
        return None
    try:
        return load_private_key(path)
    except KabutoError:
        return None


def latest_personal_data(registry: Any, issuer: str, investor_ids: Collection[bytes]) -> dict:
    """investor id -> the ciphertext of its latest `PersonalDataStored` event for `issuer`."""
    if not investor_ids:
        return {}
    logs = _personal_data_logs(registry, issuer, investor_ids)
    found = {}
    for log in logs:  # in chain order: the last one wins
        _, ciphertext = decode(["bytes32", "bytes"], bytes(log["data"]))
        found[bytes(log["topics"][1])] = bytes(ciphertext)
    return found


def differences(
    registry: Any, row: InvestorRow, stored: bytes | None, private_key: Any
) -> tuple[str, ...]:
    """What the chain shows differently from the row, in words ("class General -> Specified",
    chain value first); empty when the chain matches (or the investor is not registered)."""
    investor_id = investor_id_to_bytes32(row.investor_id)
    if bytes(registry.investorIdOf(row.wallet)) != investor_id:
        return ()
    tax = int(registry.taxStatusOf(investor_id))
    return _differences(row, investor_record(registry, row.wallet), tax, stored, private_key)


def _differences(
    row: InvestorRow, record: InvestorRecord, tax_code: int, stored: bytes | None, private_key: Any
) -> tuple[str, ...]:
    """differences() for a registered investor, from its record and tax status already read."""
    found = []
    if record.investor_class != int(row.investor_class):
        found.append(
            f"class {InvestorClass(record.investor_class).label} -> {row.investor_class.label}"
        )
    if record.country != row.country:
        found.append(f"country {record.country} -> {row.country}")
    if jst_date(record.kyc_expiry) != row.kyc_expiry:
        found.append(f"KYC expiry {jst_date(record.kyc_expiry)} -> {row.kyc_expiry}")
    tax = TaxStatus(tax_code)
    if tax != TaxStatus.UNDECLARED and tax != row.tax_status:
        found.append(f"tax status {tax.label} -> {row.tax_status.label}")
    if stored is not None and private_key is not None:
        try:
            current = decrypt_personal_data(stored, private_key)
        except KabutoError:
            current = None
        if current is not None and current != row.personal_data:
            found.append("personal data (name or address) differs")
    return tuple(found)


def _status_note(record: InvestorRecord, row: InvestorRow) -> str | None:
    if record.status == InvestorStatus.ACTIVE:
        return None
    return (
        f"{row.investor_id} is {InvestorStatus(record.status).name.lower()} on chain; onboarding "
        "does not change a status (compliance's decision): see `ape run investor --help`"
    )


def _records(registry: str, wallets: Sequence[str]) -> dict[str, InvestorRecord]:
    """Each wallet's registry record, read in batches (one Ape call per investor took minutes
    for a file of 100,000)."""
    answers = onboard_batch.reader().eth_call(
        [(registry, address_calldata("investorOf(address)", wallet)) for wallet in wallets],
        chain.blocks.height,
    )
    return {
        wallet: InvestorRecord(*decode(list(INVESTOR_RECORD_TYPES), answer))
        for wallet, answer in zip(wallets, answers, strict=True)
    }


def chain_today() -> Any:
    """Today's date in Japan by the chain's clock (what KYC expiries are compared with)."""
    return jst_date(chain.pending_timestamp)


def plan_onboarding(
    platform: Platform,
    investors_csv: Path,
    issuer: str,
    apply_changes: bool = False,
    key_dir: Path | None = None,
) -> OnboardPlan:
    """Validates the file and checks it against the chain.

    Raises:
        InputError: every bad row (file checks, and wallets or ids taken on-chain by others).
        ChainStateError: the issuer has no public key in the registry; or investors on chain
            differ from the file and `apply_changes` is not given (every difference listed).
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
    owners, wallets, taxes = onboard_batch.registry_view(str(registry.address), list(loaded))
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
    private_key = private_key_of(issuer, key_dir)
    stored = latest_personal_data(
        registry, issuer, [investor_id_to_bytes32(row.investor_id) for _, row in loaded.rows]
    )
    changes = []
    notes = []
    registered = [
        (number, row)
        for number, row in loaded.rows
        if owners[row.wallet] == investor_id_to_bytes32(row.investor_id)
    ]
    records = _records(str(registry.address), [row.wallet for _, row in registered])
    for number, row in registered:
        investor_id = investor_id_to_bytes32(row.investor_id)
        record = records[row.wallet]
        found = _differences(row, record, taxes[investor_id], stored.get(investor_id), private_key)
        if found:
            changes.append(InvestorChange(number, row.investor_id, found))
        note = _status_note(record, row)
        if note:
            notes.append(note)
    if private_key is None and stored:
        notes.append(
            "personal data was not compared: the issuer's key file is not at hand (--keys)"
        )
    if changes and not apply_changes:
        listed = "\n".join(f"  - {change.describe()}" for change in changes)
        raise ChainStateError(
            f"{len(changes)} investor(s) of {investors_csv} are on chain with other values "
            f"(chain -> file):\n{listed}\nNothing was sent. If the file is right, run "
            "again with --apply-changes to update the registry; otherwise fix the file"
        )
    return OnboardPlan(
        platform, issuer, tuple(loaded), der, tuple(changes), tuple(notes), private_key
    )


def _personal_data_logs(registry: Any, issuer: str, investor_ids: Collection[bytes]) -> list:
    """The registry's `PersonalDataStored` logs of `investor_ids` for `issuer`, in chain order
    for each investor: one query per IDS_PER_LOG_QUERY ids (a query naming 100,000 ids is a
    6.7 MB request, which nodes refuse: anvil answers "Invalid request" over 2 MiB)."""
    ids = ["0x" + investor_id.hex() for investor_id in investor_ids]
    issuer_topic = "0x" + bytes.fromhex(issuer[2:].lower()).rjust(32, b"\0").hex()
    logs: list = []
    for start in range(0, len(ids), IDS_PER_LOG_QUERY):
        logs += chain.provider.web3.eth.get_logs(
            {
                "address": str(registry.address),
                "fromBlock": 0,
                "toBlock": "latest",
                "topics": [
                    "0x" + PERSONAL_DATA_TOPIC.hex(),
                    ids[start : start + IDS_PER_LOG_QUERY],
                    issuer_topic,
                ],
            }
        )
    return logs


def personal_data_published(
    registry: Any, issuer: str, investor_ids: Collection[bytes]
) -> set[bytes]:
    """Which of `investor_ids` have a `PersonalDataStored` event for `issuer` (one log query)."""
    if not investor_ids:
        return set()
    return {bytes(log["topics"][1]) for log in _personal_data_logs(registry, issuer, investor_ids)}


def run_onboarding(
    plan: OnboardPlan,
    registrar: Any,
    batch_size: int = onboard_batch.BATCH_SIZE,
    progress: bool = True,
) -> BatchReport:
    registry = plan.platform.registry
    public_key = public_key_from_der(plan.public_key_der)
    by_id = {row.investor_id: row for row in plan.investors}

    changed = {change.investor_id for change in plan.changes}

    def pending_changes(row: InvestorRow) -> tuple[str, ...]:
        investor_id = investor_id_to_bytes32(row.investor_id)
        stored = latest_personal_data(registry, plan.issuer, [investor_id]).get(investor_id)
        return differences(registry, row, stored, plan.private_key)

    def done_keys(keys: Sequence[str]) -> Collection[str]:
        done = onboard_batch.onboarded(str(registry.address), plan.issuer, [by_id[k] for k in keys])
        return {k for k in done if k not in changed or not pending_changes(by_id[k])}

    def apply_change(row: InvestorRow, investor_id: bytes, ciphertext: bytes) -> None:
        record = investor_record(registry, row.wallet)
        if (record.investor_class, record.country, jst_date(record.kyc_expiry)) != (
            int(row.investor_class),
            row.country,
            row.kyc_expiry,
        ):
            send(
                registry.updateInvestor,
                investor_id,
                int(row.investor_class),
                row.country,
                end_of_jst_day(row.kyc_expiry),
                sender=registrar,
            )
        if any(d.startswith("personal data") for d in pending_changes(row)):
            send(registry.setPersonalData, investor_id, plan.issuer, ciphertext, sender=registrar)

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
                if row.investor_id in changed:
                    apply_change(row, investor_id, ciphertext)
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


def preview_onboarding(plan: OnboardPlan) -> str:
    """What `run_onboarding` would send for `plan`; sends nothing."""
    registry = str(plan.platform.registry.address)
    done = onboard_batch.onboarded(registry, plan.issuer, list(plan.investors))
    new = [row.investor_id for row in plan.investors if row.investor_id not in done]
    changes = len(plan.changes)
    if not new and not changes:
        return f"all {len(plan.investors)} investors already on chain; nothing to send"
    return f"would onboard {len(new)} investors and update {changes}; dry run, nothing sent"
