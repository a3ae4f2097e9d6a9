"""Throughput on the benchmark's anvil: wall time of the jobs targets.md sets limits for.

Both jobs use the real platform (kabuto.ops.deploy) and a bond with the class rule and a
holder cap on, and send through :mod:`kabuto.bench.rawrpc` (JSON-RPC batches, anvil signing,
full blocks) because Ape alone sends ~25-50 transactions a second.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.model import Outcome, TimeMeasurement
from kabuto.bench.peers.kabuto import KabutoPlatform, deploy
from kabuto.bench.rawrpc import Log, RawRpc, address_calldata, calldata, checksum_address
from kabuto.bench.registry import ThroughputJob
from kabuto.core import JAPAN, YEAR
from kabuto.crypto import key_type_of
from kabuto.domain import Category, Kind, investor_id_from_bytes32, investor_id_to_bytes32
from kabuto.errors import DecryptionError
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import TransferEvent, build_lots
from kabuto.onchain_types import InvestorClass, Rules, class_mask
from kabuto.personal_data import PersonalData, decrypt_many, encrypt_personal_data
from kabuto.register import HolderRegister, holder_entries, reconcile, write_register

INVESTORS = 10_000
TRANSFERS = 100_000
UNITS_EACH = 100
ISSUE_CHUNK = 250  # recipients per batchIssue
ISSUE_KEY = "issue_10k_investors"
EXPORT_KEY = "register_export_10k_holders_100k_transfers"
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
PERSONAL_DATA_TOPIC = keccak(text="PersonalDataStored(bytes32,address,bytes32,bytes)")
GAS_HEADROOM = 1.5


@dataclass
class Population:
    """A bond with ``len(wallets)`` onboarded holders, built by the issue job."""

    kp: KabutoPlatform
    rpc: RawRpc
    wallets: list[str]
    deployed_at: int  # block before the onboarding started


def _url(ctx: BenchContext) -> str:
    return str(ctx.chain.provider.http_uri)


def _gas_limit(rpc: RawRpc, tx: dict[str, Any]) -> int:
    return int(int(rpc.call("eth_estimateGas", tx), 16) * GAS_HEADROOM)


def _person(index: int) -> PersonalData:
    return PersonalData(name=f"投資家 {index:05d}", address=f"東京都中央区日本橋兜町{index % 50 + 1}番{index % 7 + 1}号")


def build_population(ctx: BenchContext, investors: int) -> tuple[Population, TimeMeasurement]:
    """Onboards ``investors`` (registration + encrypted personal data, one onboardInvestor each, as
    kabuto.ops.onboard sends them) and issues UNITS_EACH to each by batchIssue; timed."""
    rules = Rules(allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED),
                  holder_cap=2 * investors)
    kp = deploy(ctx, Path(tempfile.mkdtemp(prefix="kabuto-bench-tp-")), rules=rules)
    rpc = RawRpc(_url(ctx))
    registry, token = str(kp.registry.address), str(kp.token.address)
    registrar, issuer = str(kp.ops.registrar.address), str(kp.ops.issuer.address)
    public_key = kp.public_key()
    expiry = int(ctx.chain.pending_timestamp) + YEAR
    wallets = [to_checksum_address(keccak(text=f"{ctx.label}.throughput.{i}")[-20:]) for i in range(investors)]
    deployed_at = rpc.block_number()
    before = int(kp.registry.investorCount())

    started = time.monotonic()

    txs = [{"from": registrar, "to": registry, "data": calldata(
        "onboardInvestor(bytes32,address,uint8,uint16,uint40,address,bytes)",
        ["bytes32", "address", "uint8", "uint16", "uint40", "address", "bytes"],
        [investor_id_to_bytes32(f"TP{i:07d}"), wallet, int(InvestorClass.GENERAL), JAPAN, expiry, issuer,
         encrypt_personal_data(_person(i), public_key)])} for i, wallet in enumerate(wallets)]
    limit = _gas_limit(rpc, txs[0])
    for tx in txs:
        tx["gas"] = limit
    onboarded = rpc.send_all(txs)
    issues = []
    for start in range(0, investors, ISSUE_CHUNK):
        to = wallets[start:start + ISSUE_CHUNK]
        issues.append({"from": issuer, "to": token, "data": calldata(
            "batchIssue(address[],uint256[],bytes)", ["address[]", "uint256[]", "bytes"],
            [to, [UNITS_EACH] * len(to), b""])})
    limit = _gas_limit(rpc, issues[0])
    for tx in issues:
        tx["gas"] = limit
    issued = rpc.send_all(issues)
    expect(int(kp.registry.investorCount()) == before + investors, "not every investor was registered")
    expect(int(kp.token.totalSupply()) == investors * UNITS_EACH and int(kp.token.holderCount()) == investors,
           "not every investor received units")
    seconds = time.monotonic() - started
    measurement = TimeMeasurement(
        key=ISSUE_KEY, seconds=round(seconds, 2), txs=onboarded.txs + issued.txs, gas=onboarded.gas + issued.gas,
        at_target_scale=investors == INVESTORS,
        note=(f"{investors:,} investors: onboardInvestor (registration + a real envelope "
              f"({key_type_of(public_key).value} issuer key) encrypted per investor inside the timed part, {len(txs[0]['data']) // 2 - 1}-byte calldata) = {onboarded.txs:,} txs, {onboarded.gas:,} gas; "
              f"batchIssue of {ISSUE_CHUNK} = {issued.txs} txs, {issued.gas:,} gas; class rule + holder cap on. "
              "Sent as JSON-RPC batches of eth_sendTransaction (anvil signs), automine off, full blocks; "
              "the registry has no batch-onboarding function, so onboarding is 1 tx per investor"),
    )
    return Population(kp, rpc, wallets, deployed_at), measurement


def issue_to_investors(ctx: BenchContext) -> Outcome:
    """Onboard and allot to ``ctx.scale_investors`` investors: wall time, transactions, gas."""
    population, measurement = build_population(ctx, ctx.scale_investors)
    ctx.cache["population"] = population
    return measurement


def _decrypt(args: tuple[str, list[bytes]]) -> list[PersonalData | DecryptionError]:
    key_file, ciphertexts = args
    return decrypt_many(ciphertexts, load_private_key(Path(key_file)))


def start_decryption(pool: Executor, key_file: Path, ciphertexts: list[bytes]) -> list[Future[Any]]:
    """Decryption on every core, in the background: one part per worker (X25519 HPKE ~0.2 ms
    an envelope, RSA-2048 ~2 ms)."""
    workers = max(1, os.cpu_count() or 1)
    size = -(-len(ciphertexts) // workers) or 1
    return [pool.submit(_decrypt, (str(key_file), ciphertexts[i:i + size])) for i in range(0, len(ciphertexts), size)]


def _personal_data_logs(rpc: RawRpc, registry: str, issuer: str, first: int, block: int) -> dict[str, bytes]:
    """The latest ciphertext per investor id stored for ``issuer`` up to ``block``."""
    issuer_topic = "0x" + "0" * 24 + issuer[2:].lower()
    latest: dict[str, bytes] = {}
    for log in rpc.logs(registry, PERSONAL_DATA_TOPIC, first, block):
        if log.topics[2].lower() == issuer_topic:
            latest[investor_id_from_bytes32(bytes.fromhex(log.topics[1][2:]))] = _ciphertext(log.data)
    return latest


def _ciphertext(data: str) -> bytes:
    """The ``bytes ciphertext`` of PersonalDataStored's data ``(bytes32 dataHash, bytes
    ciphertext)``: word 2 is its offset (always 64: one head word before it), word 3 its
    length, then the bytes. Read by hand: eth_abi's general decoder costs ~0.1 ms a log."""
    raw = bytes.fromhex(data[2:])
    offset = int.from_bytes(raw[32:64], "big")
    length = int.from_bytes(raw[offset:offset + 32], "big") if offset == 64 else -1
    if length < 0 or len(raw) < 96 + length:
        return decode(["bytes32", "bytes"], raw)[1]  # not the usual layout: the full decoder
    return raw[96:96 + length]


def _transfer_events(rpc: RawRpc, logs: list[Log]) -> list[TransferEvent]:
    numbers = sorted({log.blockNumber for log in logs}, key=lambda n: int(n, 16))
    stamps = {n: int(b["timestamp"], 16) for n, b in zip(numbers, rpc.batch(
        [("eth_getBlockByNumber", [n, False]) for n in numbers]))}
    blocks = {n: int(n, 16) for n in numbers}
    address = {topic: checksum_address(topic[-40:]) for topic in
               {log.topics[1] for log in logs} | {log.topics[2] for log in logs}}
    return [TransferEvent(blocks[log.blockNumber], stamps[log.blockNumber], address[log.topics[1]],
                          address[log.topics[2]], int(log.data, 16)) for log in logs]


def export_register_raw(pop: Population, block: int, out_dir: Path) -> tuple[HolderRegister, dict[str, float]]:
    """The register at ``block``, as kabuto.ops.export builds it (lots from Transfer events,
    investor ids and decrypted personal data from the registry, reconciled with on-chain
    balances, written as CSV and JSON), reading the chain with raw batched JSON-RPC.

    The personal-data logs are read first and decrypted by worker processes while this one
    reads the Transfer logs, builds the lots and reads ids and balances; the last phase waits
    for what decryption has left (its own time is the sum of the workers' parts)."""
    rpc, token, registry = pop.rpc, str(pop.kp.token.address), str(pop.kp.registry.address)
    issuer = str(pop.kp.ops.issuer.address)
    phases: dict[str, float] = {}
    mark = time.monotonic()
    with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        latest = _personal_data_logs(rpc, registry, issuer, pop.deployed_at, block)
        key_file = KeyFiles.for_issuer(issuer, pop.kp.workdir / "keys").private
        decrypting = start_decryption(pool, key_file, list(latest.values()))
        phases["personal data logs"] = time.monotonic() - mark
        mark = time.monotonic()
        logs = rpc.logs(token, TRANSFER_TOPIC, pop.deployed_at, block)
        phases["eth_getLogs Transfer"] = time.monotonic() - mark
        mark = time.monotonic()
        lots = build_lots(_transfer_events(rpc, logs))
        phases["decode + lots"] = time.monotonic() - mark
        mark = time.monotonic()
        wallets = list(lots)
        answers = rpc.eth_call([(registry, address_calldata("investorIdOf(address)", w)) for w in wallets]
                               + [(token, address_calldata("balanceOf(address)", w)) for w in wallets]
                               + [(token, calldata("totalSupply()", [], []))], block)
        investor_ids = {w: investor_id_from_bytes32(r[:32]) for w, r in zip(wallets, answers)}
        balances = {w: int.from_bytes(r, "big") for w, r in zip(wallets, answers[len(wallets):])}
        supply = int.from_bytes(answers[-1], "big")
        phases["investor ids + balances"] = time.monotonic() - mark
        mark = time.monotonic()
        found = [p for part in decrypting for p in part.result()]
        failed = [f for f in found if isinstance(f, DecryptionError)]
        expect(not failed, f"{len(failed)} personal data envelopes not decryptable, first: {failed[:1]}")
        people = dict(zip(latest, found))
        phases["decrypt personal data (rest, overlapped)"] = time.monotonic() - mark
    mark = time.monotonic()
    entries = holder_entries(lots, investor_ids, people)  # type: ignore[arg-type]
    block_data = rpc.call("eth_getBlockByNumber", hex(block), False)
    register = HolderRegister(
        symbol="KBB", name="Kabuto bench bond", token_address=token, chain_id=int(rpc.call("eth_chainId"), 16),
        category=Category.Class1, kind=Kind.Bond, block_number=block, block_timestamp=int(block_data["timestamp"], 16),
        record_date=None, terms=pop.kp.bond_terms_view(), entries=entries,
        reconciliation=reconcile(entries, supply, balances))
    phases["entries, reconcile"] = time.monotonic() - mark
    mark = time.monotonic()
    write_register(register, out_dir)
    phases["write CSV+JSON"] = time.monotonic() - mark
    return register, phases


def export_register(ctx: BenchContext) -> Outcome:
    """Register export of a token with ``scale_investors`` holders after ``scale_transfers``
    transfers: the build is timed separately, the export is the measurement."""
    pop = ctx.cache.get("population") or build_population(ctx, ctx.scale_investors)[0]
    n, transfers = len(pop.wallets), ctx.scale_transfers
    build_started = time.monotonic()
    token = str(pop.kp.token.address)
    txs = []
    for k in range(transfers):  # holder i sends one unit to holder i + 1 + (k // n) (mod n)
        i = k % n
        to = pop.wallets[(i + 1 + (k // n) % (n - 1)) % n]
        txs.append({"from": pop.wallets[i], "to": token,
                    "data": calldata("transfer(address,uint256)", ["address", "uint256"], [to, 1])})
    limit = _gas_limit(pop.rpc, txs[0])
    for tx in txs:
        tx["gas"] = limit
    moved = pop.rpc.send_all(txs)
    build_s = time.monotonic() - build_started
    block = pop.rpc.block_number()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kabuto-bench-register-") as out:
        register, phases = export_register_raw(pop, block, Path(out))
    seconds = time.monotonic() - started
    expect(register.reconciliation.ok, f"the exported register does not reconcile: {register.reconciliation.statement()}")
    expect(len(register.entries) == n and all(e.personal_data for e in register.entries),
           "the register misses holders or their names")
    events = n + transfers  # one Transfer per issued holder and per transfer
    breakdown = ", ".join(f"{name} {s:.1f} s" for name, s in phases.items())
    return TimeMeasurement(
        key=EXPORT_KEY, seconds=round(seconds, 2), txs=moved.txs, gas=moved.gas,
        at_target_scale=(n, transfers) == (INVESTORS, TRANSFERS),
        note=(f"{n:,} holders, {transfers:,} real token transfers (+{n:,} issues) replayed into lots, "
              f"{n:,} names decrypted ({os.cpu_count()} processes), reconciled with balances at block {block}, "
              f"CSV+JSON written; {breakdown}. Build (not timed in the value): {moved.txs:,} transfer txs, "
              f"{moved.gas:,} gas, {build_s:.1f} s. Chain read with batched JSON-RPC (eth_getLogs in block "
              f"chunks, eth_call batches); ~{events:,} Transfer logs"),
    )


JOBS = (
    ThroughputJob(ISSUE_KEY, f"onboard + issue to {INVESTORS:,} investors", issue_to_investors),
    ThroughputJob(EXPORT_KEY, f"register export, {INVESTORS:,} holders after {TRANSFERS:,} transfers",
                  export_register),
)
