"""The PTS calendar (JST) and the day's phases."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from venue_support import config

from kabuto.domain import JST
from kabuto.venue.calendar import (
    Phase,
    Sessions,
    closed_reason,
    is_trading_day,
    next_trading_day,
    previous_trading_day,
)
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts

SESSIONS = Sessions(time(8), time(9), time(15, 25), time(15, 30))


@pytest.mark.parametrize(
    "day, why",
    [
        (date(2027, 2, 6), "Saturday"),
        (date(2027, 2, 7), "Sunday"),
        (date(2027, 2, 11), "national holiday"),  # 建国記念の日
        (date(2027, 3, 22), "national holiday"),  # 振替休日 for the equinox on a Sunday
        (date(2026, 9, 22), "national holiday"),  # 国民の休日 between two holidays
        (date(2027, 1, 4), None),  # the first business day of the year
        (date(2027, 1, 2), "Saturday"),
        (date(2029, 1, 3), "year-start"),  # a Wednesday
        (date(2029, 12, 31), "year-end"),  # a Monday
        (date(2027, 12, 30), None),  # the last trading day of 2027
    ],
)
def test_closed_reason(day, why):
    reason = closed_reason(day)
    assert (reason is None) if why is None else why in reason


def test_next_and_previous_trading_days_skip_holidays():
    assert next_trading_day(date(2027, 12, 30)) == date(2028, 1, 4)
    assert previous_trading_day(date(2027, 2, 12)) == date(2027, 2, 10)
    assert is_trading_day(date(2027, 2, 12))


@pytest.mark.parametrize(
    "clock, phase",
    [
        ("07:59:59", Phase.CLOSED),
        ("08:00:00", Phase.PRE_OPEN),
        ("08:59:59", Phase.PRE_OPEN),
        ("09:00:00", Phase.CONTINUOUS),
        ("15:24:59", Phase.CONTINUOUS),
        ("15:25:00", Phase.PRE_CLOSE),
        ("15:29:59", Phase.PRE_CLOSE),
        ("15:30:00", Phase.CLOSED),
    ],
)
def test_phase_at__boundaries_in_jst(clock, phase):
    moment = datetime.combine(date(2027, 2, 1), time.fromisoformat(clock), JST)
    assert SESSIONS.phase_at(moment) is phase


def test_phase_at__reads_any_timezone_as_jst_and_a_holiday_is_closed():
    utc_open = datetime(2027, 2, 1, 0, 30, tzinfo=UTC)  # 09:30 JST
    assert SESSIONS.phase_at(utc_open) is Phase.CONTINUOUS
    holiday = datetime.combine(date(2027, 2, 11), time(10), JST)
    assert SESSIONS.phase_at(holiday) is Phase.CLOSED
    assert SESSIONS.phase_at(utc_open - timedelta(hours=9)) is Phase.CLOSED  # 00:30 JST


def test_venue_refuses_to_open_on_a_closed_day():
    with pytest.raises(ValueError, match="national holiday"):
        Venue(config(), StaticFacts(open=True), date(2027, 2, 11))


def test_sessions_must_be_in_order():
    with pytest.raises(ValueError, match="in order"):
        Sessions(time(9), time(8), time(15), time(16))
