"""Continuous session (ザラバ): price-time priority, partial fills, market data."""

from venue_support import WALLETS, at, order, venue

from kabuto.venue.facts import StaticFacts


def fills(ack):
    return [(e.price, e.quantity, e.seller, e.buyer) for e in ack.executions]


def test_incoming_buy_takes_the_best_ask_first_then_the_oldest_at_a_price():
    v = venue()
    order(v, "INV-A", "sell", 1000, 5)  # oldest at 1000
    order(v, "INV-B", "sell", 995, 3)  # best price
    order(v, "INV-A", "sell", 1000, 4)
    ack = order(v, "INV-C", "buy", 1000, 10)
    assert fills(ack) == [
        (995, 3, "INV-B", "INV-C"),
        (1000, 5, "INV-A", "INV-C"),
        (1000, 2, "INV-A", "INV-C"),
    ]
    assert ack.remaining == 0
    assert v.market_data("ST")["asks"] == [(1000, 2)]


def test_executions_are_at_the_resting_orders_price_and_the_rest_rests():
    v = venue()
    order(v, "INV-C", "buy", 990, 10)
    ack = order(v, "INV-A", "sell", 985, 4)
    assert fills(ack) == [(990, 4, "INV-A", "INV-C")]
    ack = order(v, "INV-B", "sell", 995, 7)
    assert ack.executions == [] and ack.remaining == 7
    data = v.market_data("ST")
    assert data["best_bid"] == (990, 6) and data["best_ask"] == (995, 7)
    assert (data["last"], data["volume"], data["turnover"]) == (990, 4, 3960)


def test_a_buy_filled_below_its_limit_commits_only_the_trade_price():
    facts = StaticFacts(open=True)
    v = venue(facts)
    order(v, "INV-A", "sell", 990, 10)
    order(v, "INV-C", "buy", 1000, 10)
    assert v.committed_yen[WALLETS["INV-C"]] == 9900  # until the trade settles


def test_market_data_depth_vwap_and_ohlc():
    v = venue()
    for price in (1000, 995, 1005):
        order(v, "INV-A", "sell", price, 2)
    order(v, "INV-C", "buy", 1005, 6, "10:01")
    data = v.market_data("ST")
    assert data["volume"] == 6 and data["vwap"] == (995 * 2 + 1000 * 2 + 1005 * 2) / 6
    stats = v.stats["ST"]
    assert (stats.open, stats.high, stats.low, stats.close) == (995, 1005, 995, 1005)
    assert v.books["ST"].is_crossed() is False


def test_matching_runs_only_in_the_continuous_session():
    v = venue(phase="pre_open")
    order(v, "INV-A", "sell", 990, 5, "08:10")
    ack = order(v, "INV-C", "buy", 1000, 5, "08:11")
    assert ack.executions == [] and v.books["ST"].is_crossed()
    executions = v.advance(at("09:00"))
    assert [(e.price, e.quantity, e.phase) for e in executions] == [(1000, 5, "open_auction")]
