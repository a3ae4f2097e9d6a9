"""JstCalendar (on-chain) against Python's calendar (kabuto.coupons): the same days, months, periods."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.coupons import add_months, is_regular_period, jst_midnight

EPOCH = date(1970, 1, 1)
dates = st.dates(min_value=date(1971, 1, 1), max_value=date(2199, 12, 31))


@pytest.fixture(scope="module")
def calendar(project, deployer):
    return deployer.deploy(project.JstCalendarHarness)


def day_number(d: date) -> int:
    return (d - EPOCH).days


@settings(max_examples=40, deadline=None)
@given(d=dates, months=st.sampled_from([1, 2, 3, 4, 6, 12]), forward=st.booleans())
def test_add_months__matches_python(calendar, d, months, forward):
    assert calendar.civilFromDays(day_number(d)) == (d.year, d.month, d.day)
    expected = add_months(d, months if forward else -months)
    assert calendar.addMonths(day_number(d), months, forward) == day_number(expected)


@settings(max_examples=30, deadline=None)
@given(
    start=dates, length=st.integers(min_value=1, max_value=400), cpy=st.sampled_from([1, 2, 4, 12])
)
def test_is_whole_months__matches_python(calendar, start, length, cpy):
    end = start + timedelta(days=length)
    assert calendar.isWholeMonths(
        jst_midnight(start), jst_midnight(end), 12 // cpy
    ) == is_regular_period(start, end, cpy)


@pytest.mark.parametrize(
    "start,end,regular",
    [
        (date(2026, 1, 15), date(2026, 7, 15), True),
        (date(2026, 8, 31), date(2027, 2, 28), True),
        (date(2027, 2, 28), date(2027, 8, 31), True),
        (date(2024, 2, 29), date(2024, 8, 29), True),
        (date(2026, 3, 2), date(2026, 7, 15), False),
    ],
)
def test_is_whole_months__known_periods(calendar, start, end, regular):
    assert calendar.isWholeMonths(jst_midnight(start), jst_midnight(end), 6) is regular


def test_day_of__jst_midnight_boundary(calendar):
    midnight = jst_midnight(date(2026, 7, 15))
    assert calendar.dayOf(midnight) == day_number(date(2026, 7, 15))
    assert calendar.dayOf(midnight - 1) == day_number(date(2026, 7, 14))
