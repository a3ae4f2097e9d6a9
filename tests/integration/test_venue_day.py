"""The reference PTS on the chain: a day's order flow through kabuto.venue, every execution
settled through BatchSettlement or on the fails list with its reason, every investor's units
and yen moved by exactly its settled executions; and a crash between forming and recording a
batch that neither settles a trade twice nor loses one."""

from __future__ import annotations

from datetime import date

import pytest
from jobs_support import EXAMPLES, RETRUST, STBOND, investor, issue

from kabuto.ops import trading
from kabuto.ops.export import export_register
from kabuto.ops.settle import plan_batch, settle
from kabuto.venue.chainfacts import ChainFacts
from kabuto.venue.config import load_venue_config
from kabuto.venue.demo import standing_authorisations, trade_day
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts
from kabuto.venue.files import write_executions
from kabuto.venue.journal import Journal, read_journal
from kabuto.venue.replay import replay
from kabuto.venue.settlement import Settler, submit_batch

DAY = date(2027, 2, 1)
CONFIG = load_venue_config(EXAMPLES / "venue.yaml")
SYMBOLS = [p.symbol for p in CONFIG.products]
WALLETS = [inv.wallet for p in CONFIG.participants for inv in p.investors]


@pytest.fixture(scope="module")
def module_world(module_world):
    for files in (STBOND, RETRUST):
        issue(module_world, *files)
    platform = module_world.platform
    trading.mint_yen(
        platform,
        module_world.ops.trust_bank,
        {str(investor(n).address): 10_000_000 for n in range(1, 13)},
    )
    standing_authorisations(platform, CONFIG, lambda _: None)
    return module_world


def holdings(platform):
    tokens = {s: platform.token(s) for s in SYMBOLS}
    return {
        w: {"yen": int(platform.yen.balanceOf(w))}
        | {s: int(t.balanceOf(w)) for s, t in tokens.items()}
        for w in WALLETS
    }


def expected_after(before, venue):
    after = {w: dict(v) for w, v in before.items()}
    for state in venue.trades.values():
        if state.status != "settled":
            continue
        e = state.execution
        after[e.buyer_wallet][e.symbol] += e.quantity
        after[e.seller_wallet][e.symbol] -= e.quantity
        after[e.buyer_wallet]["yen"] -= e.yen_amount
        after[e.seller_wallet]["yen"] += e.yen_amount
    return after


def test_a_day_of_order_flow__every_execution_settled_or_failed__balances_equal_the_executions(
    world, tmp_path
):
    platform = world.platform
    before = holdings(platform)
    result = trade_day(
        platform, world.ops, CONFIG, DAY, tmp_path, seed=11, orders=70, echo=lambda _: None
    )
    venue = result.venue
    statuses = {t.status for t in venue.trades.values()}
    assert venue.trades and statuses <= {"settled", "failed"}
    settled = [t for t in venue.trades.values() if t.status == "settled"]
    assert settled and any(t.execution.phase == "open_auction" for t in venue.trades.values())
    for fail in venue.fails():
        assert fail.reason and fail.code is not None  # every fail names the token's code
    assert holdings(platform) == expected_after(before, venue)
    failed_ids = {t.execution.trade_id for t in venue.fails()}
    assert failed_ids, "the day's flow includes refused deliveries (frozen wallet, min holding)"
    assert {f["trade_id"] for f in result.report.data["fails"]} == failed_ids
    assert sum(s["failed"] for s in result.report.data["securities"]) == len(failed_ids)
    # The register shows the venue's deliveries like any other transfer: every settled buyer
    # holds what the chain says, and the register reconciles with the balances and the supply.
    for symbol in SYMBOLS:
        export = export_register(
            platform, symbol, str(world.ops.issuer.address), tmp_path / "registers", world.keys
        )
        assert export.register.reconciliation.ok
        units = {e.wallet: e.units for e in export.register.entries}
        for state in settled:
            if state.execution.symbol == symbol:
                buyer = state.execution.buyer_wallet
                assert units[buyer] == platform.token(symbol).balanceOf(buyer) > 0
    journal = read_journal(result.venue.journal.path)
    assert Venue.replay(CONFIG, StaticFacts(), journal).snapshot() == venue.snapshot()


def test_a_crash_after_a_batch_settled_but_before_it_was_recorded__settles_nothing_twice(
    world, tmp_path
):
    platform, agent = world.platform, world.ops.venue_agent
    path = tmp_path / "journal.jsonl"
    venue = Venue(CONFIG, ChainFacts(platform, SYMBOLS), DAY, None, Journal(path))
    venue.advance(venue.sessions.at(DAY, CONFIG.sessions.open_auction))
    now = venue.sessions.at(DAY, CONFIG.sessions.open_auction)
    seller, buyer = CONFIG.participants[0].investors[2], CONFIG.participants[1].investors[0]
    venue.submit("SEC-A", seller.id, "STBOND1", "sell", 100_000, 3, now)
    venue.submit("SEC-B", buyer.id, "STBOND1", "buy", 100_000, 3, now)
    before = holdings(platform)
    trade_ids = [e.trade_id for e in venue.unsettled()]
    reference = "crash-test-batch"
    venue.mark_batched(reference, trade_ids)
    file = write_executions(
        tmp_path / f"{reference}.csv", [venue.trades[i].execution for i in trade_ids]
    )
    submit_batch(platform, file, agent, reference)  # settled on chain; the venue "crashes" now

    restarted = Venue.replay(
        CONFIG, ChainFacts(platform, SYMBOLS), read_journal(path), Journal(path)
    )
    outcome = Settler(restarted, platform, agent, tmp_path).settle_round()
    assert [b.already_settled for b in outcome.batches] == [True]
    assert {restarted.trades[i].status for i in trade_ids} == {"settled"}
    assert holdings(platform) == expected_after(before, restarted)  # moved once
    again = Settler(restarted, platform, agent, tmp_path).settle_round()
    assert again.batches == [] and again.fails == []


def test_the_replay_tools_executions_file_settles_with_settle_batch(world, tmp_path):
    platform, agent = world.platform, world.ops.venue_agent
    out = tmp_path / "executions.csv"
    replay(CONFIG, EXAMPLES / "venue-orders.csv", DAY, out)
    before = holdings(platform)
    report = settle(plan_batch(platform, out, agent), agent)
    assert not report.already_settled and report.trades == 9
    after = holdings(platform)
    moved = sum(abs(after[w]["STBOND1"] - before[w]["STBOND1"]) for w in WALLETS)
    assert moved == 2 * 18  # 18 STBOND1 units changed hands, each counted at both ends
