"""kabuto.coupons: the reference amounts the on-chain payments must equal (pure, no chain)."""

from datetime import date

import pytest

from kabuto.coupons import (
    INDIVIDUAL,
    NO_TAX,
    BondTerms,
    CouponError,
    DayCount,
    PerUnit,
    Withholding,
    add_months,
    coupon,
    holder_payments,
    is_regular_period,
    jst_day,
    jst_midnight,
    redeemed_units,
    required_funding,
)


def sbi_bond(
    issue: date, payments: tuple[date, ...], day_count: DayCount = DayCount.REGULAR_PERIODS_EQUAL
) -> BondTerms:
    """100,000 yen units, 0.35% a year, two coupons a year (SBI's first ST bond)."""
    return BondTerms(
        face_value=100_000,
        coupon_rate=3_500,
        coupons_per_year=2,
        issue_date=jst_midnight(issue),
        maturity_date=jst_midnight(payments[-1]),
        redemption_value=100_000,
        interest_payment_dates=tuple(jst_midnight(d) for d in payments),
        day_count=day_count,
    )


def test_regular_semi_annual_coupon__pays_half_the_annual_rate():
    terms = sbi_bond(date(2026, 1, 15), (date(2026, 7, 15), date(2027, 1, 15)))
    for index in (0, 1):  # 181 and 184 days: the same 175 yen
        c = coupon(terms, index)
        assert c.regular
        assert c.per_unit.gross(1) == 175
        assert c.per_unit.gross(7) == 1_225


def test_short_first_period__actual_365_truncated_per_holder_not_per_unit():
    terms = sbi_bond(date(2026, 3, 2), (date(2026, 7, 15), date(2027, 1, 15)))
    first = coupon(terms, 0)
    assert not first.regular and first.days == 135
    # 100,000 x 0.35% x 135 / 365 = 129.452... per unit
    assert first.per_unit.gross(1) == 129
    assert first.per_unit.gross(3) == 388  # 388.356, not 3 x 129 = 387
    assert coupon(terms, 1).per_unit.gross(1) == 175


def test_actual_365_fixed_convention__every_period_by_days():
    terms = sbi_bond(
        date(2026, 1, 15), (date(2026, 7, 15), date(2027, 1, 15)), DayCount.ACTUAL_365_FIXED
    )
    assert coupon(terms, 0).per_unit.gross(1) == 173  # 181 days: 173.56
    assert coupon(terms, 1).per_unit.gross(1) == 176  # 184 days: 176.43


def test_month_end_schedule__is_regular_both_ways():
    assert is_regular_period(date(2026, 8, 31), date(2027, 2, 28), 2)
    assert is_regular_period(date(2027, 2, 28), date(2027, 8, 31), 2)
    assert not is_regular_period(date(2026, 8, 30), date(2027, 2, 27), 2)
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)


def test_jst_day__is_utc_plus_nine():
    # 2026-07-14 15:00 UTC is 2026-07-15 00:00 JST
    assert jst_day(jst_midnight(date(2026, 7, 15))) == date(2026, 7, 15)
    assert jst_day(jst_midnight(date(2026, 7, 15)) - 1) == date(2026, 7, 14)


def test_withholding__individual_rate_truncates_each_part():
    assert INDIVIDUAL.tax(175) == 26 + 8  # 26.80 and 8.75
    assert INDIVIDUAL.tax(1_000_000) == 203_150
    assert NO_TAX.tax(175) == 0
    with pytest.raises(CouponError, match="withholding rates"):
        Withholding(national=900_000, local=200_000)


def test_holder_payments__reconcile_with_required_funding():
    per_unit = coupon(sbi_bond(date(2026, 3, 2), (date(2026, 7, 15),)), 0).per_unit
    balances = {"a": 3, "b": 5, "c": 0, "d": 11}
    lines = holder_payments(balances, per_unit, {"a": INDIVIDUAL})
    assert [line.holder for line in lines] == ["a", "b", "d"]
    funded = required_funding(sum(balances.values()), per_unit)
    gross = sum(line.gross for line in lines)
    assert gross <= funded and funded - gross < len(lines)  # residue below one yen per holder
    assert sum(line.net + line.tax for line in lines) == gross


def test_redeemed_units__pro_rata_truncated():
    assert redeemed_units(7, 1, 3) == 2
    assert redeemed_units(9, 1, 1) == 9
    with pytest.raises(CouponError):
        redeemed_units(9, 0, 1)


def test_invalid_terms__say_what_to_fix():
    with pytest.raises(CouponError, match="divide 12"):
        BondTerms(100_000, 3_500, 5, 0, 1, 100_000, (1,))
    with pytest.raises(CouponError, match="coupon 2 does not exist"):
        coupon(sbi_bond(date(2026, 1, 15), (date(2026, 7, 15),)), 2)
    with pytest.raises(CouponError):
        PerUnit(1, 0)
