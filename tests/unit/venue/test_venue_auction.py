"""Itayose (板寄せ): each condition with a worked case (docs/venue.md has the same tables),
and the allocation at the auction price."""

from venue_support import at, order, venue

from kabuto.venue.auction import auction_price


def test_condition_1_most_volume():
    # price:      995  1000  1005
    # buy >= p:    15    15    10
    # sell <= p:    8    14    14
    # executes:     8    14    10   -> 1000
    result = auction_price([(1005, 10), (1000, 5)], [(995, 8), (1000, 6)], reference=1000)
    assert (result.price, result.volume, result.condition) == (1000, 14, "volume")


def test_condition_2_least_surplus():
    # price:      1000  1005
    # buy >= p:     14    10
    # sell <= p:    10    13
    # executes:     10    10   (tie)
    # surplus:      +4    -3   -> 1005
    result = auction_price([(1005, 10), (1000, 4)], [(1000, 10), (1005, 3)], reference=1000)
    assert (result.price, result.volume, result.surplus, result.condition) == (
        1005,
        10,
        -3,
        "surplus",
    )


def test_condition_3_buy_pressure_takes_the_highest():
    # 995: 10 executed, 4 buy units left; 1000: the same; 1005: 4 -> buyers left at both: 1000
    result = auction_price([(1005, 4), (1000, 10)], [(995, 10)], reference=995)
    assert (result.price, result.volume, result.condition) == (1000, 10, "pressure")


def test_condition_3_sell_pressure_takes_the_lowest():
    result = auction_price([(1005, 10)], [(995, 4), (1000, 10)], reference=1005)
    assert (result.price, result.volume, result.condition) == (1000, 10, "pressure")


def test_condition_4_reference_price_between_the_candidates_is_chosen():
    result = auction_price([(1010, 10)], [(990, 10)], reference=1000)
    assert (result.price, result.condition) == (1000, "reference")


def test_condition_4_nearest_the_reference_when_it_is_outside():
    assert auction_price([(1010, 10)], [(990, 10)], reference=1020).price == 1010
    assert auction_price([(1010, 10)], [(990, 10)], reference=980).price == 990


def test_no_crossing_orders_no_price():
    assert auction_price([(990, 10)], [(1000, 10)], reference=995) is None
    assert auction_price([], [(1000, 10)], reference=995) is None


def test_opening_auction_allocates_by_price_then_time_and_leaves_an_uncrossed_book():
    v = venue(phase="pre_open")
    order(v, "INV-A", "sell", 995, 6, "08:01")
    order(v, "INV-A", "sell", 990, 3, "08:02")  # better price: first
    order(v, "INV-C", "buy", 1000, 4, "08:03")
    order(v, "INV-B", "buy", 1000, 4, "08:04")  # the second buyer at 1000: filled after INV-C
    executions = v.advance(at("09:00"))
    # 990: buy 8, sell 3 -> 3; 995: 8/9 -> 8; 1000: 8/9 -> 8; least surplus 1 at both, sell
    # surplus at both -> the lowest, 995.
    assert [(e.price, e.quantity, e.seller, e.buyer) for e in executions] == [
        (995, 3, "INV-A", "INV-C"),
        (995, 1, "INV-A", "INV-C"),
        (995, 4, "INV-A", "INV-B"),
    ]
    assert v.market_data("ST")["asks"] == [(995, 1)] and not v.books["ST"].is_crossed()
    assert all(e.phase == "open_auction" for e in executions)


def test_closing_auction_sets_the_close_and_the_next_reference():
    v = venue(phase="pre_close")
    order(v, "INV-A", "sell", 1010, 5, "15:26")
    order(v, "INV-C", "buy", 1010, 5, "15:27")
    executions = v.advance(at("15:30"))
    assert [(e.price, e.phase) for e in executions] == [(1010, "close_auction")]
    assert v.closes() == {"ST": 1010}
