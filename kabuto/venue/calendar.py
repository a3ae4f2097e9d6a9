"""The PTS calendar and the day's phases, in Japan Standard Time.

Trading days are the venue's business days: not a Saturday or Sunday, not a national holiday
(国民の祝日, with substitute holidays and the citizens' holiday as the Act on National Holidays
defines them; kabuto.business_days, by ``jpholiday``), not the first three days of the year
and not 31 December (ODX's PTS calendar).

A day has four phases: order entry before the open is a call period (板寄せの注文受付) with no
matching; the opening auction (寄付) sets one price and starts the continuous session (ザラバ);
the pre-close call period collects orders for the closing auction (引け); after it the day is
closed and every open order expires (day orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import jpholiday

from kabuto.business_days import is_bank_holiday
from kabuto.domain import JST


class Phase(StrEnum):
    CLOSED = "closed"
    PRE_OPEN = "pre_open"  # call period before the opening auction
    CONTINUOUS = "continuous"  # ザラバ
    PRE_CLOSE = "pre_close"  # call period before the closing auction


CALL_PHASES = frozenset({Phase.PRE_OPEN, Phase.PRE_CLOSE})


def closed_reason(day: date) -> str | None:
    """Why the venue does not trade on ``day``, or None on a trading day. The venue's business
    days are the banks' (kabuto.business_days): the same weekends, holidays and year-end."""
    if not is_bank_holiday(day):
        return None
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    if day.month == 1 and day.day <= 3:
        return "year-start holiday (1-3 January)"
    if day.month == 12 and day.day == 31:
        return "year-end holiday (31 December)"
    return f"national holiday ({jpholiday.is_holiday_name(day)})"


def is_trading_day(day: date) -> bool:
    return not is_bank_holiday(day)


def next_trading_day(day: date) -> date:
    """The first trading day after ``day``."""
    day += timedelta(days=1)
    while not is_trading_day(day):
        day += timedelta(days=1)
    return day


def previous_trading_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_trading_day(day):
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Sessions:
    """The day's timetable (JST): order entry opens, opening auction, pre-close call period,
    closing auction."""

    order_entry: time
    open_auction: time
    pre_close: time
    close_auction: time

    def __post_init__(self) -> None:
        if not self.order_entry < self.open_auction < self.pre_close < self.close_auction:
            raise ValueError(
                "sessions must be in order: order_entry < open_auction < pre_close < close_auction"
            )

    def phase_at(self, moment: datetime) -> Phase:
        """The phase at ``moment`` (any timezone; read in JST)."""
        local = moment.astimezone(JST)
        if not is_trading_day(local.date()):
            return Phase.CLOSED
        now = local.time()
        if now < self.order_entry or now >= self.close_auction:
            return Phase.CLOSED
        if now < self.open_auction:
            return Phase.PRE_OPEN
        if now < self.pre_close:
            return Phase.CONTINUOUS
        return Phase.PRE_CLOSE

    def at(self, day: date, when: time) -> datetime:
        return datetime.combine(day, when, JST)
