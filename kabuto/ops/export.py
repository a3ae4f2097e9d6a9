"""Exporting the holder register of a token at a block or a record date: the bond register
(社債原簿, Companies Act art. 681) or the trust beneficiary register, as CSV (UTF-8 with BOM)
and JSON. Lots come from the token's Transfer events; names and addresses from the registry's
PersonalDataStored events, decrypted with the issuer's private key file; the register is
reconciled with the on-chain balances at the same point (at a record date: the token's own
record-date snapshot).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ape import chain, project
from eth_abi import decode
from eth_utils import keccak

from kabuto.bulk import paused_gc
from kabuto.chainread import ChainReader, address_calldata, calldata, checksum_address
from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_from_bytes32, investor_id_to_bytes32, jst_date
from kabuto.errors import ChainReadError, ChainStateError, DecryptionError
from kabuto.holdings import read_holdings_batched
from kabuto.keys import DEFAULT_KEY_DIR, KeyFiles, load_private_key
from kabuto.lots import TransferEvent, build_lots
from kabuto.onchain_types import Category, Kind, TaxStatus
from kabuto.ops.chain import Platform
from kabuto.personal_data import PersonalData, decrypt_many
from kabuto.register import (
    BeneficiaryTermsView,
    BondTermsView,
    HolderRegister,
    holder_entries,
    reconcile,
    write_register,
)

ZERO32 = b"\x00" * 32
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
PERSONAL_DATA_TOPIC = keccak(text="PersonalDataStored(bytes32,address,bytes32,bytes)")
WALLET_REPLACED_TOPIC = keccak(text="WalletReplaced(bytes32,address,address,address)")


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


def read_transfer_events(
    reader: ChainReader, token: str, first: int, block: int
) -> list[TransferEvent]:
    """The token's Transfer events from block `first` to `block`, in chain order, with their
    block times (read once per block), addresses checksummed."""
    logs = reader.logs_sized(token, TRANSFER_TOPIC, first, block)
    numbers = sorted({log.blockNumber for log in logs}, key=lambda n: int(n, 16))
    stamps = {
        n: int(b["timestamp"], 16)
        for n, b in zip(
            numbers,
            reader.batch([("eth_getBlockByNumber", [n, False]) for n in numbers]),
            strict=True,
        )
    }
    blocks = {n: int(n, 16) for n in numbers}
    address = {
        topic: checksum_address(topic[-40:])
        for topic in {log.topics[1] for log in logs} | {log.topics[2] for log in logs}
    }
    return [
        TransferEvent(
            blocks[log.blockNumber],
            stamps[log.blockNumber],
            address[log.topics[1]],
            address[log.topics[2]],
            int(log.data, 16),
        )
        for log in logs
    ]


def read_ciphertexts(
    reader: ChainReader,
    registry: str,
    issuer: str,
    first: int,
    block: int,
) -> dict[str, bytes]:
    """The latest personal-data ciphertext per investor id published for `issuer` (the
    registry's PersonalDataStored events up to `block`)."""
    issuer_topic = "0x" + "0" * 24 + issuer[2:].lower()
    latest: dict[str, bytes] = {}
    for log in reader.logs_sized(registry, PERSONAL_DATA_TOPIC, first, block):
        if log.topics[2].lower() == issuer_topic:
            latest[investor_id_from_bytes32(bytes.fromhex(log.topics[1][2:]))] = event_ciphertext(
                log.data
            )
    return latest


def event_ciphertext(data: str) -> bytes:
    """The ``bytes ciphertext`` of PersonalDataStored's data ``(bytes32 dataHash, bytes
    ciphertext)``: word 2 is its offset (always 64: one head word before it), word 3 its
    length, then the bytes. Read by hand: eth_abi's general decoder costs ~0.1 ms a log."""
    raw = bytes.fromhex(data[2:])
    offset = int.from_bytes(raw[32:64], "big")
    length = int.from_bytes(raw[offset : offset + 32], "big") if offset == 64 else -1
    if length < 0 or len(raw) < 96 + length:
        return bytes(decode(["bytes32", "bytes"], raw)[1])  # not the usual layout: the full decoder
    return raw[96 : 96 + length]


def read_replaced_wallets(reader: ChainReader, registry: str, block: int) -> set[tuple[str, str]]:
    """(old, new) wallet of every replacement up to `block` (the registry's WalletReplaced:
    investorId, oldWallet and newWallet are its indexed topics)."""
    return {
        (checksum_address(log.topics[2][-40:]), checksum_address(log.topics[3][-40:]))
        for log in reader.logs_sized(registry, WALLET_REPLACED_TOPIC, 0, block)
    }


def _decrypt_part(args: tuple[str, list[bytes]]) -> list[PersonalData | DecryptionError]:
    key_file, ciphertexts = args
    return decrypt_many(ciphertexts, load_private_key(Path(key_file)))


def decryption_workers() -> int:
    """Worker processes for decryption: all cores but one, which stays with the chain reads
    (the export's critical path: this process and the node) while the workers decrypt."""
    return max(1, (os.cpu_count() or 1) - 1)


def start_decryption(
    pool: Executor, key_file: Path, ciphertexts: list[bytes]
) -> list[Future[list[PersonalData | DecryptionError]]]:
    """Decryption in the background (X25519 HPKE ~0.2 ms an envelope, RSA-2048 ~2 ms): one
    part per worker; the results, in order, are the parts' results joined."""
    workers = decryption_workers()
    size = -(-len(ciphertexts) // workers) or 1
    return [
        pool.submit(_decrypt_part, (str(key_file), ciphertexts[i : i + size]))
        for i in range(0, len(ciphertexts), size)
    ]


def decryption_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=decryption_workers())


def read_holdings(
    reader: ChainReader,
    registry: str,
    token: str,
    wallets: list[str],
    block: int,
    record_index: int | None = None,
) -> tuple[dict[str, str], dict[str, int], int]:
    """Each wallet's investor id ("" if none) and balance, and the total supply, at `block`
    (balances and supply: at the record date `record_index` of the token's snapshot if given)."""
    supply_call = (token, _supply_calldata(record_index))
    if record_index is None:
        balance_calls = [(token, address_calldata("balanceOf(address)", w)) for w in wallets]
    else:
        balance_calls = [
            (
                token,
                calldata(
                    "balanceOfAtRecordDate(address,uint256)",
                    ["address", "uint256"],
                    [w, record_index],
                ),
            )
            for w in wallets
        ]
    answers = reader.eth_call(
        [(registry, address_calldata("investorIdOf(address)", w)) for w in wallets]
        + balance_calls
        + [supply_call],
        block,
    )
    ids = {
        w: investor_id_from_bytes32(r[:32]) if r[:32] != ZERO32 else ""
        for w, r in zip(wallets, answers[: len(wallets)], strict=True)
    }
    balances = {
        w: int.from_bytes(r, "big")
        for w, r in zip(wallets, answers[len(wallets) : 2 * len(wallets)], strict=True)
    }
    return ids, balances, int.from_bytes(answers[-1], "big")


def read_tax_statuses(
    reader: ChainReader, registry: str, investor_ids: list[str], block: int
) -> dict[str, TaxStatus]:
    """Each investor's tax status in the registry at `block` (one batch of calls)."""
    ids = sorted({i for i in investor_ids if i})
    if not ids:
        return {}
    answers = reader.eth_call(
        [
            (registry, calldata("taxStatusOf(bytes32)", ["bytes32"], [investor_id_to_bytes32(i)]))
            for i in ids
        ],
        block,
    )
    return {i: TaxStatus(int.from_bytes(r, "big")) for i, r in zip(ids, answers, strict=True)}


def read_holdings_and_statuses(
    reader: ChainReader,
    registry: str,
    token: str,
    wallets: list[str],
    block: int,
    record_index: int | None = None,
) -> tuple[dict[str, str], dict[str, int], int, dict[str, TaxStatus]]:
    """read_holdings and read_tax_statuses in one pass: by HoldingsReader calls of 250 wallets
    (kabuto.holdings), or, on a node that does not run creation code in eth_call, by single
    calls."""
    try:
        holdings = read_holdings_batched(
            reader, _holdings_reader_code(), registry, token, wallets, block, record_index
        )
    except ChainReadError:
        ids, balances, supply = read_holdings(reader, registry, token, wallets, block, record_index)
        return ids, balances, supply, read_tax_statuses(reader, registry, list(ids.values()), block)
    supply_calldata = _supply_calldata(record_index)
    supply = int.from_bytes(reader.eth_call([(token, supply_calldata)], block)[0], "big")
    ids = {w: h.investor_id for w, h in holdings.items()}
    balances = {w: h.units for w, h in holdings.items()}
    statuses = {h.investor_id: TaxStatus(h.tax_status) for h in holdings.values() if h.investor_id}
    return ids, balances, supply, statuses


def _supply_calldata(record_index: int | None) -> str:
    """The token's total supply now, or at its record-date snapshot `record_index`."""
    if record_index is None:
        return calldata("totalSupply()", [], [])
    return calldata("totalSupplyAtRecordDate(uint256)", ["uint256"], [record_index])


def _holdings_reader_code() -> str:
    return str(project.HoldingsReader.contract_type.deployment_bytecode.bytecode)


def collect_personal_data(
    ciphertexts: dict[str, bytes],
    decrypting: list[Future[list[PersonalData | DecryptionError]]],
    key_file: Path,
    notes: list[str],
) -> dict[str, PersonalData]:
    """The decrypted personal data per investor id; each envelope that cannot be read gets a
    note saying why (the register marks that holder's name as not registered)."""
    found: dict[str, PersonalData] = {}
    results = [r for part in decrypting for r in part.result()]
    for investor_id, result in zip(ciphertexts, results, strict=True):
        if isinstance(result, DecryptionError):
            notes.append(f"{investor_id}: personal data not decryptable with {key_file}: {result}")
        else:
            found[investor_id] = result
    return found


def _reader() -> ChainReader:
    uri = getattr(chain.provider, "http_uri", None)
    if not uri:
        raise ChainStateError(
            f"the register export reads the chain over HTTP JSON-RPC; the "
            f"provider {chain.provider.name} has no HTTP URI: connect to the "
            "node by its http:// address"
        )
    return ChainReader(str(uri))


def _terms(token: Any, kind: Kind) -> BondTermsView | BeneficiaryTermsView:
    if kind is Kind.BOND:
        t = token.bondTerms()
        return BondTermsView(
            int(t.faceValue),
            int(t.couponRate),
            int(t.couponsPerYear),
            jst_date(int(t.issueDate)),
            jst_date(int(t.maturityDate)),
            int(t.redemptionValue),
            tuple(jst_date(int(d)) for d in t.interestPaymentDates),
        )
    t = token.beneficiaryTerms()
    return BeneficiaryTermsView(
        int(t.issuePrice), tuple(jst_date(int(d)) for d in t.distributionPaymentDates)
    )


@paused_gc()  # over a million small objects for a large register (kabuto.bulk)
def export_register(
    platform: Platform,
    symbol: str,
    issuer: str,
    out_dir: Path,
    key_dir: Path = DEFAULT_KEY_DIR,
    block: int | None = None,
    record_date: date | None = None,
    phases: dict[str, float] | None = None,
) -> ExportReport:
    """Builds, reconciles and writes the register of `symbol` at `block` (default: the
    latest) or at the end of `record_date` (JST). `phases`, if given, receives the seconds
    each phase took (the benchmark reports them)."""
    timer = _PhaseTimer(phases if phases is not None else {})
    token = platform.token(symbol)
    registry = platform.registry
    entry = platform.token_entry(symbol)
    record_index = None
    if record_date is not None:
        cutoff = end_of_jst_day(record_date)
        if chain.blocks.head.timestamp <= cutoff:
            raise ChainStateError(
                f"{record_date} has not ended yet on this chain; export at a block instead"
            )
        block = block_at(cutoff)
        scheduled = [int(token.recordDate(i)) for i in range(int(token.recordDateCount()))]
        record_index = scheduled.index(cutoff) if cutoff in scheduled else None
    block = chain.blocks.height if block is None else block
    notes: list[str] = []
    reader = _reader()
    key_file = KeyFiles.for_issuer(issuer, key_dir).private
    load_private_key(key_file)  # a missing or unreadable key file fails here, before any work
    with decryption_pool() as pool:  # decrypts while the lots and balances are read
        ciphertexts = read_ciphertexts(reader, str(registry.address), issuer, 0, block)
        decrypting = start_decryption(pool, key_file, list(ciphertexts.values()))
        replaced = read_replaced_wallets(reader, str(registry.address), block)
        timer.mark("personal data and replaced wallets (logs)")
        events = read_transfer_events(reader, str(token.address), 0, block)
        timer.mark("Transfer logs + decode")
        lots = build_lots(
            events, same_investor=lambda a, b: (a, b) in replaced or (b, a) in replaced
        )
        del events
        timer.mark("lots")
        # the record-date snapshot is read at the head, where the date has passed
        read_at = block if record_index is None else chain.blocks.height
        investor_ids, balances, supply, statuses = read_holdings_and_statuses(
            reader, str(registry.address), str(token.address), list(lots), read_at, record_index
        )
        timer.mark("investor ids, balances, tax statuses")
        people = collect_personal_data(ciphertexts, decrypting, key_file, notes)
        timer.mark("decryption (what was left, overlapped)")
    entries = holder_entries(lots, investor_ids, people, statuses)
    if record_index is not None:
        notes.append(f"reconciled with the token's record-date snapshot #{record_index}")
    kind = Kind.BOND if entry.kind == "bond" else Kind.BENEFICIARY
    register = HolderRegister(
        symbol=symbol,
        name=str(token.name()),
        token_address=str(token.address),
        chain_id=platform.chain_id,
        category=Category.from_label(entry.category),
        kind=kind,
        block_number=block,
        block_timestamp=int(chain.blocks[block].timestamp),
        record_date=record_date,
        terms=_terms(token, kind),
        entries=entries,
        reconciliation=reconcile(entries, supply, balances),
        notes=tuple(notes),
    )
    timer.mark("entries, terms, reconcile")
    csv_path, json_path = write_register(register, out_dir)
    timer.mark("write CSV + JSON")
    return ExportReport(csv_path, json_path, register)


class _PhaseTimer:
    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases
        self.last = time.monotonic()

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = round(now - self.last, 2)
        self.last = now
