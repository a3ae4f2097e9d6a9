"""Property tests of the engine (Hypothesis): random order flow through a whole day.

- after every event of the continuous session the book is not crossed;
- every executed quantity is matched by an opposite one: each execution has a buy and a sell
  order whose limits it respects, at a price on the tick and inside the day's band, and each
  order's fills add up to what it filled;
- the itayose price executes the most volume any price could, and satisfies the exchange's
  conditions (buys above and sells below it execute in full, one side at it in full);
- replaying the journal gives the same books, executions and commitments.

`make test` runs a modest number of examples; `make venue-properties` runs many
(KABUTO_VENUE_EXAMPLES).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from venue_support import DAY, PARTICIPANT, WALLETS, at, config

from kabuto.venue.auction import auction_price
from kabuto.venue.calendar import Phase
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts
from kabuto.venue.journal import Journal, read_journal

EXAMPLES = int(os.environ.get("KABUTO_VENUE_EXAMPLES", "60"))
REFERENCE = 900  # band 800-1000 with the test tables; ticks of 1 to 1000, 5 above
INVESTORS = sorted(PARTICIPANT)
PROFILE = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Mostly near the reference (trades), sometimes anywhere (off tick, outside the band).
prices = st.one_of(st.integers(885, 915), st.integers(885, 915), st.integers(780, 1015))
submit = st.tuples(
    st.just("submit"),
    st.sampled_from(INVESTORS),
    st.sampled_from(["buy", "sell"]),
    prices,
    st.integers(1, 30),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 40))
amend = st.tuples(
    st.just("amend"),
    st.integers(0, 40),
    st.one_of(st.none(), prices),
    st.one_of(st.none(), st.integers(1, 40)),
)
command = st.one_of(submit, submit, submit, cancel, amend)
# The day's three parts: the call period before the open, the continuous session, the call
# period before the close (the opening and closing auctions run between them).
day_flow = st.tuples(
    st.lists(command, max_size=25),
    st.lists(command, min_size=5, max_size=100),
    st.lists(command, max_size=20),
)


def run_day(commands, journal=None):
    facts = StaticFacts(open=True, pair_codes={("ST", WALLETS["INV-A"], WALLETS["INV-C"]): 8})
    v = Venue(config(), facts, DAY, {"ST": REFERENCE}, journal)
    v.limits_at_execution = {}

    def record_limits(event):  # the orders' limits when each execution happened
        if event["type"] == "execution":
            buy, sell = v.orders[event["buy_order"]], v.orders[event["sell_order"]]
            v.limits_at_execution[event["trade_id"]] = (buy.price, sell.price)

    v.listeners.append(record_limits)
    v.advance(at("08:00"))
    clock = {"minute": 0}
    phases = [at("09:00"), at("15:25"), at("15:30")]
    crossed_after = []

    def now():
        clock["minute"] += 1
        base = {Phase.PRE_OPEN: "08:00", Phase.CONTINUOUS: "09:00", Phase.PRE_CLOSE: "15:25"}
        start = at(base.get(v.phase, "15:30"))
        return start.replace(second=clock["minute"] % 60)

    flow = [c for part in commands for c in (*part, ("phase",))]
    for command in flow:
        if command[0] == "phase":
            v.advance(phases.pop(0))
            continue
        if command[0] == "submit":
            _, investor, side, price, qty = command
            v.submit(PARTICIPANT[investor], investor, "ST", side, price, qty, now())
        elif command[0] == "cancel":
            order = v.orders.get(command[1])
            if order is not None:
                v.cancel(order.participant, order.order_id, now())
        else:
            order = v.orders.get(command[1])
            if order is not None:
                v.amend(order.participant, order.order_id, now(), command[2], command[3])
        if v.phase is Phase.CONTINUOUS and v.books["ST"].is_crossed():
            crossed_after.append(command)
    return v, crossed_after


@PROFILE
@given(day_flow)
def test_the_book_is_never_crossed_after_a_continuous_session_event(commands):
    _, crossed_after = run_day(commands)
    assert crossed_after == []


@PROFILE
@given(day_flow)
def test_every_execution_is_matched_inside_the_band_on_the_tick(commands):
    v, _ = run_day(commands)
    rules = v.rules["ST"]
    filled_by_trades = defaultdict(int)
    for state in v.trades.values():
        e = state.execution
        buy, sell = v.orders[e.buy_order], v.orders[e.sell_order]
        assert (buy.side, sell.side) == ("buy", "sell")
        assert e.buyer != e.seller
        assert rules.refusal(e.price) is None, e
        assert e.quantity > 0
        buy_limit, sell_limit = v.limits_at_execution[e.trade_id]
        assert sell_limit <= e.price <= buy_limit
        filled_by_trades[e.buy_order] += e.quantity
        filled_by_trades[e.sell_order] += e.quantity
    for order_id, order in v.orders.items():
        assert order.filled == filled_by_trades.get(order_id, 0)
    bought = sum(e.execution.quantity for e in v.trades.values())
    assert bought == sum(o.filled for o in v.orders.values() if o.side == "sell")


@PROFILE
@given(
    st.lists(st.tuples(st.integers(800, 1000), st.integers(1, 50)), max_size=12),
    st.lists(st.tuples(st.integers(800, 1000), st.integers(1, 50)), max_size=12),
)
def test_the_itayose_price_executes_the_most_and_meets_the_exchange_conditions(bids, asks):
    result = auction_price(bids, asks, REFERENCE)

    def volume(p):
        return min(sum(q for b, q in bids if b >= p), sum(q for a, q in asks if a <= p))

    best = max((volume(p) for p in range(800, 1001)), default=0)
    if result is None:
        assert best == 0
        return
    p = result.price
    assert result.volume == volume(p) == best
    above = sum(q for b, q in bids if b > p)
    below = sum(q for a, q in asks if a < p)
    at_buy = sum(q for b, q in bids if b == p)
    at_sell = sum(q for a, q in asks if a == p)
    assert above <= result.volume and below <= result.volume  # all better orders execute
    assert result.volume in (above + at_buy, below + at_sell)  # one side at p in full


@PROFILE
@given(day_flow)
def test_replaying_the_journal_gives_the_same_venue(commands):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.jsonl"
        v, _ = run_day(commands, Journal(path, durable=False))
        replayed = Venue.replay(config(), StaticFacts(), read_journal(path))
        assert replayed.snapshot() == v.snapshot()
