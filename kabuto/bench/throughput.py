"""Throughput on the benchmark's anvil: wall time of the jobs targets.md sets limits for.

Both jobs use the real platform (kabuto.ops.deploy) and a bond with the class rule and a
holder cap on, and send through :mod:`kabuto.bench.rawrpc` (JSON-RPC batches, anvil signing,
full blocks) because Ape alone sends ~25-50 transactions a second.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.model import Outcome, TimeMeasurement
from kabuto.bench.peers.kabuto import KabutoPlatform, deploy
from kabuto.bench.rawrpc import RawRpc, calldata
from kabuto.bench.registry import ThroughputJob
from kabuto.core import JAPAN, YEAR
from kabuto.domain import Category, Kind, investor_id_from_bytes32, investor_id_to_bytes32
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import TransferEvent, build_lots
from kabuto.onchain_types import InvestorClass, Rules, class_mask
from kabuto.personal_data import PersonalData, decrypt_personal_data, encrypt_personal_data
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
        note=(f"{investors:,} investors: onboardInvestor (registration + a real RSA-OAEP "
              f"envelope encrypted per investor inside the timed part, {len(txs[0]['data']) // 2 - 1}-byte calldata) = {onboarded.txs:,} txs, {onboarded.gas:,} gas; "
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


def _decrypt(args: tuple[str, list[bytes]]) -> list[PersonalData]:
    key_file, ciphertexts = args
    private_key = load_private_key(Path(key_file))
    return [decrypt_personal_data(c, private_key) for c in ciphertexts]


def decrypt_all(key_file: Path, ciphertexts: list[bytes]) -> list[PersonalData]:
    """Decrypts on every core (RSA-2048 private-key operations are ~2 ms each)."""
    workers = max(1, os.cpu_count() or 1)
    size = -(-len(ciphertexts) // workers) or 1
    parts = [(str(key_file), ciphertexts[i:i + size]) for i in range(0, len(ciphertexts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [p for part in pool.map(_decrypt, parts) for p in part]


def export_register_raw(pop: Population, block: int, out_dir: Path) -> tuple[HolderRegister, dict[str, float]]:
    """The register at ``block``, as kabuto.ops.export builds it (lots from Transfer events,
    investor ids and decrypted personal data from the registry, reconciled with on-chain
    balances, written as CSV and JSON), reading the chain with raw batched JSON-RPC."""
    rpc, token, registry = pop.rpc, str(pop.kp.token.address), str(pop.kp.registry.address)
    issuer = str(pop.kp.ops.issuer.address)
    phases: dict[str, float] = {}
    mark = time.monotonic()
    logs = rpc.logs(token, TRANSFER_TOPIC, pop.deployed_at, block)
    phases["eth_getLogs Transfer"] = time.monotonic() - mark
    mark = time.monotonic()
    numbers = sorted({int(log["blockNumber"], 16) for log in logs})
    stamps = {n: int(b["timestamp"], 16) for n, b in zip(numbers, rpc.batch(
        [("eth_getBlockByNumber", [hex(n), False]) for n in numbers]))}
    checksummed: dict[str, str] = {}

    def address(topic: str) -> str:
        if topic not in checksummed:
            checksummed[topic] = to_checksum_address("0x" + topic[-40:])
        return checksummed[topic]

    events = [TransferEvent(int(log["blockNumber"], 16), stamps[int(log["blockNumber"], 16)],
                            address(log["topics"][1]), address(log["topics"][2]), int(log["data"], 16))
              for log in logs]
    lots = build_lots(events)
    phases["decode + lots"] = time.monotonic() - mark
    mark = time.monotonic()
    wallets = list(lots)
    raw_ids = rpc.eth_call([(registry, calldata("investorIdOf(address)", ["address"], [w])) for w in wallets], block)
    investor_ids = {w: investor_id_from_bytes32(r[:32]) for w, r in zip(wallets, raw_ids)}
    latest: dict[str, bytes] = {}
    for log in rpc.logs(registry, PERSONAL_DATA_TOPIC, pop.deployed_at, block):
        if to_checksum_address("0x" + log["topics"][2][-40:]) == issuer:
            _, ciphertext = decode(["bytes32", "bytes"], bytes.fromhex(log["data"][2:]))
            latest[investor_id_from_bytes32(bytes.fromhex(log["topics"][1][2:]))] = ciphertext
    phases["investor ids + personal data logs"] = time.monotonic() - mark
    mark = time.monotonic()
    key_file = KeyFiles.for_issuer(issuer, pop.kp.workdir / "keys").private
    people = dict(zip(latest, decrypt_all(key_file, list(latest.values()))))
    phases["decrypt personal data"] = time.monotonic() - mark
    mark = time.monotonic()
    raw_balances = rpc.eth_call([(token, calldata("balanceOf(address)", ["address"], [w])) for w in wallets], block)
    balances = {w: int.from_bytes(r, "big") for w, r in zip(wallets, raw_balances)}
    supply = int.from_bytes(rpc.eth_call([(token, calldata("totalSupply()", [], []))], block)[0], "big")
    entries = holder_entries(lots, investor_ids, people)
    block_data = rpc.call("eth_getBlockByNumber", hex(block), False)
    register = HolderRegister(
        symbol="KBB", name="Kabuto bench bond", token_address=token, chain_id=int(rpc.call("eth_chainId"), 16),
        category=Category.Class1, kind=Kind.Bond, block_number=block, block_timestamp=int(block_data["timestamp"], 16),
        record_date=None, terms=pop.kp.bond_terms_view(), entries=entries,
        reconciliation=reconcile(entries, supply, balances))
    phases["balances, reconcile"] = time.monotonic() - mark
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
