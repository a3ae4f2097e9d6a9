"""Pre-trade checks (each refused with a reason), cancel and amend, self-match prevention."""

import pytest
from venue_support import DAY, WALLETS, at, config, order, venue

from kabuto.onchain_types import Restriction
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts


def queue(v, side="sell", price=1000):
    book = v.books["ST"]
    level = (book.asks if side == "sell" else book.bids).levels.get(price, [])
    return [(o.order_id, o.qty) for o in level if o.qty]


def test_refusals_before_the_open_and_after_the_close():
    v = Venue(config(), StaticFacts(open=True), DAY)
    ack = order(v, "INV-A", "sell", 1000, 1, "07:59")
    assert (ack.status, ack.reason) == ("refused", "market_closed")
    assert "08:00" in ack.text
    v.advance(at("15:30"))
    ack = order(v, "INV-A", "sell", 1000, 1, "15:31")
    assert ack.reason == "market_closed" and "over" in ack.text


@pytest.mark.parametrize(
    "args, reason",
    [
        (("P1", "INV-A", "XX", "buy", 1000, 1), "unknown_symbol"),
        (("P9", "INV-A", "ST", "buy", 1000, 1), "unknown_participant"),
        (("P2", "INV-A", "ST", "buy", 1000, 1), "not_participants_investor"),
        (("P1", "INV-A", "ST", "hold", 1000, 1), "invalid"),
        (("P1", "INV-A", "ST", "buy", 1000, 0), "size"),
        (("P1", "INV-A", "ST", "buy", 1000, 1001), "size"),
        (("P1", "INV-A", "ST", "buy", 1003, 1), "tick"),
        (("P1", "INV-A", "ST", "buy", 2010, 1), "band"),
    ],
)
def test_each_static_check_refuses_with_its_reason(args, reason):
    v = venue()
    ack = v.submit(*args, at("10:00"))
    assert (ack.status, ack.reason) == ("refused", reason)
    assert ack.text and v.books["ST"].live == {}


def test_eligibility_from_the_registry_refuses_the_investor():
    facts = StaticFacts(open=True, ineligible={WALLETS["INV-A"]: "KYC expired 2027-01-31"})
    ack = order(venue(facts), "INV-A", "buy", 1000, 1)
    assert ack.reason == "not_eligible" and "KYC expired" in ack.text


def test_sell_must_be_covered_by_units_locked_to_the_venue_less_open_sells():
    facts = StaticFacts(locks={("ST", WALLETS["INV-A"]): 10}, yen_by_wallet={})
    v = venue(facts)
    assert order(v, "INV-A", "sell", 1000, 7).status == "accepted"
    ack = order(v, "INV-A", "sell", 1000, 4)
    assert ack.reason == "sell_not_covered" and "3 free" in ack.text
    assert order(v, "INV-A", "sell", 1000, 3).status == "accepted"


def test_buy_must_be_covered_by_yen_allowed_less_open_buys_and_unsettled_trades():
    facts = StaticFacts(
        locks={("ST", WALLETS["INV-A"]): 100}, yen_by_wallet={WALLETS["INV-C"]: 10_000}
    )
    v = venue(facts)
    order(v, "INV-A", "sell", 1000, 5)
    assert order(v, "INV-C", "buy", 1000, 5).status == "accepted"  # traded: 5,000 unsettled
    assert order(v, "INV-C", "buy", 995, 5).status == "accepted"  # 4,975 open
    ack = order(v, "INV-C", "buy", 990, 1)
    assert ack.reason == "buy_not_covered" and "25 yen free" in ack.text
    v.mark_batched("b", list(v.trades))
    v.mark_settled("b")  # the chain took the yen: with StaticFacts it stays allowed here
    assert order(v, "INV-C", "buy", 990, 5).status == "accepted"


def test_a_client_order_id_is_used_once_a_day_per_participant():
    v = venue()
    assert v.submit("P1", "INV-A", "ST", "buy", 990, 1, at("10:00"), "c-1").status == "accepted"
    again = v.submit("P1", "INV-B", "ST", "buy", 990, 1, at("10:01"), "c-1")
    assert again.reason == "duplicate_client_id"
    assert v.submit("P2", "INV-C", "ST", "buy", 990, 1, at("10:01"), "c-1").status == "accepted"


def test_cancel__only_the_owning_participant_and_only_a_live_order():
    v = venue()
    ack = order(v, "INV-A", "sell", 1000, 5)
    assert v.cancel("P2", ack.order_id, at("10:01")).reason == "not_your_order"
    assert v.cancel("P1", ack.order_id, at("10:01")).status == "cancelled"
    assert v.cancel("P1", ack.order_id, at("10:02")).reason == "unknown_order"
    assert v.committed_units.get(("ST", WALLETS["INV-A"]), 0) == 0


def test_amend__size_decrease_keeps_time_priority():
    v = venue()
    first = order(v, "INV-A", "sell", 1000, 5).order_id
    second = order(v, "INV-B", "sell", 1000, 5).order_id
    assert v.amend("P1", first, at("10:05"), quantity=2).status == "amended"
    assert queue(v) == [(first, 2), (second, 5)]


@pytest.mark.parametrize("change", [{"quantity": 6}, {"price": 1005}])
def test_amend__size_increase_or_price_change_loses_time_priority(change):
    v = venue()
    first = order(v, "INV-A", "sell", 1000, 5).order_id
    second = order(v, "INV-B", "sell", 1000, 5).order_id
    v.amend("P1", first, at("10:05"), **change)
    if "price" in change:
        v.amend("P1", first, at("10:06"), price=1000)  # back at 1000: behind the second
    assert queue(v)[0] == (second, 5) and queue(v)[1][0] == first


def test_amend__to_a_marketable_price_trades_at_once():
    v = venue()
    order(v, "INV-C", "buy", 995, 3)
    sell = order(v, "INV-A", "sell", 1005, 5).order_id
    ack = v.amend("P1", sell, at("10:05"), price=995)
    assert [(e.price, e.quantity) for e in ack.executions] == [(995, 3)]
    assert ack.remaining == 2


def test_amend__checks_tick_band_size_and_cover():
    facts = StaticFacts(locks={("ST", WALLETS["INV-A"]): 5})
    v = venue(facts)
    oid = order(v, "INV-A", "sell", 1000, 5).order_id
    assert v.amend("P1", oid, at("10:01"), price=1003).reason == "tick"
    assert v.amend("P1", oid, at("10:01"), price=5000).reason == "band"
    assert v.amend("P1", oid, at("10:01"), quantity=6).reason == "sell_not_covered"
    assert v.amend("P1", oid, at("10:01"), quantity=0).reason == "invalid"


def test_self_match__continuous_cancels_the_rest_of_the_incoming_order():
    v = venue()
    order(v, "INV-C", "sell", 995, 2)
    own = order(v, "INV-A", "sell", 1000, 5).order_id
    ack = order(v, "INV-A", "buy", 1000, 4)
    assert [(e.price, e.quantity) for e in ack.executions] == [(995, 2)]
    assert ack.reason == "self_match" and ack.remaining == 0
    assert queue(v) == [(own, 5)] and not v.books["ST"].is_crossed()


def test_self_match__call_period_refuses_an_order_that_crosses_the_investors_own():
    v = venue(phase="pre_open")
    order(v, "INV-A", "sell", 1000, 5, "08:30")
    ack = order(v, "INV-A", "buy", 1000, 1, "08:31")
    assert ack.reason == "self_match"
    assert order(v, "INV-A", "buy", 995, 1, "08:31").status == "accepted"  # below its sell
    assert order(v, "INV-B", "buy", 1005, 1, "08:31").status == "accepted"  # another investor


def test_token_refusal_of_a_pair_cancels_the_rest_and_names_the_code():
    code = int(Restriction.RECIPIENT_CLASS_NOT_ALLOWED)
    facts = StaticFacts(open=True, pair_codes={("ST", WALLETS["INV-A"], WALLETS["INV-C"]): code})
    v = venue(facts)
    order(v, "INV-A", "sell", 1000, 5)
    ack = order(v, "INV-C", "buy", 1000, 5)
    assert ack.executions == [] and ack.reason == "not_eligible" and ack.code == code
    assert "RECIPIENT_CLASS_NOT_ALLOWED" in ack.text


def test_free_balance_shortfall_is_not_a_refusal_because_the_lock_covers_the_sale():
    code = int(Restriction.INSUFFICIENT_FREE_BALANCE)
    facts = StaticFacts(open=True, pair_codes={("ST", WALLETS["INV-A"], WALLETS["INV-C"]): code})
    v = venue(facts)
    order(v, "INV-A", "sell", 1000, 5)
    assert len(order(v, "INV-C", "buy", 1000, 5).executions) == 1


def test_day_orders_expire_at_the_close_and_release_their_commitments():
    v = venue()
    order(v, "INV-A", "sell", 1005, 5)
    order(v, "INV-C", "buy", 995, 5)
    v.advance(at("15:31"))
    assert v.books["ST"].live == {}
    assert not any(v.committed_yen.values()) and not any(v.committed_units.values())
