"""The venue's numbers (issue 20): matching throughput and one order's latency through the
engine with its pre-trade checks against cached eligibility (kabuto.venue.facts.StaticFacts:
the registry's and the token's answers already in memory), and the gas per trade of the
venue's own settlement path at 1,000 trades.

Matching runs in this one Python process (one core of the two; the engine is single-threaded
by design, as a book must be). The order flow is generated before the clock starts: random
buys and sells around one price, on the tick and inside the band, from 100 investors of two
participants, so about half of the orders trade and the rest rest.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

from eth_utils import keccak, to_checksum_address

from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import Outcome, RateMeasurement
from kabuto.bench.registry import Peer
from kabuto.domain import JST
from kabuto.venue.config import VenueConfig
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts
from kabuto.venue.journal import Journal

RATE_KEY = "venue.match_orders_per_s"
P50_KEY = "venue.order_latency_p50_us"
P99_KEY = "venue.order_latency_p99_us"
GAS_KEY = "kabuto.venue.gas_per_trade_1000"
KEYS = (RATE_KEY, P50_KEY, P99_KEY, GAS_KEY)
ORDERS = 200_000
LATENCY_ORDERS = 50_000
SETTLED_TRADES = 1_000
MATCHING_RUNS = 3
DAY = date(2027, 2, 1)
CENTER = 10_000


def bench_config(
    symbol: str, investors: list[tuple[str, str]], issue_price: int = CENTER
) -> VenueConfig:
    """One product on 1-yen ticks with a wide band; investors (id, wallet) split between two
    participants."""
    half = len(investors) // 2
    groups = {"PA": investors[:half], "PB": investors[half:]}
    return VenueConfig.model_validate(
        {
            "venue": "BENCH",
            "sessions": {
                "order_entry": "08:00",
                "open_auction": "09:00",
                "pre_close": "15:25",
                "close_auction": "15:30",
            },
            "tick_tables": {"one": [[None, 1]]},
            "band_tables": {"wide": [[None, issue_price // 2]]},
            "products": [
                {
                    "symbol": symbol,
                    "tick_table": "one",
                    "band_table": "wide",
                    "issue_price": issue_price,
                    "max_order": 10**6,
                }
            ],
            "participants": [
                {"id": pid, "investors": [{"id": i, "wallet": w} for i, w in group]}
                for pid, group in groups.items()
            ],
        }
    )


def _synthetic_investors(count: int) -> list[tuple[str, str]]:
    return [
        (f"BV{i:05d}", to_checksum_address(keccak(text=f"venue.bench.{i}")[-20:]))
        for i in range(count)
    ]


def _flow(config: VenueConfig, orders: int, seed: int) -> list[tuple[str, str, str, str, int, int]]:
    rng = random.Random(seed)
    clients = [(p.id, inv.id) for p in config.participants for inv in p.investors]
    flow = []
    for _ in range(orders):
        participant, investor = rng.choice(clients)
        side = "buy" if rng.random() < 0.5 else "sell"
        lean = 3 if side == "buy" else -3  # marketable about half of the time
        flow.append(
            (
                participant,
                investor,
                "KBV",
                side,
                CENTER + lean + rng.randint(-10, 10),
                rng.randint(1, 10),
            )
        )
    return flow


def _engine(config: VenueConfig, journal: Journal | None = None) -> tuple[Venue, datetime]:
    wallets = [inv.wallet for p in config.participants for inv in p.investors]
    facts = StaticFacts(
        locks={("KBV", w): 10**12 for w in wallets}, yen_by_wallet={w: 10**15 for w in wallets}
    )
    venue = Venue(config, facts, DAY, None, journal)
    open_at = datetime(2027, 2, 1, 9, 0, tzinfo=JST)
    venue.advance(open_at)
    return venue, open_at.replace(hour=10)


def _timed_run(
    config: VenueConfig, flow: list[tuple[str, str, str, str, int, int]]
) -> tuple[Venue, float, float]:
    """One pass of ``flow`` through a fresh engine: (engine, wall seconds, CPU seconds)."""
    venue, now = _engine(config)
    submit = venue.submit
    gc.collect()
    gc.disable()
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        for participant, investor, symbol, side, price, qty in flow:
            submit(participant, investor, symbol, side, price, qty, now)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    finally:
        gc.enable()
    return venue, seconds, cpu_seconds


def measure_matching(
    orders: int = ORDERS, latency_orders: int = LATENCY_ORDERS, runs: int = MATCHING_RUNS
) -> list[Outcome]:
    config = bench_config("KBV", _synthetic_investors(100))
    flow = _flow(config, orders, seed=20)
    # The same flow through a fresh engine `runs` times, the fastest run counted (as timeit
    # does): other work on the machine can only slow a run down, never speed it up. On this
    # shared 2-core VM single runs of the same code spread from ~80,000 to ~135,000 orders/s.
    passes = [_timed_run(config, flow) for _ in range(runs)]
    venue, seconds, cpu_seconds = min(passes, key=lambda p: p[2])
    all_rates = ", ".join(f"{orders / p[2]:,.0f}" for p in passes)
    trades = len(venue.trades)
    refused = orders - venue._next_order + 1
    expect(trades > orders // 10, f"the bench flow traded too little ({trades} trades)")
    expect(not venue.books["KBV"].is_crossed(), "the book is crossed after the bench flow")
    # The engine's own rate is on its CPU time: on this machine's two cores, shared with other
    # work, the wall clock also counts the time the process waited for a core.
    rate = orders / cpu_seconds
    load = os.getloadavg()[0]

    latencies = _latencies(config, _flow(config, latency_orders, seed=21), None)
    with tempfile.TemporaryDirectory() as folder:
        journaled = _latencies(
            config,
            _flow(config, latency_orders, seed=21),
            Journal(Path(folder) / "j.jsonl", durable=False),
        )
    p50, p99 = _percentiles(latencies)
    j50, j99 = _percentiles(journaled)
    note = (
        f"{orders:,} limit orders through Venue.submit in one process (single-threaded engine), "
        f"pre-trade checks on (phase, product, participant/investor, size, tick, band, registry "
        f"eligibility and locked units / yen from cached facts, self-match, token verdict per "
        f"matched pair from the cache); {trades:,} executions, {refused:,} refused; no journal. "
    )
    return [
        RateMeasurement(
            RATE_KEY,
            round(rate),
            "orders/s",
            note + f"The fastest of {runs} runs: {cpu_seconds:.2f} s of the process's CPU time "
            f"({rate:,.0f} orders/s; all runs: {all_rates}), "
            f"{seconds:.2f} s of wall time ({orders / seconds:,.0f} orders/s) at a load average of "
            f"{load:.1f} on {os.cpu_count()} cores; goal >= 100,000 orders/s",
        ),
        RateMeasurement(
            P50_KEY,
            round(p50, 1),
            "us",
            f"one order through Venue.submit, {latency_orders:,} orders timed one by one (perf_counter_ns); "
            f"with the journal written and flushed per order (no fsync): p50 {j50:.1f} us, p99 {j99:.1f} us",
        ),
        RateMeasurement(
            P99_KEY,
            round(p99, 1),
            "us",
            "as the p50; the slow tail is orders that sweep several levels",
        ),
    ]


def _latencies(config: VenueConfig, flow: list[Any], journal: Journal | None) -> list[float]:
    venue, now = _engine(config, journal)
    submit = venue.submit
    clock = time.perf_counter_ns
    out = []
    gc.collect()
    gc.disable()
    try:
        for participant, investor, symbol, side, price, qty in flow:
            t0 = clock()
            submit(participant, investor, symbol, side, price, qty, now)
            out.append((clock() - t0) / 1000)
    finally:
        gc.enable()
    return out


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = quantiles(values, n=100)
    return cuts[49], cuts[98]


def measure_settlement(ctx: BenchContext, trades: int = SETTLED_TRADES) -> Outcome:
    """``trades`` executions matched by the engine (facts read from the chain) and settled by
    the venue's own settlement path (kabuto.venue.settlement: dry run, executions file,
    kabuto.ops.settle) as one netted batch among 20 investors; its gas / trades."""
    from kabuto.bench.peers.kabuto import deploy
    from kabuto.manifest import save_manifest
    from kabuto.ops import trading
    from kabuto.ops.chain import Platform
    from kabuto.venue.chainfacts import ChainFacts
    from kabuto.venue.settlement import Settler

    workdir = Path(tempfile.mkdtemp(prefix="kabuto-bench-venue-"))
    kp = deploy(ctx, workdir)
    token = kp.token
    investors: list[tuple[str, Any]] = []
    for _ in range(20):
        wallet = kp.investor(ctx)
        investors.append((f"B{kp.onboarded:07d}", wallet))
    wallets = [w.address for _, w in investors]
    token.batchIssue(wallets, [trades] * len(wallets), b"", sender=kp.ops.issuer)
    symbol = str(token.symbol())
    manifest = kp.platform.manifest.with_token(symbol, str(token.address), "Class1", "bond")
    save_manifest(manifest, kp.platform.path)
    platform = Platform(manifest, kp.platform.directory)
    for _, wallet in investors:
        platform.yen.mint(wallet, 10**12, sender=kp.ops.trust_bank)
        trading.prepare_venue_trade(platform, token, wallet, trades)
        trading.allow_venue_payment(platform, wallet, 10**12)
    config = bench_config(symbol, [(i, str(w.address)) for i, w in investors], 1_000)
    venue = Venue(config, ChainFacts(platform, [symbol]), DAY)
    now = datetime(2027, 2, 1, 9, 0, tzinfo=JST)
    venue.advance(now)
    part = {inv.id: p.id for p in config.participants for inv in p.investors}
    n = len(investors)
    for k in range(trades):  # each investor sells to another in turn, one unit a trade
        seller, buyer = investors[k % n][0], investors[(k + 1 + (k // n) % (n - 1)) % n][0]
        price = 1_000 + k % 7
        venue.submit(part[seller], seller, symbol, "sell", price, 1, now)
        venue.submit(part[buyer], buyer, symbol, "buy", price, 1, now)
    expect(len(venue.unsettled()) == trades, f"the engine matched {len(venue.unsettled())} trades")
    result = Settler(venue, platform, kp.ops.venue_agent, workdir / "batches").settle_round()
    expect(
        len(result.batches) == 1 and not result.fails and len(result.batches[0].trades) == trades,
        f"the venue did not settle its {trades} trades in one batch: {result}",
    )
    receipt = kp.ops.venue_agent.history[-1]
    expect(receipt.method_called.name == "settleBatch", "the last transaction is not the batch")
    measured = gas_of(GAS_KEY, [receipt])
    return type(measured)(
        GAS_KEY,
        measured.gas // trades,
        1,
        f"settleBatch of {trades:,} executions matched by kabuto.venue among {n} investors in one "
        f"security, settled by kabuto.venue.settlement (dry run, executions file, kabuto.ops.settle): "
        f"{measured.gas:,} gas in one transaction; yen netted to one payment per investor; "
        "the investors' standing locks and allowances are setup, not per trade",
    )


def measure(ctx: BenchContext) -> list[Outcome]:
    return [*measure_matching(), measure_settlement(ctx)]


PEER = Peer(name="venue", title="kabuto.venue (PTS)", keys=KEYS, measure=measure)
