"""Exporting the holder register of a token at a block or a record date: the bond register
(社債原簿, Companies Act art. 681) or the trust beneficiary register, as CSV (UTF-8 with BOM)
and JSON. Lots come from the token's Transfer events; names and addresses from the registry's
PersonalDataStored events, decrypted with the issuer's private key file; the register is
reconciled with the on-chain balances at the same point (at a record date: the token's own
record-date snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ape import chain

from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_from_bytes32, jst_date
from kabuto.errors import ChainStateError, DecryptionError
from kabuto.keys import DEFAULT_KEY_DIR, KeyFiles, load_private_key
from kabuto.lots import TransferEvent, build_lots
from kabuto.ops.chain import Platform
from kabuto.onchain_types import Category, Kind
from kabuto.personal_data import PersonalData, decrypt_personal_data
from kabuto.register import (BeneficiaryTermsView, BondTermsView, HolderRegister, holder_entries,
                             reconcile, write_register)

ZERO32 = b"\x00" * 32


@dataclass(frozen=True)
class ExportReport:
    csv_path: Path
    json_path: Path
    register: HolderRegister

    @property
    def reconciled(self) -> bool:
        return self.register.reconciliation.ok


def block_at(timestamp: int) -> int:
    """The last block mined at or before `timestamp`."""
    low, high = 0, chain.blocks.height
    if chain.blocks[high].timestamp <= timestamp:
        return high
    while low < high:
        mid = (low + high + 1) // 2
        if chain.blocks[mid].timestamp <= timestamp:
            low = mid
        else:
            high = mid - 1
    return low


def _transfer_events(token: Any, until_block: int) -> list[TransferEvent]:
    stamps: dict[int, int] = {}
    events = []
    for log in token.Transfer.range(0, until_block + 1):
        number = int(log.block_number)
        if number not in stamps:
            stamps[number] = int(chain.blocks[number].timestamp)
        events.append(TransferEvent(number, stamps[number], str(getattr(log, "from")),
                                    str(log.to), int(log.value)))
    return events


def _personal_data(registry: Any, issuer: str, key_file: Path, until_block: int,
                   notes: list[str]) -> dict[str, PersonalData]:
    private_key = load_private_key(key_file)
    latest: dict[str, bytes] = {}
    for log in registry.PersonalDataStored.range(0, until_block + 1):
        if str(log.issuer) == issuer:
            latest[investor_id_from_bytes32(bytes(log.investorId))] = bytes(log.ciphertext)
    found = {}
    for investor_id, ciphertext in latest.items():
        try:
            found[investor_id] = decrypt_personal_data(ciphertext, private_key)
        except DecryptionError as exc:
            notes.append(f"{investor_id}: personal data not decryptable with {key_file}: {exc}")
    return found


def _terms(token: Any, kind: Kind) -> BondTermsView | BeneficiaryTermsView:
    if kind is Kind.BOND:
        t = token.bondTerms()
        return BondTermsView(int(t.faceValue), int(t.couponRate), int(t.couponsPerYear),
                             jst_date(int(t.issueDate)), jst_date(int(t.maturityDate)),
                             int(t.redemptionValue),
                             tuple(jst_date(int(d)) for d in t.interestPaymentDates))
    t = token.beneficiaryTerms()
    return BeneficiaryTermsView(int(t.issuePrice),
                                tuple(jst_date(int(d)) for d in t.distributionPaymentDates))


def export_register(platform: Platform, symbol: str, issuer: str, out_dir: Path,
                    key_dir: Path = DEFAULT_KEY_DIR, block: int | None = None,
                    record_date: date | None = None) -> ExportReport:
    """Builds, reconciles and writes the register of `symbol` at `block` (default: the
    latest) or at the end of `record_date` (JST)."""
    token = platform.token(symbol)
    registry = platform.registry
    entry = platform.token_entry(symbol)
    record_index = None
    if record_date is not None:
        cutoff = end_of_jst_day(record_date)
        if chain.blocks.head.timestamp <= cutoff:
            raise ChainStateError(f"{record_date} has not ended yet on this chain; export at a "
                                  "block instead")
        block = block_at(cutoff)
        scheduled = [int(token.recordDate(i)) for i in range(int(token.recordDateCount()))]
        record_index = scheduled.index(cutoff) if cutoff in scheduled else None
    block = chain.blocks.height if block is None else block
    notes: list[str] = []
    replaced = {(str(log.oldWallet), str(log.newWallet))
                for log in registry.WalletReplaced.range(0, block + 1)}
    lots = build_lots(_transfer_events(token, block),
                      same_investor=lambda a, b: (a, b) in replaced or (b, a) in replaced)
    investor_ids = {}
    for wallet in lots:
        raw = bytes(registry.investorIdOf(wallet))
        investor_ids[wallet] = investor_id_from_bytes32(raw) if raw != ZERO32 else ""
    people = _personal_data(registry, issuer, KeyFiles.for_issuer(issuer, key_dir).private,
                            block, notes)
    entries = holder_entries(lots, investor_ids, people)
    if record_index is not None:
        supply = int(token.totalSupplyAtRecordDate(record_index))
        balances = {w: int(token.balanceOfAtRecordDate(w, record_index)) for w in lots}
        notes.append(f"reconciled with the token's record-date snapshot #{record_index}")
    else:
        supply = int(token.totalSupply(block_id=block))
        balances = {w: int(token.balanceOf(w, block_id=block)) for w in lots}
    kind = Kind.BOND if entry.kind == "bond" else Kind.BENEFICIARY
    register = HolderRegister(
        symbol=symbol, name=str(token.name()), token_address=str(token.address),
        chain_id=platform.chain_id, category=Category.from_label(entry.category), kind=kind,
        block_number=block, block_timestamp=int(chain.blocks[block].timestamp),
        record_date=record_date, terms=_terms(token, kind), entries=entries,
        reconciliation=reconcile(entries, supply, balances), notes=tuple(notes))
    csv_path, json_path = write_register(register, out_dir)
    return ExportReport(csv_path, json_path, register)
