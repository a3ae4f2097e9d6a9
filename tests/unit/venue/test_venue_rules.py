"""Tick tables (呼値の単位) and price-limit bands (制限値幅)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.venue.config import load_venue_config
from kabuto.venue.rules import BandTable, PriceRules, RuleTableError, TickTable

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TSE_TICKS = TickTable("tse", ((3000, 1), (5000, 5), (30000, 10), (None, 50)))


@pytest.mark.parametrize(
    "price, tick", [(1, 1), (3000, 1), (3001, 5), (5000, 5), (5001, 10), (30000, 10), (30001, 50)]
)
def test_tick_at__upper_bound_of_a_range_is_inclusive(price, tick):
    assert TSE_TICKS.tick_at(price) == tick


@pytest.mark.parametrize(
    "price, valid",
    [(2999, True), (3005, True), (3003, False), (5010, True), (5005, False), (0, False)],
)
def test_on_tick__a_price_is_a_multiple_of_its_own_ranges_tick(price, valid):
    assert TSE_TICKS.on_tick(price) is valid


def test_rounding_to_the_tick():
    assert (TSE_TICKS.round_down(3003), TSE_TICKS.round_up(3003)) == (3000, 3005)
    assert TSE_TICKS.round_nearest(3003) == 3005 and TSE_TICKS.round_nearest(3002) == 3000
    assert TSE_TICKS.round_up(4999) == 5000 and TSE_TICKS.round_up(5001) == 5010


def test_band_width__reference_strictly_below_the_bound():
    bands = BandTable("b", ((100, 30), (200, 50), (None, 80)))
    assert [bands.width(p) for p in (99, 100, 199, 200, 10**9)] == [30, 50, 50, 80, 80]


def test_price_rules_for_day__band_on_the_tick_and_never_below_one_tick():
    bands = BandTable("b", ((None, 3003),))
    rules = PriceRules.for_day(TSE_TICKS, bands, 3000)
    assert (rules.lower, rules.upper) == (1, 6000)  # 6003 is off the 5-yen tick: rounded in
    assert rules.refusal(6000) is None
    assert rules.refusal(6010)[0] == "band"
    assert rules.refusal(3003)[0] == "tick"
    assert rules.refusal(0)[0] == "tick"


@pytest.mark.parametrize(
    "rows, message",
    [
        ((), "no rows"),
        (((100, 1),), "last row"),
        (((100, 1), (50, 1), (None, 5)), "ascending"),
        (((101, 2), (None, 5)), "does not end on its own tick"),
        (((100, 0), (None, 5)), "positive"),
    ],
)
def test_tick_table__unusable_tables_are_refused_with_the_row_to_fix(rows, message):
    with pytest.raises(RuleTableError, match=message):
        TickTable("bad", rows)


def test_example_real_estate_table__same_tick_on_both_sides_of_the_100000_yen_issue_price():
    config = load_venue_config(EXAMPLES / "venue.yaml")
    new = config.tick_table("realestate_beneficiary")
    old = config.tick_table("realestate_beneficiary_2023")
    for issue_price in (100_000, 1_000_000):  # START's products and RETRUST1
        assert (
            new.tick_at(issue_price - 1) == new.tick_at(issue_price) == new.tick_at(issue_price + 1)
        )
    assert (old.tick_at(100_000), old.tick_at(100_001)) == (1, 5)  # what START changed
    retrust = config.product_by_symbol["RETRUST1"]
    rules = PriceRules.for_day(
        config.tick_table(retrust.tick_table),
        config.band_table(retrust.band_table),
        retrust.issue_price,
    )
    assert (rules.lower, rules.upper) == (900_000, 1_100_000)


@st.composite
def _tick_tables(draw: st.DrawFn) -> TickTable:
    """Tables of one to four ranges, each bound on its own range's tick (any tick order)."""
    rows: list[tuple[int | None, int]] = []
    bound = 0
    for _ in range(draw(st.integers(0, 3))):
        tick = draw(st.sampled_from([1, 2, 5, 10, 50]))
        bound = (bound // tick + draw(st.integers(1, 60))) * tick
        rows.append((bound, tick))
    rows.append((None, draw(st.sampled_from([1, 2, 5, 10, 50]))))
    return TickTable("drawn", tuple(rows))


@settings(max_examples=300, deadline=None)
@given(
    ticks=_tick_tables(),
    width=st.integers(1, 400),
    reference=st.integers(1, 1500),
    price=st.integers(-5, 3000),
)
def test_the_quick_price_check_agrees_with_the_explained_refusal(ticks, width, reference, price):
    """Differential: PriceRules.quotable and the band's one tick (the engine's fast path)
    accept exactly the prices PriceRules.refusal (the plain path) does not refuse."""
    rules = PriceRules.for_day(ticks, BandTable("w", ((None, width),)), reference)
    plain = rules.refusal(price) is None
    assert rules.quotable(price) is plain
    if rules.band_tick:
        assert all(ticks.tick_at(p) == rules.band_tick for p in range(rules.lower, rules.upper + 1))
        quick = rules.lower <= price <= rules.upper and not price % rules.band_tick
        assert quick is plain
