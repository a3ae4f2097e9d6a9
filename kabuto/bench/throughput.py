"""Throughput on the benchmark's anvil: wall time of the jobs docs/performance.md sets limits for.

Both jobs use the real platform (kabuto.ops.deploy) and a bond with the class rule and a
holder cap on, and send through :mod:`kabuto.bench.rawrpc` (JSON-RPC batches, full blocks; anvil signs the
operators' transactions, the holders sign their transfers) because Ape alone sends ~25-50
transactions a second.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.model import Outcome, TimeMeasurement
from kabuto.bench.peers.kabuto import BENCH_SYMBOL, KabutoPlatform, deploy
from kabuto.bench.rawrpc import RawRpc, Sent, calldata
from kabuto.bench.registry import ThroughputJob
from kabuto.bench.signing import Wallet, wallet
from kabuto.bulk import paused_gc
from kabuto.core import JAPAN, YEAR
from kabuto.crypto import key_type_of, public_key_der, public_key_from_der
from kabuto.domain import investor_id_to_bytes32
from kabuto.onboarding_batch import SIGNATURE as BATCH_SIGNATURE
from kabuto.onboarding_batch import OnboardingRow, batch_arguments
from kabuto.onchain_types import InvestorClass, Rules, TaxStatus, class_mask
from kabuto.ops.export import decryption_workers, export_register
from kabuto.personal_data import PersonalData, encrypt_personal_data
from kabuto.register import HolderRegister

INVESTORS = 10_000
TRANSFERS = 100_000
UNITS_EACH = 100
ISSUE_CHUNK = 250  # recipients per batchIssue
ONBOARD_BATCH = 100  # investors per onboardInvestors (kabuto.ops.onboard_batch)
ISSUE_KEY = "issue_10k_investors"
EXPORT_KEY = "register_export_10k_holders_100k_transfers"
GAS_HEADROOM = 1.5
# transfers mined a block: on a node with a large block gas limit (the scale bench's), fewer
# and fuller blocks, because anvil rebuilds the whole state trie for every block it mines
# (0.4 s at 100,000 holders); on the default 30M limit the gas limit caps it first. The
# holders sign their transfers (kabuto.bench.signing), so a full pool costs anvil nothing more.
TRANSFERS_PER_BLOCK = 10_000


@dataclass
class Population:
    """A bond with ``len(wallets)`` onboarded holders, built by the issue job."""

    kp: KabutoPlatform
    rpc: RawRpc
    wallets: list[str]
    deployed_at: int  # block before the onboarding started
    signers: dict[str, Wallet]  # each holder's key (the transfers are signed in-process)


def _url(ctx: BenchContext) -> str:
    return str(ctx.chain.provider.http_uri)


def _gas_limit(rpc: RawRpc, tx: dict[str, Any]) -> int:
    return int(int(rpc.call("eth_estimateGas", tx), 16) * GAS_HEADROOM)


def _encrypt_part(args: tuple[bytes, list[PersonalData]]) -> list[bytes]:
    der, people = args
    key = public_key_from_der(der)
    return [encrypt_personal_data(person, key) for person in people]


def encrypt_all(people: list[PersonalData], public_key: Any) -> list[bytes]:
    """Every envelope, on all cores (~0.2 ms each with X25519: 20 s of CPU for 100,000)."""
    der = public_key_der(public_key)
    workers = os.cpu_count() or 1
    size = -(-len(people) // workers) or 1
    parts = [(der, people[i : i + size]) for i in range(0, len(people), size)]
    if len(parts) <= 1 or len(people) < 2_000:
        return [c for part in parts for c in _encrypt_part(part)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [c for part in pool.map(_encrypt_part, parts) for c in part]


def _person(index: int) -> PersonalData:
    return PersonalData(
        name=f"投資家 {index:05d}",
        address=f"東京都中央区日本橋兜町{index % 50 + 1}番{index % 7 + 1}号",
    )


def build_population(
    ctx: BenchContext, investors: int, slices: list[float] | None = None
) -> tuple[Population, TimeMeasurement]:
    """Onboards ``investors`` (registration + encrypted personal data, onboardInvestors of 100 a
    transaction, as kabuto.ops.onboard sends them) and issues UNITS_EACH to each by batchIssue;
    timed, envelopes encrypted inside the timed part. With ``slices``, the onboarding is sent in
    ten parts and each part's seconds are appended (how the cost moves as the chain grows)."""
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
    signers = {
        w.address: w for w in (wallet(f"{ctx.label}.throughput.{i}") for i in range(investors))
    }
    wallets = list(signers)
    deployed_at = rpc.block_number()
    before = int(kp.registry.investorCount())

    started = time.monotonic()

    rows = [
        OnboardingRow(
            investor_id=investor_id_to_bytes32(f"TP{i:07d}"),
            wallet=wallet,
            investor_class=InvestorClass.GENERAL,
            tax_status=TaxStatus.RESIDENT_INDIVIDUAL,
            country=JAPAN,
            kyc_expiry=expiry,
            ciphertext=ciphertext,
        )
        for i, (wallet, ciphertext) in enumerate(
            zip(
                wallets,
                encrypt_all([_person(i) for i in range(investors)], public_key),
                strict=True,
            )
        )
    ]
    txs = [
        {
            "from": registrar,
            "to": registry,
            "data": calldata(
                BATCH_SIGNATURE,
                ["address", "bytes32[]", "uint256[]", "bytes"],
                [issuer, *batch_arguments(rows[start : start + ONBOARD_BATCH])],
            ),
        }
        for start in range(0, investors, ONBOARD_BATCH)
    ]
    limit = _gas_limit(rpc, txs[0])
    for tx in txs:
        tx["gas"] = limit
    if slices is None:
        onboarded = rpc.send_all(txs)
    else:
        slices.append(time.monotonic() - started)  # encryption and encoding
        parts, size = [], -(-len(txs) // 10)
        for first in range(0, len(txs), size):
            mark = time.monotonic()
            parts.append(rpc.send_all(txs[first : first + size]))
            slices.append(time.monotonic() - mark)
        onboarded = Sent(
            sum(p.txs for p in parts),
            parts[0].first_block,
            parts[-1].last_block,
            sum(p.gas for p in parts),
        )
    onboard_s = time.monotonic() - started
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
            f"({key_type_of(public_key).value} issuer key) encrypted per investor inside the timed part), onboardInvestors of {ONBOARD_BATCH} = {onboarded.txs:,} txs, {onboarded.gas:,} gas; "
            f"batchIssue of {ISSUE_CHUNK} = {issued.txs} txs, {issued.gas:,} gas; class rule + holder cap on. "
            f"Onboarding {onboard_s:.1f} s, issuing {seconds - onboard_s:.1f} s. "
            "Sent as JSON-RPC batches of eth_sendTransaction (anvil signs), automine off, full blocks"
        ),
    )
    return Population(kp, rpc, wallets, deployed_at, signers), measurement


def issue_to_investors(ctx: BenchContext) -> Outcome:
    """Onboard and allot to ``ctx.scale_investors`` investors: wall time, transactions, gas."""
    population, measurement = build_population(ctx, ctx.scale_investors)
    ctx.cache["population"] = population
    return measurement


def export_with_operators_code(
    pop: Population, block: int, out_dir: Path
) -> tuple[HolderRegister, dict[str, float]]:
    """The register at ``block`` by kabuto.ops.export.export_register, the function
    `ape run export_register` calls (replaced wallets, reconciliation, CSV + JSON), with the
    seconds of each of its phases."""
    phases: dict[str, float] = {}
    exported = export_register(
        pop.kp.platform,
        BENCH_SYMBOL,
        str(pop.kp.ops.issuer.address),
        out_dir,
        pop.kp.workdir / "keys",
        block=block,
        phases=phases,
    )
    return exported.register, phases


def send_transfers(pop: Population, transfers: int, chunk: int = 50_000) -> tuple[Sent, float]:
    """``transfers`` real token transfers among the population's holders (holder i sends one
    unit to holder i + 1 + (k // n) mod n), built and sent ``chunk`` at a time so the request
    dicts of a million transfers never live at once; their wall time."""
    started = time.monotonic()
    n, token = len(pop.wallets), str(pop.kp.token.address)
    data = {}  # calldata per recipient, encoded once
    sent: list[Sent] = []
    limit = 0
    for first in range(0, transfers, chunk):
        txs = []
        for k in range(first, min(first + chunk, transfers)):
            i = k % n
            to = pop.wallets[(i + 1 + (k // n) % (n - 1)) % n]
            if to not in data:
                data[to] = calldata("transfer(address,uint256)", ["address", "uint256"], [to, 1])
            txs.append({"from": pop.wallets[i], "to": token, "data": data[to]})
        limit = limit or _gas_limit(pop.rpc, txs[0])
        for tx in txs:
            tx["gas"] = limit
        sent.append(pop.rpc.send_all(txs, chunk=TRANSFERS_PER_BLOCK, signers=pop.signers))
    total = Sent(
        sum(x.txs for x in sent), sent[0].first_block, sent[-1].last_block, sum(x.gas for x in sent)
    )
    return total, time.monotonic() - started


def register_export_job(ctx: BenchContext) -> Outcome:
    """Register export of a token with ``scale_investors`` holders after ``scale_transfers``
    transfers: the build is timed separately, the export is the measurement."""
    pop = ctx.cache.get("population") or build_population(ctx, ctx.scale_investors)[0]
    n, transfers = len(pop.wallets), ctx.scale_transfers
    moved, build_s = send_transfers(pop, transfers)
    block = pop.rpc.block_number()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kabuto-bench-register-") as out, paused_gc():
        register, phases = export_with_operators_code(pop, block, Path(out))
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
            f"CSV+JSON written by kabuto.ops.export.export_register (what `ape run export_register` runs); "
            f"{breakdown}. Build (not timed in the value): {moved.txs:,} transfer txs, "
            f"{moved.gas:,} gas, {build_s:.1f} s. ~{events:,} Transfer logs"
        ),
    )


JOBS = (
    ThroughputJob(ISSUE_KEY, f"onboard + issue to {INVESTORS:,} investors", issue_to_investors),
    ThroughputJob(
        EXPORT_KEY,
        f"register export, {INVESTORS:,} holders after {TRANSFERS:,} transfers",
        register_export_job,
    ),
)
