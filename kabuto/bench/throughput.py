"""Throughput on the benchmark's anvil: wall time of the jobs targets.md sets limits for.

Both jobs use the real platform (kabuto.ops.deploy) and a bond with the class rule and a
holder cap on, and send through :mod:`kabuto.bench.rawrpc` (JSON-RPC batches, anvil signing,
full blocks) because Ape alone sends ~25-50 transactions a second.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.model import Outcome, TimeMeasurement
from kabuto.bench.peers.kabuto import KabutoPlatform, deploy
from kabuto.bench.rawrpc import RawRpc, calldata
from kabuto.bench.registry import ThroughputJob
from kabuto.bulk import paused_gc
from kabuto.core import JAPAN, YEAR
from kabuto.crypto import key_type_of
from kabuto.domain import Category, Kind, investor_id_to_bytes32
from kabuto.keys import KeyFiles
from kabuto.lots import build_lots
from kabuto.onchain_types import InvestorClass, Rules, TaxStatus, class_mask
from kabuto.ops.export import (
    collect_personal_data,
    decryption_pool,
    decryption_workers,
    read_ciphertexts,
    read_holdings,
    read_tax_statuses,
    read_transfer_events,
    start_decryption,
)
from kabuto.personal_data import PersonalData, encrypt_personal_data
from kabuto.register import HolderRegister, holder_entries, reconcile, write_register

INVESTORS = 10_000
TRANSFERS = 100_000
UNITS_EACH = 100
ISSUE_CHUNK = 250  # recipients per batchIssue
ISSUE_KEY = "issue_10k_investors"
EXPORT_KEY = "register_export_10k_holders_100k_transfers"
LOG_BLOCKS = 25  # blocks per eth_getLogs: the bench's blocks are full (~500 transfers each)
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
    return PersonalData(
        name=f"投資家 {index:05d}",
        address=f"東京都中央区日本橋兜町{index % 50 + 1}番{index % 7 + 1}号",
    )


def build_population(ctx: BenchContext, investors: int) -> tuple[Population, TimeMeasurement]:
    """Onboards ``investors`` (registration + encrypted personal data, one onboardInvestor each, as
    kabuto.ops.onboard sends them) and issues UNITS_EACH to each by batchIssue; timed."""
    rules = Rules(
        allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED),
        holder_cap=2 * investors,
    )
    kp = deploy(ctx, Path(tempfile.mkdtemp(prefix="kabuto-bench-tp-")), rules=rules)
    rpc = RawRpc(_url(ctx))
    registry, token = str(kp.registry.address), str(kp.token.address)
    registrar, issuer = str(kp.ops.registrar.address), str(kp.ops.issuer.address)
    public_key = kp.public_key()
    expiry = int(ctx.chain.pending_timestamp) + YEAR
    wallets = [
        to_checksum_address(keccak(text=f"{ctx.label}.throughput.{i}")[-20:])
        for i in range(investors)
    ]
    deployed_at = rpc.block_number()
    before = int(kp.registry.investorCount())

    started = time.monotonic()

    txs = [
        {
            "from": registrar,
            "to": registry,
            "data": calldata(
                "onboardInvestor(bytes32,address,uint8,uint8,uint16,uint40,address,bytes)",
                ["bytes32", "address", "uint8", "uint8", "uint16", "uint40", "address", "bytes"],
                [
                    investor_id_to_bytes32(f"TP{i:07d}"),
                    wallet,
                    int(InvestorClass.GENERAL),
                    int(TaxStatus.RESIDENT_INDIVIDUAL),
                    JAPAN,
                    expiry,
                    issuer,
                    encrypt_personal_data(_person(i), public_key),
                ],
            ),
        }
        for i, wallet in enumerate(wallets)
    ]
    limit = _gas_limit(rpc, txs[0])
    for tx in txs:
        tx["gas"] = limit
    onboarded = rpc.send_all(txs)
    issues = []
    for start in range(0, investors, ISSUE_CHUNK):
        to = wallets[start : start + ISSUE_CHUNK]
        issues.append(
            {
                "from": issuer,
                "to": token,
                "data": calldata(
                    "batchIssue(address[],uint256[],bytes)",
                    ["address[]", "uint256[]", "bytes"],
                    [to, [UNITS_EACH] * len(to), b""],
                ),
            }
        )
    limit = _gas_limit(rpc, issues[0])
    for tx in issues:
        tx["gas"] = limit
    issued = rpc.send_all(issues)
    expect(
        int(kp.registry.investorCount()) == before + investors, "not every investor was registered"
    )
    expect(
        int(kp.token.totalSupply()) == investors * UNITS_EACH
        and int(kp.token.holderCount()) == investors,
        "not every investor received units",
    )
    seconds = time.monotonic() - started
    measurement = TimeMeasurement(
        key=ISSUE_KEY,
        seconds=round(seconds, 2),
        txs=onboarded.txs + issued.txs,
        gas=onboarded.gas + issued.gas,
        at_target_scale=investors == INVESTORS,
        note=(
            f"{investors:,} investors: onboardInvestor (registration + a real envelope "
            f"({key_type_of(public_key).value} issuer key) encrypted per investor inside the timed part, {len(txs[0]['data']) // 2 - 1}-byte calldata) = {onboarded.txs:,} txs, {onboarded.gas:,} gas; "
            f"batchIssue of {ISSUE_CHUNK} = {issued.txs} txs, {issued.gas:,} gas; class rule + holder cap on. "
            "Sent as JSON-RPC batches of eth_sendTransaction (anvil signs), automine off, full blocks; "
            "the registry has no batch-onboarding function, so onboarding is 1 tx per investor"
        ),
    )
    return Population(kp, rpc, wallets, deployed_at), measurement


def issue_to_investors(ctx: BenchContext) -> Outcome:
    """Onboard and allot to ``ctx.scale_investors`` investors: wall time, transactions, gas."""
    population, measurement = build_population(ctx, ctx.scale_investors)
    ctx.cache["population"] = population
    return measurement


def export_register_raw(
    pop: Population, block: int, out_dir: Path
) -> tuple[HolderRegister, dict[str, float]]:
    """The register at ``block``, built as kabuto.ops.export builds it and with its readers
    (lots from Transfer events, investor ids and decrypted personal data from the registry,
    reconciled with on-chain balances, written as CSV and JSON), phase by phase.

    The personal-data logs are read first and decrypted by worker processes while this one
    reads the Transfer logs, builds the lots and reads ids and balances; the decryption phase
    is what is left to wait for by then."""
    rpc, token, registry = pop.rpc, str(pop.kp.token.address), str(pop.kp.registry.address)
    issuer = str(pop.kp.ops.issuer.address)
    phases: dict[str, float] = {}
    notes: list[str] = []
    mark = time.monotonic()
    with decryption_pool() as pool:
        ciphertexts = read_ciphertexts(rpc, registry, issuer, pop.deployed_at, block, LOG_BLOCKS)
        key_file = KeyFiles.for_issuer(issuer, pop.kp.workdir / "keys").private
        decrypting = start_decryption(pool, key_file, list(ciphertexts.values()))
        phases["personal data logs"] = time.monotonic() - mark
        mark = time.monotonic()
        events = read_transfer_events(rpc, token, pop.deployed_at, block, LOG_BLOCKS)
        phases["eth_getLogs Transfer + decode"] = time.monotonic() - mark
        mark = time.monotonic()
        lots = build_lots(events)
        phases["lots"] = time.monotonic() - mark
        mark = time.monotonic()
        investor_ids, balances, supply = read_holdings(rpc, registry, token, list(lots), block)
        statuses = read_tax_statuses(rpc, registry, list(investor_ids.values()), block)
        phases["investor ids + balances + tax statuses"] = time.monotonic() - mark
        mark = time.monotonic()
        people = collect_personal_data(ciphertexts, decrypting, key_file, notes)
        expect(
            not notes, f"{len(notes)} personal data envelopes not decryptable, first: {notes[:1]}"
        )
        phases["decrypt personal data (rest, overlapped)"] = time.monotonic() - mark
    mark = time.monotonic()
    entries = holder_entries(lots, investor_ids, people, statuses)
    block_data = rpc.call("eth_getBlockByNumber", hex(block), False)
    register = HolderRegister(
        symbol="KBB",
        name="Kabuto bench bond",
        token_address=token,
        chain_id=int(rpc.call("eth_chainId"), 16),
        category=Category.Class1,
        kind=Kind.Bond,
        block_number=block,
        block_timestamp=int(block_data["timestamp"], 16),
        record_date=None,
        terms=pop.kp.bond_terms_view(),
        entries=entries,
        reconciliation=reconcile(entries, supply, balances),
    )
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
        txs.append(
            {
                "from": pop.wallets[i],
                "to": token,
                "data": calldata("transfer(address,uint256)", ["address", "uint256"], [to, 1]),
            }
        )
    limit = _gas_limit(pop.rpc, txs[0])
    for tx in txs:
        tx["gas"] = limit
    moved = pop.rpc.send_all(txs)
    build_s = time.monotonic() - build_started
    block = pop.rpc.block_number()
    del txs  # the build's 100,000 request dicts: not part of the export's process state
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kabuto-bench-register-") as out, paused_gc():
        register, phases = export_register_raw(pop, block, Path(out))
    seconds = time.monotonic() - started
    expect(
        register.reconciliation.ok,
        f"the exported register does not reconcile: {register.reconciliation.statement()}",
    )
    expect(
        len(register.entries) == n and all(e.personal_data for e in register.entries),
        "the register misses holders or their names",
    )
    events = n + transfers  # one Transfer per issued holder and per transfer
    breakdown = ", ".join(f"{name} {s:.1f} s" for name, s in phases.items())
    return TimeMeasurement(
        key=EXPORT_KEY,
        seconds=round(seconds, 2),
        txs=moved.txs,
        gas=moved.gas,
        at_target_scale=(n, transfers) == (INVESTORS, TRANSFERS),
        note=(
            f"{n:,} holders, {transfers:,} real token transfers (+{n:,} issues) replayed into lots, "
            f"{n:,} names decrypted ({decryption_workers()} background worker process(es) on {os.cpu_count()} cores), reconciled with balances at block {block}, "
            f"CSV+JSON written; {breakdown}. Build (not timed in the value): {moved.txs:,} transfer txs, "
            f"{moved.gas:,} gas, {build_s:.1f} s. Chain read with batched JSON-RPC (eth_getLogs in block "
            f"chunks, eth_call batches); ~{events:,} Transfer logs"
        ),
    )


JOBS = (
    ThroughputJob(ISSUE_KEY, f"onboard + issue to {INVESTORS:,} investors", issue_to_investors),
    ThroughputJob(
        EXPORT_KEY,
        f"register export, {INVESTORS:,} holders after {TRANSFERS:,} transfers",
        export_register,
    ),
)
